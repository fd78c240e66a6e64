"""A child process for the profile concurrency tests: saves (or reads) profiles in a tight loop.

Usage: python profile_worker.py PROFILES_FILE GO_FILE ROLE WORKER_ID COUNT [--no-lock] [--pause-ms N]
ROLE is "writer" (saves COUNT own profiles, updating the shared one and its presets each time, pausing
N ms between rounds) or "reader" (lists until a stop file appears, checking every read). Each worker
writes `ready-WORKER_ID` beside GO_FILE once its store is open, then waits for GO_FILE. Prints one
JSON line at the end.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

from app.core import profiles
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore


def _wait_for(go: Path) -> None:
    deadline = time.monotonic() + 30
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the go file never appeared")
        time.sleep(0.001)


def _writer(store: ProfileStore, worker: str, count: int, pause_s: float) -> dict[str, object]:
    for index in range(count):
        if index and pause_s:
            time.sleep(pause_s)
        store.save(Profile(name=f"w{worker}-{index}", region="eu-west-1", client_id=f"client{index}"))
        store.save(Profile(name="shared", region="eu-west-1", client_id="shared", last_username=f"w{worker}"))
        store.save_preset("shared", f"w{worker}-{index}", [("writer", worker), ("index", str(index))])
    return {"saved": count}


def _reader(store: ProfileStore, stop: Path) -> dict[str, object]:
    reads = problems = 0
    while not stop.exists():
        store.list()
        reads += 1
        if store.recovered_from is not None or store.problem is not None:
            problems += 1
    return {"reads": reads, "problems": problems, "notice": store.notice}


def main(argv: list[str]) -> int:
    path, go, role, worker, count = Path(argv[0]), Path(argv[1]), argv[2], argv[3], int(argv[4])
    if "--no-lock" in argv:
        profiles.exclusive_lock = lambda *_a, **_k: contextlib.nullcontext()  # type: ignore[attr-defined,assignment]
    pause_ms = int(argv[argv.index("--pause-ms") + 1]) if "--pause-ms" in argv else 0
    store = ProfileStore(path)
    go.with_name(f"ready-{worker}").touch()
    _wait_for(go)
    if role == "writer":
        result = _writer(store, worker, count, pause_ms / 1000)
    else:
        result = _reader(store, go.with_name("stop"))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
