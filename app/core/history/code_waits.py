"""Where a verify's code came from: the code source, the message's date and the wait, one row per
attempt that used a source (never the message, the code or a mailbox password)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from app.core.history.records import CodeWait, clean_text, format_time, parse_time


def insert_code_wait(conn: sqlite3.Connection, attempt_id: int, wait: CodeWait) -> None:
    conn.execute(
        "INSERT INTO code_waits (attempt_id, source, message_date, wait_ms) VALUES (?, ?, ?, ?)",
        (attempt_id, clean_text(wait.source),
         format_time(wait.message_date) if wait.message_date else None, wait.wait_ms),
    )


def fetch_code_waits(conn: sqlite3.Connection, attempt_ids: Iterable[int]) -> dict[int, CodeWait]:
    """The code waits of these attempts (those that used a code source), by attempt id."""
    wanted = sorted(set(attempt_ids))
    found: dict[int, CodeWait] = {}
    for start in range(0, len(wanted), 500):  # SQLite's bound on host parameters
        chunk = wanted[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT attempt_id, source, message_date, wait_ms FROM code_waits WHERE attempt_id IN ({marks})",  # noqa: S608
            chunk,
        )
        for attempt_id, source, message_date, wait_ms in rows:
            found[attempt_id] = CodeWait(source, parse_time(message_date) if message_date else None, wait_ms)
    return found
