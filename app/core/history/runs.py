"""Suite runs in history: one row per run, and the attempts each run made, tagged with their case.

A run is written as running before its first send and finished after its last; a run whose process
died meanwhile reads as interrupted (the same liveness check as pending attempts).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.core.history.liveness import is_alive
from app.core.history.records import (
    MAX_SERVER_TEXT_CHARS,
    MAX_SHORT_TEXT_CHARS,
    bounded_text,
    clean_optional,
    clean_text,
    format_time,
    parse_time,
    utc_now,
)


class RunStatus(StrEnum):
    """How a run ended, as stored (INTERRUPTED only as read back)."""

    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class RunRecord:
    """One suite run as read back."""

    id: int
    suite_name: str
    suite_path: str | None
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    passed: int
    failed: int
    errors: int


@dataclass(frozen=True)
class RunAttempt:
    """An attempt a run made: its history id, case and outcome."""

    id: int
    case_name: str | None
    operation: str
    outcome: str


_COLUMNS = (
    "id, suite_name, suite_path, started_at, finished_at, status, passed, failed, errors, pid, proc_start"
)


def insert_run(conn: sqlite3.Connection, suite_name: str, suite_path: str | None, pid: int,
               token: str | None) -> int:
    row_id = conn.execute(
        "INSERT INTO runs (suite_name, suite_path, started_at, status, pid, proc_start)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (bounded_text(suite_name, MAX_SHORT_TEXT_CHARS) or "",
         bounded_text(suite_path, MAX_SERVER_TEXT_CHARS), format_time(utc_now()),
         RunStatus.RUNNING.value, pid, token),
    ).lastrowid
    assert row_id is not None
    return row_id


def finish_run(conn: sqlite3.Connection, run_id: int, status: RunStatus, *, passed: int, failed: int,
               errors: int) -> None:
    updated = conn.execute(
        "UPDATE runs SET finished_at = ?, status = ?, passed = ?, failed = ?, errors = ? WHERE id = ?",
        (format_time(utc_now()), status.value, passed, failed, errors, run_id),
    ).rowcount
    if not updated:
        raise KeyError(f"no run {run_id}")


def tag_attempt(conn: sqlite3.Connection, attempt_id: int, run_id: int, case_name: str | None) -> None:
    conn.execute("UPDATE attempts SET run_id = ?, case_name = ? WHERE id = ?",
                 (run_id, bounded_text(case_name, MAX_SHORT_TEXT_CHARS), attempt_id))


def _record(row: tuple[object, ...]) -> RunRecord:
    row_id, name, path, started, finished, status, passed, failed, errors, pid, token = row
    state = RunStatus(str(status))
    if state is RunStatus.RUNNING and not is_alive(pid if isinstance(pid, int) else None,
                                                   token if isinstance(token, str) else None):
        state = RunStatus.INTERRUPTED
    return RunRecord(int(str(row_id)), str(name), None if path is None else str(path),
                     parse_time(str(started)), None if finished is None else parse_time(str(finished)), state,
                     int(str(passed)), int(str(failed)), int(str(errors)))


def fetch_run(conn: sqlite3.Connection, run_id: int) -> RunRecord | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()  # noqa: S608
    return None if row is None else _record(row)


def recent_runs(conn: sqlite3.Connection, limit: int) -> list[RunRecord]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?", (limit,))  # noqa: S608
    return [_record(row) for row in rows]


def run_attempts(conn: sqlite3.Connection, run_id: int) -> list[RunAttempt]:
    rows = conn.execute(
        "SELECT id, case_name, operation, outcome FROM attempts WHERE run_id = ? ORDER BY id", (run_id,))
    return [RunAttempt(int(i), c, str(op), str(out)) for i, c, op, out in rows]


def code_requests_since(conn: sqlite3.Connection, *, username: str, client_id: str,
                        user_pool_id: str | None, since: datetime, operations: tuple[str, ...],
                        exclude_run: int | None = None) -> int:
    """Successful code requests (`operations`) recorded for one user of one app client since `since`,
    leaving out those of run `exclude_run`."""
    marks = ", ".join("?" for _ in operations)
    row = conn.execute(
        f"SELECT count(*) FROM attempts WHERE time_key >= ? AND started_at >= ? AND operation IN ({marks})"  # noqa: S608
        " AND outcome = 'success' AND username = ? AND client_id = ? AND user_pool_id IS ?"
        " AND coalesce(run_id, -1) != ?",
        (format_time(since), format_time(since), *operations, bounded_text(username, MAX_SHORT_TEXT_CHARS),
         clean_text(client_id),
         clean_optional(user_pool_id), -1 if exclude_run is None else exclude_run),
    ).fetchone()
    return int(row[0])
