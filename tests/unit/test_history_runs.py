"""Suite runs in history: the migration from the previous version, tagged attempts, interrupted runs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from app.core.history import SCHEMA_VERSION, AttemptStart, HistoryStore, RunStatus, schema
from app.core.models import SEND_OPERATION, ConnectionInfo

INFO = ConnectionInfo("us-east-1", "http://127.0.0.1:9", "us-east-1_abc", "client-1")


def test_a_file_of_the_previous_version_migrates_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:-1])
    conn.execute(
        "INSERT INTO attempts (started_at, operation, region, client_id, attribute_name, outcome, time_key)"
        " VALUES ('2025-01-01T00:00:00.000000Z', ?, 'us-east-1', 'c', 'email', 'success',"
        " '2025-01-01T00:00:00.000000Z')", (SEND_OPERATION,))
    conn.close()
    with HistoryStore(path) as store:
        (old,) = store.page()
        run_id = store.begin_run("suite", "suite.yaml")
        tagged = store.begin(AttemptStart(SEND_OPERATION, INFO, "alice", "email", run_id=run_id,
                                          case_name="first"))
        assert [(a.id, a.case_name) for a in store.run_attempts(run_id)] == [(tagged, "first")]
        assert old.id not in [a.id for a in store.run_attempts(run_id)]
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()


def test_a_run_whose_process_died_reads_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    script = ("import sys; from pathlib import Path; from app.core.history import HistoryStore;"
              "s = HistoryStore(Path(sys.argv[1])); print(s.begin_run('suite')); s.close()")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          check=True, timeout=60)
    with HistoryStore(path) as store:
        run = store.get_run(int(done.stdout))
        mine = store.begin_run("mine")
        running = store.get_run(mine)
        assert running is not None and running.status is RunStatus.RUNNING
        store.finish_run(mine, RunStatus.PASSED, passed=2, failed=0, errors=0)
        finished = store.get_run(mine)
    assert run is not None and run.status is RunStatus.INTERRUPTED
    assert finished is not None and (finished.status, finished.passed) == (RunStatus.PASSED, 2)


def test_code_requests_count_successes_of_one_user_and_client_outside_the_run(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from app.core.history import AttemptCompletion
    from app.core.models import Outcome

    with HistoryStore(tmp_path / "h.sqlite3") as store:
        run_id = store.begin_run("suite")
        for username, run, outcome in (("alice", None, Outcome.SUCCESS), ("alice", None, Outcome.ERROR),
                                       ("bob", None, Outcome.SUCCESS), ("alice", run_id, Outcome.SUCCESS)):
            row = store.begin(AttemptStart(SEND_OPERATION, INFO, username, "email", run_id=run))
            store.complete(row, AttemptCompletion(outcome=outcome))
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        count = store.code_requests_since(username="alice", client_id="client-1", user_pool_id="us-east-1_abc",
                                          since=hour_ago, operations=(SEND_OPERATION,), exclude_run=run_id)
        other_client = store.code_requests_since(username="alice", client_id="other", user_pool_id="us-east-1_abc",
                                                 since=hour_ago, operations=(SEND_OPERATION,))
    assert (count, other_client) == (1, 0)


def test_update_values_case_and_suite_names_are_kept_as_bounded_prefixes_with_their_length(
    tmp_path: Path,
) -> None:
    from app.core.history.records import MAX_SERVER_TEXT_CHARS, MAX_SHORT_TEXT_CHARS
    from app.core.models import UPDATE_OPERATION

    huge = "x" * 1_000_000
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        run_id = store.begin_run(huge, "/suites/" + huge)
        row_id = store.begin(AttemptStart(UPDATE_OPERATION, INFO, "alice", "email", old_value=huge,
                                          new_value="y" * 1_000_000, run_id=run_id, case_name=huge))
        record = store.get(row_id)
        (attempt,) = store.run_attempts(run_id)
        run = store.get_run(run_id)
    assert record is not None and record.old_value is not None and record.new_value is not None
    for text, limit in ((record.old_value, MAX_SERVER_TEXT_CHARS), (record.new_value, MAX_SERVER_TEXT_CHARS),
                        (attempt.case_name, MAX_SHORT_TEXT_CHARS)):
        assert text is not None and len(text) < limit + 200
        assert "1,000,000 characters in all" in text
    assert run is not None and len(run.suite_name) < MAX_SHORT_TEXT_CHARS + 200
    assert run.suite_path is not None and len(run.suite_path) < MAX_SERVER_TEXT_CHARS + 200
    assert (tmp_path / "h.sqlite3").stat().st_size < 200_000
