"""The history store across processes: killed writers, live writers, two writers at once."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.core.history import HistoryFilter, HistoryStore
from app.core.history import store as store_module
from app.core.models import Outcome

from support.ready_files import ready_file, release_when_ready

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")

_PRELUDE = """
import json, os, signal, sys, time
from pathlib import Path
from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
from app.core.models import SEND_OPERATION, CodeDeliveryDetails, ConnectionInfo, Outcome
INFO = ConnectionInfo("eu-west-1", None, "eu-west-1_Pool", "client123", "proc")
def start(i):
    return AttemptStart(SEND_OPERATION, INFO, f"user{os.getpid()}", "email", {"writer": str(os.getpid()), "i": str(i)})
DONE = AttemptCompletion(Outcome.SUCCESS, delivery=CodeDeliveryDetails("email", "EMAIL", "a***@e***"), attempts=1)
store = HistoryStore(Path(sys.argv[1]))
"""


def spawn(script: str, db: Path, *extra: str, **kwargs: object) -> subprocess.Popen[str]:
    code = _PRELUDE + textwrap.dedent(script)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", code, str(db), *extra], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs,
    )


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def test_a_row_begun_by_a_process_that_was_killed_is_shown_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    child = spawn("""
        row_id = store.begin(start(0))
        print(row_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """, db)
    out, err = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, err
    row_id = int(out)
    assert integrity(db) == ["ok"]
    with HistoryStore(db) as history:
        record = history.get(row_id)
        assert record is not None
        assert record.outcome is Outcome.INTERRUPTED
        assert record.finished_at is None
        assert [r.id for r in history.page(HistoryFilter(outcome=Outcome.INTERRUPTED))] == [row_id]
        assert history.count(HistoryFilter(outcome=Outcome.PENDING)) == 0


def test_pending_rows_of_a_live_process_stay_pending_until_it_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "history.sqlite3"
    child = spawn("""
        print(store.begin(start(0)), flush=True)
        sys.stdin.readline()  # in flight until the test lets go
    """, db, stdin=subprocess.PIPE)
    try:
        assert child.stdout is not None
        row_id = int(child.stdout.readline())
        monkeypatch.setattr(store_module, "_SWEEP_INTERVAL_S", 0.0)
        with HistoryStore(db) as history:
            record = history.get(row_id)
            assert record is not None and record.outcome is Outcome.PENDING
            child.kill()
            child.wait(timeout=30)
            record = history.get(row_id)
            assert record is not None and record.outcome is Outcome.INTERRUPTED
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        child.communicate()


@pytest.mark.linux_only  # process start times come from /proc
def test_a_reused_pid_does_not_keep_a_dead_writers_row_pending(tmp_path: Path) -> None:
    from app.core.history.records import AttemptStart
    from app.core.models import SEND_OPERATION, ConnectionInfo

    db = tmp_path / "history.sqlite3"
    with HistoryStore(db) as history:
        mine = history.begin(AttemptStart(SEND_OPERATION, ConnectionInfo("r", None, None, "c"), "u", "email", {}))
        earlier = history.begin(AttemptStart(SEND_OPERATION, ConnectionInfo("r", None, None, "c"), "u", "email", {}))
    conn = sqlite3.connect(db)
    # Same pid as this test process, but written by an earlier process that had that pid.
    conn.execute("UPDATE attempts SET proc_start = 'another-boot:1' WHERE id = ?", (earlier,))
    conn.commit()
    conn.close()
    with HistoryStore(db) as history:
        assert history.get(mine).outcome is Outcome.PENDING  # type: ignore[union-attr]
        assert history.get(earlier).outcome is Outcome.INTERRUPTED  # type: ignore[union-attr]


def test_two_processes_writing_at_once_lose_no_row(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    go = tmp_path / "go"
    writer = """
        go = Path(sys.argv[2])
        Path(sys.argv[3]).touch()  # imported, store open: ready
        while not go.exists():
            time.sleep(0.005)
        ids = []
        for i in range(500):
            row_id = store.begin(start(i))
            store.complete(row_id, DONE)
            ids.append(row_id)
        print(json.dumps(ids))
    """
    children = [spawn(writer, db, str(go), str(ready_file(go, index))) for index in range(2)]
    release_when_ready(go, children)
    written: list[list[int]] = []
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err
        written.append(json.loads(out))
    all_ids = written[0] + written[1]
    assert len(all_ids) == len(set(all_ids)) == 1000
    assert integrity(db) == ["ok"]
    with HistoryStore(db) as history:
        assert history.count() == 1000
        assert history.count(HistoryFilter(outcome=Outcome.SUCCESS)) == 1000
        stored = {r.id for r in history.page(limit=2000)}
        assert stored == set(all_ids)
        writers = {r.client_metadata["writer"] for r in history.page(limit=2000)}
        assert len(writers) == 2


def test_killing_a_writer_at_random_moments_never_corrupts_or_loses_a_started_row(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    rng = random.Random(1234)
    reported: list[int] = []
    for _ in range(8):
        child = spawn("""
            i = 0
            while True:
                row_id = store.begin(start(i))
                print(row_id, flush=True)
                if i % 3:
                    store.complete(row_id, DONE)
                i += 1
        """, db)
        time.sleep(rng.uniform(0.3, 0.8))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=60)
        reported += [int(line) for line in out.split()]
        assert integrity(db) == ["ok"]
    assert reported, "no child got as far as writing a row"
    with HistoryStore(db) as history:
        assert history.check_integrity() == []
        for row_id in reported:
            record = history.get(row_id)
            assert record is not None, row_id
            assert record.outcome in (Outcome.SUCCESS, Outcome.INTERRUPTED)
        assert history.count(HistoryFilter(outcome=Outcome.PENDING)) == 0


_OPEN_TOGETHER = """
import sys, time
from pathlib import Path
from app.core.history import HistoryStore
go = Path(sys.argv[2])
Path(sys.argv[3]).touch()  # imported: ready
while not go.exists():
    time.sleep(0.001)
HistoryStore(Path(sys.argv[1])).close()
"""


def test_processes_creating_the_history_file_together_all_open_it(tmp_path: Path) -> None:
    """SQLite can answer "database is locked" at once, busy timeout or not, to a process switching a
    file to WAL while another creates it (CI saw it): every process must still open the history."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for round_ in range(8):
        db, go = tmp_path / f"history-{round_}.sqlite3", tmp_path / f"go-{round_}"
        children = [
            subprocess.Popen([sys.executable, "-c", _OPEN_TOGETHER, str(db), str(go), str(ready_file(go, index))],
                             cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for index in range(4)
        ]
        release_when_ready(go, children)
        for child in children:
            _, err = child.communicate(timeout=60)
            assert child.returncode == 0, err
        assert integrity(db) == ["ok"]
