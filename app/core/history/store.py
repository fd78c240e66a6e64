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

import logging
import os
import sqlite3
import time
from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Literal

from app.core.history import bulk, code_waits, query, runs, schema
from app.core.history import export as export_module
from app.core.history import rows as codec
from app.core.history.liveness import is_alive, process_token
from app.core.history.records import (
    MAX_TRIGGER_LOG_CHARS,
    AttemptCompletion,
    AttemptStart,
    CodeWait,
    HistoryFilter,
    HistoryRecord,
    bounded_text,
    format_time,
    utc_now,
)
from app.core.history.schema import HistoryWriteError
from app.core.history.sqlite_file import HistoryFile
from app.core.models import Outcome

log = logging.getLogger(__name__)

_ALL = HistoryFilter()
_SWEEP_INTERVAL_S = 1.0
_FINISHED = (Outcome.SUCCESS.value, Outcome.ERROR.value)


class HistoryStore(HistoryFile):
    """The history of attempts in one SQLite file; safe to share between threads and processes."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 15.0) -> None:
        self._last_sweep = float("-inf")
        self._tokens: dict[int, str | None] = {}
        self._unwritten: dict[int, tuple[str, tuple[object, ...]]] = {}
        super().__init__(path, busy_timeout_s=busy_timeout_s)
        assert self._conn is not None
        self.fts = schema.ensure_search_index(self._conn)
        self._sweep(force=True)

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
        self.flush_unwritten()
        pid = os.getpid()
        values = codec.start_values(start)
        row = (values[0], None, *values[1:], Outcome.PENDING.value,
               *([None] * 9), 0, None, pid, self._token(pid))
        with self._transaction() as conn:
            previous = conn.execute(codec.LAST_TIME_KEY).fetchone()
            time_key, lag = codec.next_time_key(previous[0] if previous else None, str(values[0]))
            row_id = conn.execute(codec.INSERT, (*row, time_key, *codec.update_values(start), None)).lastrowid
            codec.raise_max_lag(conn, lag)
            if row_id is not None and start.run_id is not None:
                runs.tag_attempt(conn, row_id, start.run_id, start.case_name)
            if row_id is not None and start.code_wait is not None:
                code_waits.insert_code_wait(conn, row_id, start.code_wait)
        assert row_id is not None
        return row_id

    def complete(self, row_id: int, completion: AttemptCompletion) -> HistoryRecord:
        """Record how the attempt ended; a row completes once (KeyError if unknown, ValueError if done).

        When the file cannot take the write (a full disk, a read-only or failing file) the completion
        is kept in memory, written by the next write, `flush_unwritten()` or `close()`, and
        HistoryWriteError says what happened."""
        values = (*codec.completion_values(completion), codec.value_state(completion))
        finished = format_time(utc_now())
        self.flush_unwritten()
        try:
            record = self._write_completion(row_id, finished, values)
        except sqlite3.OperationalError as exc:
            with self._lock:
                self._unwritten[row_id] = (finished, values)
            raise HistoryWriteError(
                f"history could not record how attempt #{row_id} ended ({exc}; file {self.path}); "
                "it is kept in memory and written as soon as the file takes it"
            ) from exc
        return record

    def _write_completion(self, row_id: int, finished: str, values: tuple[object, ...]) -> HistoryRecord:
        with self._transaction() as conn:
            found = conn.execute("SELECT outcome FROM attempts WHERE id = ?", (row_id,)).fetchone()
            if found is None:
                raise KeyError(f"no history row {row_id}")
            if found[0] in _FINISHED:
                raise ValueError(f"history row {row_id} is already complete ({found[0]})")
            conn.execute(codec.COMPLETE, (finished, *values, row_id))
            record = self._fetch(conn, row_id)
        assert record is not None
        return record

    @property
    def unwritten(self) -> list[int]:
        """Ids of attempts whose completion waits in memory for the file to take it."""
        with self._lock:
            return sorted(self._unwritten)

    def flush_unwritten(self) -> list[int]:
        """Write the completions kept in memory; returns the ids written now (the rest still wait)."""
        written: list[int] = []
        with self._lock:
            if not self._unwritten or self._conn is None:
                return written
            for row_id, (finished, values) in list(self._unwritten.items()):
                try:
                    self._write_completion(row_id, finished, values)
                except sqlite3.OperationalError as exc:
                    log.warning("history still cannot record attempt #%d: %s", row_id, exc)
                    break
                except (KeyError, ValueError):
                    pass  # gone or completed meanwhile: nothing left to write
                del self._unwritten[row_id]
                written.append(row_id)
        return written

    def set_trigger_log(self, row_id: int, text: str | None) -> HistoryRecord:
        """Attach the trigger's log lines to an attempt (they arrive after the call); replaces any
        earlier text, cleaned like every other field. KeyError if the row is unknown."""
        with self._transaction() as conn:
            updated = conn.execute(
                "UPDATE attempts SET trigger_log = ? WHERE id = ?",
                (bounded_text(text, MAX_TRIGGER_LOG_CHARS), row_id),
            ).rowcount
            if not updated:
                raise KeyError(f"no history row {row_id}")
            record = self._fetch(conn, row_id)
        assert record is not None
        return record

    def bulk_insert_for_benchmark(self, records: Iterable[tuple[AttemptStart, AttemptCompletion]]) -> None:
        """Insert finished attempts in one transaction (benchmarks and tests; not for the app)."""

        with self._transaction() as conn:
            bulk.insert_finished(conn, records)

    # --- reading ---------------------------------------------------------------------------------

    @staticmethod
    def _fetch(conn: sqlite3.Connection, row_id: int) -> HistoryRecord | None:
        row = conn.execute(
            f"SELECT {query.SELECT_COLUMNS} FROM attempts a WHERE a.id = ?",  # noqa: S608 - constant
            (row_id,),
        ).fetchone()
        return None if row is None else codec.record_from_row(row)

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
        return [codec.record_from_row(row) for row in rows]

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
            records = (codec.record_from_row(row) for chunk in chunks for row in chunk)
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
            self.flush_unwritten()
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
