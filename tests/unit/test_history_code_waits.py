"""History keeps where a verify's code came from (source, message date, wait), and nothing more."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from app.core.history import SCHEMA_VERSION, AttemptCompletion, AttemptStart, CodeWait, HistoryStore, schema
from app.core.models import SEND_OPERATION, VERIFY_OPERATION, ConnectionInfo, Outcome

INFO = ConnectionInfo("us-east-1", None, "us-east-1_Pool", "client")
ARRIVED = datetime(2026, 12, 2, 17, 0, 5, tzinfo=UTC)


def test_a_verify_with_a_code_wait_reads_back_its_source_date_and_wait(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        plain = store.begin(AttemptStart(VERIFY_OPERATION, INFO, "ann", "email"))
        waited = store.begin(AttemptStart(VERIFY_OPERATION, INFO, "ann", "email",
                                          code_wait=CodeWait("imap://qa@mail/INBOX", ARRIVED, 812.5)))
        store.complete(waited, AttemptCompletion(Outcome.SUCCESS))
        found = store.code_waits([plain, waited, 999])
    assert found == {waited: CodeWait("imap://qa@mail/INBOX", ARRIVED, 812.5)}
    assert found[waited].to_dict() == {"source": "imap://qa@mail/INBOX",
                                       "message_date": "2026-12-02T17:00:05.000000Z", "wait_ms": 812.5}


def test_a_file_of_the_previous_version_migrates_and_its_rows_have_no_code_wait(tmp_path: Path) -> None:
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
        assert store.code_waits([old.id]) == {}
        new = store.begin(AttemptStart(VERIFY_OPERATION, INFO, "ann", "email", code_wait=CodeWait("sandbox")))
        assert store.code_waits([old.id, new]) == {new: CodeWait("sandbox")}
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()
