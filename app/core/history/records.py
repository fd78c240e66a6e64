"""What history stores: the attempt as begun, its completion, the record read back, and filters.

Every text field passes through `clean_text` before it is written: JWT-shaped substrings (and any
secret registered with `app.core.redaction`) are replaced, lone surrogates become U+FFFD.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.core.models import CodeDeliveryDetails, ConnectionInfo, Outcome, ValueState
from app.core.redaction import SECRETS

TOKEN_PLACEHOLDER = "<redacted-token>"
_SEGMENT = r"[A-Za-z0-9_\-=]"
# A JWS (header.payload.signature) or JWE (five segments), whole; the header starts '{"' = "eyJ".
_JWT = re.compile(rf"eyJ{_SEGMENT}+(?:\.{_SEGMENT}*){{2,4}}")
_SUMMARY_LENGTH = 80
# What history keeps of text a server sent: enough to read any real message or log, bounded so a
# hostile server cannot grow the file by megabytes per attempt.
MAX_SERVER_TEXT_CHARS = 4_000
MAX_TRIGGER_LOG_CHARS = 64_000
MAX_SHORT_TEXT_CHARS = 512


def clean_text(value: str) -> str:
    """`value` safe to store: no token, no registered secret, valid UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if "eyJ" in value:
        value = _JWT.sub(TOKEN_PLACEHOLDER, value)
    return SECRETS.redact(value)


def clean_optional(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


def bounded_text(value: object, limit: int) -> str | None:
    """`value` cleaned and cut to about `limit` characters, its full length noted after the cut.

    Anything but a string (a server can answer any JSON) is stored as its JSON text. Cleaning
    comes first, so a cut never leaves the start of a secret behind.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        try:
            value = json.dumps(value, ensure_ascii=False, default=repr)
        except (ValueError, RecursionError):  # a number too long for Python to print, say
            value = f"<{type(value).__name__} too large to store>"
    text = clean_text(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [cut: {len(text):,} characters in all, the first {limit:,} kept]"


def format_time(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds and a Z: fixed width, so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CodeWait:
    """Where a verify's code came from: the code source, the message's date, and how long it took."""

    source: str
    message_date: datetime | None = None
    wait_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source,
                "message_date": format_time(self.message_date) if self.message_date else None,
                "wait_ms": self.wait_ms}


@dataclass(frozen=True)
class AttemptStart:
    """An attempt as written before the request is sent."""

    operation: str
    connection: ConnectionInfo
    username: str | None
    attribute_name: str
    client_metadata: dict[str, str] = field(default_factory=dict)
    started_at: datetime | None = None
    old_value: str | None = None
    """For an attribute update: the active value before it, and the value asked for."""
    new_value: str | None = None
    run_id: int | None = None
    """The suite run that made this attempt (`HistoryStore.begin_run`), if one did."""
    case_name: str | None = None
    code_wait: CodeWait | None = None
    """For a verify whose code came from a code source: where from, the message's date, the wait."""


@dataclass(frozen=True)
class AttemptCompletion:
    """How an attempt ended; a cancelled attempt's late result is still recorded."""

    outcome: Outcome
    delivery: CodeDeliveryDetails | None = None
    error_code: str | None = None
    error_message: str | None = None
    http_status: int | None = None
    request_id: str | None = None
    latency_ms: float | None = None
    attempts: int | None = None
    cancelled: bool = False
    trigger_log: str | None = None
    value_state: ValueState | None = None
    """For a successful attribute update: pending (the original kept) or applied."""


@dataclass(frozen=True)
class HistoryRecord:
    """One row of history as read back (outcome may be PENDING or INTERRUPTED)."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    operation: str
    region: str
    endpoint_url: str | None
    user_pool_id: str | None
    client_id: str
    profile_name: str | None
    username: str | None
    attribute_name: str
    client_metadata: dict[str, str]
    outcome: Outcome
    delivery: CodeDeliveryDetails | None
    error_code: str | None
    error_message: str | None
    http_status: int | None
    request_id: str | None
    latency_ms: float | None
    attempts: int | None
    cancelled: bool
    trigger_log: str | None
    old_value: str | None = None
    new_value: str | None = None
    value_state: ValueState | None = None

    @property
    def metadata_summary(self) -> str:
        """The ClientMetadata as one short line, "k=v, k2=v2…"."""
        text = ", ".join(f"{key}={value}" for key, value in self.client_metadata.items())
        if len(text) > _SUMMARY_LENGTH:
            return text[: _SUMMARY_LENGTH - 1] + "…"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form used by exports and `verifydesk history --json`."""
        return {
            "id": self.id,
            "started_at": format_time(self.started_at),
            "finished_at": format_time(self.finished_at) if self.finished_at else None,
            "operation": self.operation,
            "outcome": self.outcome.value,
            "cancelled": self.cancelled,
            "region": self.region,
            "endpoint_url": self.endpoint_url,
            "user_pool_id": self.user_pool_id,
            "client_id": self.client_id,
            "profile_name": self.profile_name,
            "username": self.username,
            "attribute_name": self.attribute_name,
            "client_metadata": dict(self.client_metadata),
            "delivery": None if self.delivery is None else {
                "attribute_name": self.delivery.attribute_name,
                "delivery_medium": self.delivery.delivery_medium,
                "destination": self.delivery.destination,
            },
            "error_code": self.error_code,
            "error_message": self.error_message,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "latency_ms": self.latency_ms,
            "attempts": self.attempts,
            "trigger_log": self.trigger_log,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "value_state": None if self.value_state is None else self.value_state.value,
        }


@dataclass(frozen=True)
class HistoryFilter:
    """Conditions that combine with AND; `text` searches username, attribute, metadata, error,
    request id and destination (each word a prefix); times are inclusive bounds on started_at;
    `cancelled` True keeps the attempts the tester cancelled (their late results, whatever the outcome);
    `operation` keeps one kind of call (e.g. UpdateUserAttributes)."""

    outcome: Outcome | None = None
    cancelled: bool | None = None
    error_code: str | None = None
    attribute_name: str | None = None
    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    operation: str | None = None
