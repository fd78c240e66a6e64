"""Rows of the `attempts` table: the values written for an attempt's start and completion, and the
record read back. Text from a server is cleaned and bounded here, numbers of the wrong type dropped.
"""

from __future__ import annotations

import json
import math
import sqlite3
from typing import Any

from app.core.history import schema
from app.core.history.records import (
    MAX_SERVER_TEXT_CHARS,
    MAX_SHORT_TEXT_CHARS,
    MAX_TRIGGER_LOG_CHARS,
    AttemptCompletion,
    AttemptStart,
    HistoryRecord,
    bounded_text,
    clean_optional,
    clean_text,
    format_time,
    parse_time,
    utc_now,
)
from app.core.models import CodeDeliveryDetails, Outcome, ValueState


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


INSERT = (
    "INSERT INTO attempts (started_at, finished_at, operation, region, endpoint_url, user_pool_id,"
    " client_id, profile_name, username, attribute_name, client_metadata, outcome,"
    " delivery_attribute_name, delivery_medium, delivery_destination, error_code, error_message,"
    " http_status, request_id, latency_ms, attempts, cancelled, trigger_log, pid, proc_start, time_key,"
    " old_value, new_value, value_state)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
LAST_TIME_KEY = "SELECT time_key FROM attempts ORDER BY id DESC LIMIT 1"


def next_time_key(previous: str | None, started: str) -> tuple[str, float]:
    """The running maximum of started_at after `started`, and how far `started` lags behind it."""
    if previous is None or started >= previous:
        return started, 0.0
    return previous, (parse_time(previous) - parse_time(started)).total_seconds()


def raise_max_lag(conn: sqlite3.Connection, lag: float) -> None:
    if lag > 0:
        conn.execute("UPDATE meta SET value = max(value, ?) WHERE key = ?", (lag, schema.MAX_LAG_KEY))


COMPLETE = (
    "UPDATE attempts SET finished_at = ?, outcome = ?, delivery_attribute_name = ?, delivery_medium = ?,"
    " delivery_destination = ?, error_code = ?, error_message = ?, http_status = ?, request_id = ?,"
    " latency_ms = ?, attempts = ?, cancelled = ?, trigger_log = ?, value_state = ? WHERE id = ?"
)


def update_values(start: AttemptStart) -> tuple[object, ...]:
    """The value before (as the server sent it) and the value asked for, for an attribute update
    (None for other calls); bounded like the server's other text."""
    return (bounded_text(start.old_value, MAX_SERVER_TEXT_CHARS),
            bounded_text(start.new_value, MAX_SERVER_TEXT_CHARS))


def value_state(done: AttemptCompletion) -> str | None:
    return None if done.value_state is None else done.value_state.value


def start_values(start: AttemptStart) -> tuple[object, ...]:
    conn = start.connection
    return (
        format_time(start.started_at or utc_now()),
        clean_text(start.operation),
        clean_text(conn.region),
        clean_optional(conn.endpoint_url),
        clean_optional(conn.user_pool_id),
        clean_text(conn.client_id),
        clean_optional(conn.profile_name),
        bounded_text(start.username, MAX_SHORT_TEXT_CHARS),
        clean_text(start.attribute_name),
        _json_metadata(start.client_metadata),
    )


_INT64 = 2**63


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if -_INT64 <= value < _INT64 else None


def _float_or_none(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) < _INT64 else None
    return value if math.isfinite(value) else None


def completion_values(done: AttemptCompletion) -> tuple[object, ...]:
    """The completion's columns; what came from the server is bounded, numbers of the wrong type
    are dropped (the server may answer anything)."""
    if done.outcome not in (Outcome.SUCCESS, Outcome.ERROR):
        raise ValueError(f"an attempt completes as success or error, not {done.outcome.value}")
    delivery = done.delivery

    def short(value: object) -> str | None:
        return bounded_text(value, MAX_SHORT_TEXT_CHARS)

    return (
        done.outcome.value,
        short(delivery.attribute_name) if delivery else None,
        short(delivery.delivery_medium) if delivery else None,
        short(delivery.destination) if delivery else None,
        short(done.error_code),
        bounded_text(done.error_message, MAX_SERVER_TEXT_CHARS),
        _int_or_none(done.http_status),
        short(done.request_id),
        _float_or_none(done.latency_ms),
        _int_or_none(done.attempts),
        int(bool(done.cancelled)),
        bounded_text(done.trigger_log, MAX_TRIGGER_LOG_CHARS),
    )
