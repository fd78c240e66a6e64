"""Many finished attempts written in one statement (benchmarks and tests fill a history this way)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import timedelta

from app.core.history import rows as codec
from app.core.history.records import AttemptCompletion, AttemptStart, format_time, utc_now


def insert_finished(
    conn: sqlite3.Connection, records: Iterable[tuple[AttemptStart, AttemptCompletion]]
) -> None:
    """Insert finished attempts after the newest row, inside the caller's transaction."""
    max_lag = 0.0

    def rows(previous: str | None) -> Iterator[tuple[object, ...]]:
        nonlocal max_lag
        for start, done in records:
            started = start.started_at or utc_now()
            finished = started + timedelta(milliseconds=done.latency_ms or 0)
            values = codec.start_values(start)
            previous, lag = codec.next_time_key(previous, str(values[0]))
            max_lag = max(max_lag, lag)
            yield (values[0], format_time(finished), *values[1:],
                   *codec.completion_values(done), None, None, previous, *codec.update_values(start),
                   codec.value_state(done))

    last = conn.execute(codec.LAST_TIME_KEY).fetchone()
    conn.executemany(codec.INSERT, rows(last[0] if last else None))
    codec.raise_max_lag(conn, max_lag)
