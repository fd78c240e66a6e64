"""Two or more processes editing the same profiles file at once: no lost profile, never a torn file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.profiles import ProfileStore

REPO = Path(__file__).resolve().parents[2]
WORKER = REPO / "tests" / "support" / "profile_worker.py"
WRITERS = 3
SAVES = 60


def _run(path: Path, *, writers: int, saves: int, reader: bool, no_lock: bool = False,
         pause_ms: int = 0) -> list[dict[str, object]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    go = path.parent / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    flags = (["--no-lock"] if no_lock else []) + ["--pause-ms", str(pause_ms)]
    roles = [("writer", str(n)) for n in range(writers)] + ([("reader", "r")] if reader else [])
    children = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(path), str(go), role, worker, str(saves), *flags],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for role, worker in roles
    ]
    _wait_until_ready(path.parent, [worker for _role, worker in roles], children)
    go.touch()
    results: list[dict[str, object]] = []
    for index, child in enumerate(children):
        if roles[index][0] == "reader":
            for writer in children[:writers]:
                writer.wait(timeout=240)
            (path.parent / "stop").touch()
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _wait_until_ready(folder: Path, workers: list[str], children: list[subprocess.Popen[str]]) -> None:
    """Every child has imported and opened its store (its ready file exists), so they start together."""
    deadline = time.monotonic() + 120
    while not all((folder / f"ready-{worker}").exists() for worker in workers):
        failed = [child for child in children if child.poll() is not None]
        assert not failed, failed[0].communicate()[1]
        assert time.monotonic() < deadline, "the workers never opened their stores"
        time.sleep(0.01)


@pytest.mark.slow
def test_concurrent_writers_lose_no_profile_and_readers_never_see_a_torn_file(tmp_path: Path) -> None:
    path = tmp_path / "config" / "profiles.json"
    results = _run(path, writers=WRITERS, saves=SAVES, reader=True)

    store = ProfileStore(path)
    assert store.recovered_from is None
    expected = {f"w{w}-{i}" for w in range(WRITERS) for i in range(SAVES)} | {"shared"}
    assert set(store.names()) == expected
    presets = store.list_presets("shared")
    assert set(presets) == {f"w{w}-{i}" for w in range(WRITERS) for i in range(SAVES)}
    assert presets["w1-7"] == [("writer", "1"), ("index", "7")]
    reader = results[-1]
    assert reader["problems"] == 0, reader["notice"]
    assert isinstance(reader["reads"], int) and reader["reads"] > 0
    assert not [p for p in path.parent.iterdir() if ".corrupt-" in p.name or p.name.endswith(".tmp")]


@pytest.mark.slow
def test_without_the_lock_the_same_workload_loses_edits(tmp_path: Path) -> None:
    """The harness can fail: with the lock disabled, concurrent read-modify-writes drop profiles."""
    path = tmp_path / "config" / "profiles.json"
    # Paced rounds, so the writers' read-modify-writes overlap however the machine schedules them.
    _run(path, writers=WRITERS, saves=SAVES, reader=False, no_lock=True, pause_ms=2)
    names = set(ProfileStore(path).names())
    expected = {f"w{w}-{i}" for w in range(WRITERS) for i in range(SAVES)} | {"shared"}
    assert names < expected
