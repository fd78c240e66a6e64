"""HistoryStore: every attempt written pending before it is sent, completed after, queried fast.

SQLite in WAL mode with synchronous=NORMAL: a committed row is in the WAL before its request leaves,
so a killed or crashed process never loses one nor corrupts the file; a power cut or OS crash may
roll back the last rows, never corrupt the file (SQLite's WAL guarantee). FULL would sync the disk
twice per send (≈1.5 ms on these machines, a third of the window's overhead budget for a send).
Writes take the lock up front (BEGIN IMMEDIATE) and wait up to `busy_timeout_s` for another
process, so two app instances, or the app and the CLI, lose no row. One connection per store,
shared by threads behind a lock.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from app.core.history import code_waits, query, runs, schema
from app.core.history import export as export_module
from app.core.history.liveness import is_alive, process_token
from app.core.history.records import (
    AttemptCompletion,
    AttemptStart,
    CodeWait,
    HistoryFilter,
    HistoryRecord,
    clean_optional,
    clean_text,
    format_time,
    parse_time,
    utc_now,
)
from app.core.models import CodeDeliveryDetails, Outcome, ValueState

log = logging.getLogger(__name__)

_ALL = HistoryFilter()
_SQLITE_HEADER = b"SQLite format 3\x00"
# Files up to this size get PRAGMA quick_check on open; bigger ones only the cheap checks (opening
# must stay flat with history size), and `check_integrity()` can run the full check off the UI thread.
QUICK_CHECK_MAX_BYTES = 8 * 1024 * 1024
_SWEEP_INTERVAL_S = 1.0
_FINISHED = (Outcome.SUCCESS.value, Outcome.ERROR.value)


class _CorruptFileError(Exception):
    """Internal: the file failed the integrity check on open."""


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        return True
    return type(exc) is sqlite3.DatabaseError and not name


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def _json_metadata(metadata: dict[str, str]) -> str:
    cleaned = {clean_text(str(key)): clean_text(str(value)) for key, value in metadata.items()}
    return json.dumps(cleaned, ensure_ascii=False, separators=(",", ":"))


def _parse_metadata(text: str | None) -> dict[str, str]:
    if not text or text == "{}":
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(key): item if isinstance(item, str) else json.dumps(item) for key, item in value.items()}


_OUTCOMES = {outcome.value: outcome for outcome in Outcome}
_VALUE_STATES = {state.value: state for state in ValueState}


def record_from_row(row: tuple[Any, ...]) -> HistoryRecord:
    """A HistoryRecord from a row of `schema.RECORD_COLUMNS` (SQLite already gives the right types)."""
    (row_id, started, finished, operation, region, endpoint_url, user_pool_id, client_id, profile_name,
     username, attribute_name, metadata, outcome, d_attr, d_medium, d_dest, error_code, error_message,
     http_status, request_id, latency_ms, attempts, cancelled, trigger_log, old_value, new_value,
     value_state) = row
    delivery = None
    if d_attr is not None or d_medium is not None or d_dest is not None:
        delivery = CodeDeliveryDetails(d_attr, d_medium, d_dest)
    return HistoryRecord(
        row_id, parse_time(started), None if finished is None else parse_time(finished), operation, region,
        endpoint_url, user_pool_id, client_id, profile_name, username, attribute_name,
        _parse_metadata(metadata), _OUTCOMES[outcome], delivery, error_code, error_message, http_status,
        request_id, latency_ms, attempts, bool(cancelled), trigger_log, old_value, new_value,
        _VALUE_STATES.get(value_state) if value_state else None,
    )


_INSERT = (
    "INSERT INTO attempts (started_at, finished_at, operation, region, endpoint_url, user_pool_id,"
    " client_id, profile_name, username, attribute_name, client_metadata, outcome,"
    " delivery_attribute_name, delivery_medium, delivery_destination, error_code, error_message,"
    " http_status, request_id, latency_ms, attempts, cancelled, trigger_log, pid, proc_start, time_key,"
    " old_value, new_value, value_state)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_LAST_TIME_KEY = "SELECT time_key FROM attempts ORDER BY id DESC LIMIT 1"


def _next_time_key(previous: str | None, started: str) -> tuple[str, float]:
    """The running maximum of started_at after `started`, and how far `started` lags behind it."""
    if previous is None or started >= previous:
        return started, 0.0
    return previous, (parse_time(previous) - parse_time(started)).total_seconds()


def _raise_max_lag(conn: sqlite3.Connection, lag: float) -> None:
    if lag > 0:
        conn.execute("UPDATE meta SET value = max(value, ?) WHERE key = ?", (lag, schema.MAX_LAG_KEY))

_COMPLETE = (
    "UPDATE attempts SET finished_at = ?, outcome = ?, delivery_attribute_name = ?, delivery_medium = ?,"
    " delivery_destination = ?, error_code = ?, error_message = ?, http_status = ?, request_id = ?,"
    " latency_ms = ?, attempts = ?, cancelled = ?, trigger_log = ?, value_state = ? WHERE id = ?"
)


def _update_values(start: AttemptStart) -> tuple[object, ...]:
    """The value before and after, for an attribute update (None for other calls)."""
    return clean_optional(start.old_value), clean_optional(start.new_value)


def _value_state(done: AttemptCompletion) -> str | None:
    return None if done.value_state is None else done.value_state.value


def _start_values(start: AttemptStart) -> tuple[object, ...]:
    conn = start.connection
    return (
        format_time(start.started_at or utc_now()),
        clean_text(start.operation),
        clean_text(conn.region),
        clean_optional(conn.endpoint_url),
        clean_optional(conn.user_pool_id),
        clean_text(conn.client_id),
        clean_optional(conn.profile_name),
        clean_optional(start.username),
        clean_text(start.attribute_name),
        _json_metadata(start.client_metadata),
    )


def _completion_values(done: AttemptCompletion) -> tuple[object, ...]:
    if done.outcome not in (Outcome.SUCCESS, Outcome.ERROR):
        raise ValueError(f"an attempt completes as success or error, not {done.outcome.value}")
    delivery = done.delivery
    return (
        done.outcome.value,
        clean_optional(delivery.attribute_name) if delivery else None,
        clean_optional(delivery.delivery_medium) if delivery else None,
        clean_optional(delivery.destination) if delivery else None,
        clean_optional(done.error_code),
        clean_optional(done.error_message),
        done.http_status,
        clean_optional(done.request_id),
        done.latency_ms,
        done.attempts,
        int(done.cancelled),
        clean_optional(done.trigger_log),
    )


class HistoryStore:
    """The history of attempts in one SQLite file; safe to share between threads and processes."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 15.0) -> None:
        self.path = Path(path)
        self.recovered_from: Path | None = None
        """Where a corrupt or foreign file found at `path` was moved; None when it opened fine."""
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.RLock()
        self._last_sweep = float("-inf")
        self._tokens: dict[int, str | None] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn: sqlite3.Connection | None = self._open()
        self.fts = schema.ensure_search_index(self._conn)
        self._sweep(force=True)

    # --- opening ---------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self._looks_foreign():
            self._quarantine("it is not an SQLite database")
            return self._prepare()
        try:
            return self._prepare()
        except (sqlite3.DatabaseError, _CorruptFileError) as exc:
            if isinstance(exc, sqlite3.DatabaseError) and not _is_corruption(exc):
                raise
            self._quarantine(str(exc))
            return self._prepare()

    def _looks_foreign(self) -> bool:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(_SQLITE_HEADER))
        except FileNotFoundError:
            return False
        return bool(head) and head != _SQLITE_HEADER

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
        return conn

    def _prepare(self) -> sqlite3.Connection:
        conn = self._connect()
        try:
            self._enter_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if self.path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
                result = [row[0] for row in conn.execute("PRAGMA quick_check")]
                if result != ["ok"]:
                    raise _CorruptFileError("; ".join(result[:5]))
            schema.migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _enter_wal(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL, waiting for other processes up to the busy timeout: SQLite may refuse the
        switch with "database is locked" at once, without its busy handler, while another process
        opens the same new file (measured in CI: two processes creating the history together)."""
        deadline = time.monotonic() + self._busy_timeout_s
        pause = 0.005
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _quarantine(self, reason: str) -> None:
        stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{suffix}")
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            return  # another process moved it first
        for extra in ("-wal", "-journal"):
            side = Path(f"{self.path}{extra}")
            if side.exists():
                os.replace(side, Path(f"{target}{extra}"))
        Path(f"{self.path}-shm").unlink(missing_ok=True)
        self.recovered_from = target
        log.warning("history file %s was unusable (%s); moved to %s", self.path, reason, target)

    def check_integrity(self) -> list[str]:
        """PRAGMA integrity_check over the whole file (slow on big files: run it off the UI thread).

        Returns the problems found; an empty list means the file is sound.
        """
        with self._lock:
            rows = [str(row[0]) for row in self._require().execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    # --- plumbing --------------------------------------------------------------------------------

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise schema.HistoryError("the history store is closed")
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._require()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _token(self, pid: int) -> str | None:
        if pid not in self._tokens:
            self._tokens[pid] = process_token(pid)
        return self._tokens[pid]

    def _sweep(self, *, force: bool = False) -> None:
        """Mark pending rows whose writing process has died as interrupted (at most once a second)."""
        now = time.monotonic()
        if not force and now - self._last_sweep < _SWEEP_INTERVAL_S:
            return
        self._last_sweep = now
        with self._lock:
            conn = self._require()
            pending = conn.execute(
                "SELECT id, pid, proc_start FROM attempts WHERE outcome = ?", (Outcome.PENDING.value,)
            ).fetchall()
            dead = [row_id for row_id, pid, token in pending if not is_alive(pid, token)]
            if not dead:
                return
            try:
                with self._transaction() as tx:
                    tx.executemany(
                        "UPDATE attempts SET outcome = ? WHERE id = ? AND outcome = ?",
                        [(Outcome.INTERRUPTED.value, row_id, Outcome.PENDING.value) for row_id in dead],
                    )
            except sqlite3.OperationalError as exc:  # read-only or busy: try again next time
                log.warning("could not mark interrupted history rows: %s", exc)

    # --- writing ---------------------------------------------------------------------------------

    def begin(self, start: AttemptStart) -> int:
        """Write a pending row (committed before returning) and return its id."""
        pid = os.getpid()
        values = _start_values(start)
        row = (values[0], None, *values[1:], Outcome.PENDING.value,
               *([None] * 9), 0, None, pid, self._token(pid))
        with self._transaction() as conn:
            previous = conn.execute(_LAST_TIME_KEY).fetchone()
            time_key, lag = _next_time_key(previous[0] if previous else None, str(values[0]))
            row_id = conn.execute(_INSERT, (*row, time_key, *_update_values(start), None)).lastrowid
            _raise_max_lag(conn, lag)
            if row_id is not None and start.run_id is not None:
                runs.tag_attempt(conn, row_id, start.run_id, start.case_name)
            if row_id is not None and start.code_wait is not None:
                code_waits.insert_code_wait(conn, row_id, start.code_wait)
        assert row_id is not None
        return row_id

    def complete(self, row_id: int, completion: AttemptCompletion) -> HistoryRecord:
        """Record how the attempt ended; a row completes once (KeyError if unknown, ValueError if done)."""
        values = _completion_values(completion)
        with self._transaction() as conn:
            found = conn.execute("SELECT outcome FROM attempts WHERE id = ?", (row_id,)).fetchone()
            if found is None:
                raise KeyError(f"no history row {row_id}")
            if found[0] in _FINISHED:
                raise ValueError(f"history row {row_id} is already complete ({found[0]})")
            conn.execute(_COMPLETE, (format_time(utc_now()), *values, _value_state(completion), row_id))
            record = self._fetch(conn, row_id)
        assert record is not None
        return record

    def set_trigger_log(self, row_id: int, text: str | None) -> HistoryRecord:
        """Attach the trigger's log lines to an attempt (they arrive after the call); replaces any
        earlier text, cleaned like every other field. KeyError if the row is unknown."""
        with self._transaction() as conn:
            updated = conn.execute(
                "UPDATE attempts SET trigger_log = ? WHERE id = ?", (clean_optional(text), row_id)
            ).rowcount
            if not updated:
                raise KeyError(f"no history row {row_id}")
            record = self._fetch(conn, row_id)
        assert record is not None
        return record

    def bulk_insert_for_benchmark(self, records: Iterable[tuple[AttemptStart, AttemptCompletion]]) -> None:
        """Insert finished attempts in one transaction (benchmarks and tests; not for the app)."""

        max_lag = 0.0

        def rows(previous: str | None) -> Iterator[tuple[object, ...]]:
            nonlocal max_lag
            for start, done in records:
                started = start.started_at or utc_now()
                finished = started + timedelta(milliseconds=done.latency_ms or 0)
                values = _start_values(start)
                previous, lag = _next_time_key(previous, str(values[0]))
                max_lag = max(max_lag, lag)
                yield (values[0], format_time(finished), *values[1:],
                       *_completion_values(done), None, None, previous, *_update_values(start),
                       _value_state(done))

        with self._transaction() as conn:
            last = conn.execute(_LAST_TIME_KEY).fetchone()
            conn.executemany(_INSERT, rows(last[0] if last else None))
            _raise_max_lag(conn, max_lag)

    # --- reading ---------------------------------------------------------------------------------

    @staticmethod
    def _fetch(conn: sqlite3.Connection, row_id: int) -> HistoryRecord | None:
        row = conn.execute(
            f"SELECT {query.SELECT_COLUMNS} FROM attempts a WHERE a.id = ?",  # noqa: S608 - constant
            (row_id,),
        ).fetchone()
        return None if row is None else record_from_row(row)

    def _build(self, conn: sqlite3.Connection, filt: HistoryFilter) -> query.FilterSql:
        """The filter's SQL, with a time range narrowed to an id range by two index seeks."""
        low: int | None = None
        high: int | None = None
        if filt.since is not None:
            row = conn.execute(
                "SELECT id FROM attempts WHERE time_key >= ? ORDER BY time_key, id LIMIT 1",
                (format_time(filt.since),),
            ).fetchone()
            low = row[0] if row else -1
            high = -2 if row is None else None  # nothing that late: an empty range
        if filt.until is not None and high is None:
            lag_row = conn.execute("SELECT value FROM meta WHERE key = ?", (schema.MAX_LAG_KEY,)).fetchone()
            lag = float(lag_row[0]) if lag_row else 0.0
            row = conn.execute(
                "SELECT id FROM attempts WHERE time_key <= ? ORDER BY time_key DESC, id DESC LIMIT 1",
                (format_time(filt.until + timedelta(seconds=lag)),),
            ).fetchone()
            high = row[0] if row else -2
        return query.build(filt, fts=self.fts, id_range=(low, high))

    def get(self, row_id: int) -> HistoryRecord | None:
        self._sweep()
        with self._lock:
            return self._fetch(self._require(), row_id)

    def page(
        self, filt: HistoryFilter = _ALL, *, limit: int = 200, before_id: int | None = None,
        after_id: int | None = None, oldest_first: bool = False,
    ) -> list[HistoryRecord]:
        """Up to `limit` records matching `filt` with ids below `before_id` and above `after_id`:
        newest first, or from the oldest with `oldest_first` (a list's "jump to end")."""
        if limit <= 0:
            return []
        self._sweep()
        with self._lock:
            conn = self._require()
            sql = self._build(conn, filt)
            extra: list[str] = []
            params: list[object] = list(sql.params)
            if before_id is not None:
                extra.append(f"{sql.id_column} < ?")
                params.append(before_id)
            if after_id is not None:
                extra.append(f"{sql.id_column} > ?")
                params.append(after_id)
            statement = (
                # Only constants and "?" placeholders are formatted into the SQL; values are parameters.
                f"SELECT {query.SELECT_COLUMNS} FROM {sql.source} {sql.where_sql(*extra)}"  # noqa: S608
                f" ORDER BY {sql.id_column} {'ASC' if oldest_first else 'DESC'} LIMIT ?"
            )
            rows = conn.execute(statement, [*params, limit]).fetchall()
        return [record_from_row(row) for row in rows]

    def count(self, filt: HistoryFilter = _ALL, *, at_most: int | None = None) -> int:
        """How many records match. A full count reads every match (slow on huge histories);
        with `at_most` it stops there, so it costs the same at a thousand rows or a million."""
        self._sweep()
        with self._lock:
            conn = self._require()
            sql = self._build(conn, filt)
            if at_most is None:
                statement = f"SELECT count(*) FROM {sql.source} {sql.where_sql()}"  # noqa: S608
                params = sql.params
            else:
                statement = (f"SELECT count(*) FROM (SELECT 1 FROM {sql.source} {sql.where_sql()}"  # noqa: S608
                             " LIMIT ?)")
                params = [*sql.params, max(at_most, 0)]
            row = conn.execute(statement, params).fetchone()
        return int(row[0])

    def _distinct(self, column: str) -> list[str]:
        # A skip-scan over the column's index: one seek per distinct value, not one per row.
        statement = (
            f"WITH RECURSIVE v(x) AS (SELECT min({column}) FROM attempts UNION ALL"  # noqa: S608
            f" SELECT (SELECT min({column}) FROM attempts WHERE {column} > v.x) FROM v"
            f" WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL"
        )
        with self._lock:
            return [str(row[0]) for row in self._require().execute(statement)]

    def error_codes(self) -> list[str]:
        """Distinct error codes, sorted: for the filter combo."""
        return self._distinct("error_code")

    def operations(self) -> list[str]:
        """Distinct operations, sorted: for the filter combo."""
        return self._distinct("operation")

    def attribute_names(self) -> list[str]:
        """Distinct attribute names, sorted: for the filter combo."""
        return self._distinct("attribute_name")

    def deliveries_since(self, user_pool_id: str, medium: str, since: datetime) -> int:
        """How many codes Cognito said it sent by `medium` ("EMAIL", "SMS") for this pool since
        `since`: the successful attempts with that delivery medium; read-only."""
        self._sweep()
        with self._lock:
            conn = self._require()
            sql = self._build(conn, HistoryFilter(outcome=Outcome.SUCCESS, since=since))
            terms = ("a.user_pool_id = ?", "a.delivery_medium = ?")
            statement = f"SELECT count(*) FROM {sql.source} {sql.where_sql(*terms)}"  # noqa: S608 - constants
            row = conn.execute(statement, [*sql.params, user_pool_id, medium]).fetchone()
        return int(row[0])

    def export(
        self, path: Path, filt: HistoryFilter = _ALL, fmt: Literal["csv", "json"] | None = None
    ) -> int:
        """Write matching records (newest first) to CSV or JSON atomically; returns how many.

        The format comes from the suffix unless given. Streams over its own connection, so the
        store stays usable by other threads meanwhile.
        """
        chosen = export_module.format_for(Path(path), fmt)
        self._sweep()
        with self._lock:
            sql = self._build(self._require(), filt)
        statement = (
            f"SELECT {query.SELECT_COLUMNS} FROM {sql.source} {sql.where_sql()}"  # noqa: S608
            f" ORDER BY {sql.id_column} DESC"
        )
        reader = self._connect()
        try:
            cursor = reader.execute(statement, sql.params)
            chunks = iter(lambda: cursor.fetchmany(500), [])
            records = (record_from_row(row) for chunk in chunks for row in chunk)
            return export_module.write(Path(path), chosen, records)
        finally:
            reader.close()

    def code_waits(self, attempt_ids: Iterable[int]) -> dict[int, CodeWait]:
        """Where the codes of these verifies came from (those that used a code source), by id."""
        with self._lock:
            return code_waits.fetch_code_waits(self._require(), attempt_ids)

    # --- suite runs -------------------------------------------------------------------------------

    def begin_run(self, suite_name: str, suite_path: str | None = None) -> int:
        """Write a running suite run (committed before returning) and return its id."""
        pid = os.getpid()
        with self._transaction() as conn:
            return runs.insert_run(conn, suite_name, suite_path, pid, self._token(pid))

    def finish_run(self, run_id: int, status: runs.RunStatus, *, passed: int, failed: int,
                   errors: int) -> None:
        """Record how a run ended (KeyError if unknown)."""
        with self._transaction() as conn:
            runs.finish_run(conn, run_id, status, passed=passed, failed=failed, errors=errors)

    def get_run(self, run_id: int) -> runs.RunRecord | None:
        """A run; one still marked running whose process died reads as interrupted."""
        with self._lock:
            return runs.fetch_run(self._require(), run_id)

    def recent_runs(self, limit: int = 50) -> list[runs.RunRecord]:
        with self._lock:
            return runs.recent_runs(self._require(), limit)

    def code_requests_since(
        self, *, username: str, client_id: str, user_pool_id: str | None, since: datetime,
        operations: tuple[str, ...], exclude_run: int | None = None,
    ) -> int:
        """How many codes were requested (successfully) for this user and app client since `since`."""
        with self._lock:
            return runs.code_requests_since(
                self._require(), username=username, client_id=client_id, user_pool_id=user_pool_id,
                since=since, operations=operations, exclude_run=exclude_run)

    def run_attempts(self, run_id: int) -> list[runs.RunAttempt]:
        """The attempts a run made, oldest first (pending ones of a dead process as interrupted)."""
        self._sweep(force=True)
        with self._lock:
            return runs.run_attempts(self._require(), run_id)

    # --- lifetime --------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            with suppress(sqlite3.Error):  # keep planner statistics fresh, bounded in cost
                self._conn.execute("PRAGMA analysis_limit = 400")
                self._conn.execute("PRAGMA optimize")
            self._conn.close()
            self._conn = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
