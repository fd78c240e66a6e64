"""The Custom Message trigger's log lines for one request, read from CloudWatch Logs.

After a send, `/aws/lambda/<function>` is followed with FilterLogEvents from the request's start
time (less a little clock slack) until the invocation's REPORT line has arrived and a grace period
has passed, or a deadline. Lines are classified (START/END/REPORT/ERROR/OUTPUT), de-duplicated by
event id, and flagged when they mention a value of the request's ClientMetadata.

`LogFollower.poll()` does one non-blocking-ish round (one FilterLogEvents call, paged) so a window
can schedule polls on its own timer and simply stop calling to cancel; `follow()` is the blocking
generator over it with a `stop` callable, and `collect()` drains it. Both run off the UI thread.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from app.core.aws_profiles import admin_client, admin_error
from app.core.error_catalogue import NETWORK_ERROR, THROTTLING, TIMEOUT, lookup

MAX_LINES = 2000
MAX_PAGES_PER_POLL = 10
_SHORT_VALUE = 3  # values shorter than this only match as whole words ("1" is in every REPORT)
_TRANSIENT = frozenset({NETWORK_ERROR, TIMEOUT, THROTTLING})

_PLATFORM = re.compile(r"(START|END|REPORT) RequestId: (?P<id>[\w-]+)")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_JSON_REQUEST_ID = re.compile(r'"requestId"\s*:\s*"(?P<id>[\w-]+)"')
_ERROR_MARKERS = (
    "[ERROR]", "\tERROR\t", "Traceback (most recent call last)", "Task timed out",
    '"level":"ERROR"', '"level": "ERROR"', '"errorType"', "Runtime.ExitError",
    "Process exited before completing request", "Unhandled Promise Rejection",
)


class LogKind(StrEnum):
    START = "START"
    END = "END"
    REPORT = "REPORT"
    ERROR = "ERROR"
    OUTPUT = "OUTPUT"


def classify(message: str) -> LogKind:
    """What a Lambda log line is: a platform line, an error, or the function's own output."""
    match = _PLATFORM.match(message)
    if match:
        return LogKind(match.group(1))
    if any(marker in message for marker in _ERROR_MARKERS):
        return LogKind.ERROR
    return LogKind.OUTPUT


def request_id_in(message: str) -> str | None:
    """The invocation's request id when the line names one (platform, runtime-formatted or JSON)."""
    match = _PLATFORM.match(message)
    if match:
        return match["id"]
    for part in message.split("\t")[:3]:
        if _UUID.fullmatch(part.strip()):
            return part.strip()
    json_match = _JSON_REQUEST_ID.search(message)
    return json_match["id"] if json_match else None


def _value_patterns(value: str) -> list[re.Pattern[str]]:
    """The ways a value shows up in a log: as is, JSON-escaped (json.dumps) or repr-escaped (print)."""
    forms = {value, json.dumps(value)[1:-1], repr(value)[1:-1]}
    patterns = []
    for form in sorted(forms):
        escaped = re.escape(form)
        if len(value) < _SHORT_VALUE:
            escaped = rf"(?<!\w){escaped}(?!\w)"
        patterns.append(re.compile(escaped))
    return patterns


class MetadataMatcher:
    """Finds which ClientMetadata entries a log line mentions (by value)."""

    def __init__(self, metadata: Mapping[str, str] | None) -> None:
        self._patterns = [
            (key, _value_patterns(value)) for key, value in (metadata or {}).items()
            if isinstance(value, str) and value.strip()
        ]

    def keys_in(self, message: str) -> tuple[str, ...]:
        return tuple(key for key, patterns in self._patterns if any(p.search(message) for p in patterns))


@dataclass(frozen=True)
class LogLine:
    """One line of the function's log."""

    timestamp: datetime
    message: str
    kind: LogKind
    mentions_metadata: bool = False
    mentioned_keys: tuple[str, ...] = ()
    request_id: str | None = None
    log_stream: str | None = None
    event_id: str | None = None

    def to_text(self) -> str:
        stamp = self.timestamp.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3]
        marker = "*" if self.mentions_metadata else " "
        if self.message.startswith(f"{self.kind.value} "):  # START/END/REPORT name themselves
            return f"{stamp} {marker}{self.message}"
        return f"{stamp} {marker}{self.kind.value:<6} {self.message}"


def render_text(lines: list[LogLine] | tuple[LogLine, ...]) -> str:
    """The lines as plain text for history and copying; `*` marks lines mentioning metadata."""
    return "\n".join(line.to_text() for line in lines)


@dataclass(frozen=True)
class FollowSettings:
    """How long and how often to look; all in seconds."""

    poll_interval_s: float = 1.0
    window_s: float = 30.0
    """Give up this long after following began, REPORT or not."""
    grace_s: float = 2.0
    """Keep reading this long after the last awaited REPORT line (late output, other invocations)."""
    clock_slack_s: float = 5.0
    """Read from this long before the request's start: this computer's clock and AWS's may differ."""


@dataclass(frozen=True)
class LogBatch:
    """What one poll found: new lines, new notes, and whether following is over (and why)."""

    lines: tuple[LogLine, ...]
    notes: tuple[str, ...] = ()
    finished: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class FollowResult:
    log_group: str
    lines: tuple[LogLine, ...]
    notes: tuple[str, ...]
    reason: str | None

    def to_text(self) -> str:
        return "\n".join([*(f"# {note}" for note in self.notes), render_text(self.lines)]).strip()


def _millis(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


@dataclass
class LogFollower:
    """Follows one function's log group from one request's start time; one `poll()` per round."""

    client: Any
    function_name: str
    started_at: datetime
    metadata: Mapping[str, str] | None = None
    settings: FollowSettings = field(default_factory=FollowSettings)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.log_group = f"/aws/lambda/{self.function_name}"
        self.lines: list[LogLine] = []
        self.notes: list[str] = []
        self.finished = False
        self.reason: str | None = None
        self._matcher = MetadataMatcher(self.metadata)
        self._start_ms = _millis(self.started_at) - int(self.settings.clock_slack_s * 1000)
        self._newest_ms = self._start_ms
        self._seen: set[tuple[str, str]] = set()
        self._open: set[str] = set()  # invocations started and not yet reported
        self._stream_request: dict[str, str] = {}
        self._last_report_at: float | None = None
        self._began = self.clock()

    def _note(self, text: str, fresh: list[str]) -> None:
        if text not in self.notes:
            self.notes.append(text)
            fresh.append(text)

    def _fetch(self, fresh_notes: list[str]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        params: dict[str, Any] = {
            "logGroupName": self.log_group,
            # Re-read a little behind the newest line seen: late-ingested events are caught, and
            # duplicates are dropped by event id.
            "startTime": max(self._start_ms, self._newest_ms - int(self.settings.clock_slack_s * 1000)),
        }
        for _ in range(MAX_PAGES_PER_POLL):
            response = self.client.filter_log_events(**params)
            events.extend(response.get("events") or [])
            token = response.get("nextToken")
            if not token or token == params.get("nextToken"):
                break
            params["nextToken"] = token
        else:
            self._note("The log group is very busy: some lines may be missing from this view.", fresh_notes)
        return events

    def _line(self, event: Mapping[str, Any]) -> LogLine:
        message = str(event.get("message") or "").rstrip("\n")
        stream = str(event.get("logStreamName") or "")
        kind = classify(message)
        request_id = request_id_in(message)
        if kind is LogKind.START and request_id:
            self._stream_request[stream] = request_id
        request_id = request_id or self._stream_request.get(stream)
        keys = () if kind in {LogKind.START, LogKind.END, LogKind.REPORT} else self._matcher.keys_in(message)
        return LogLine(
            timestamp=datetime.fromtimestamp(int(event.get("timestamp") or 0) / 1000, tz=UTC),
            message=message,
            kind=kind,
            mentions_metadata=bool(keys),
            mentioned_keys=keys,
            request_id=request_id,
            log_stream=stream or None,
            event_id=str(event.get("eventId") or "") or None,
        )

    def _take(self, events: list[dict[str, Any]]) -> list[LogLine]:
        new: list[LogLine] = []
        ordered = sorted(events, key=lambda e: (int(e.get("timestamp") or 0), str(e.get("eventId") or "")))
        for event in ordered:
            key = (str(event.get("logStreamName") or ""), str(event.get("eventId") or ""))
            if key in self._seen or int(event.get("timestamp") or 0) < self._start_ms:
                continue
            self._seen.add(key)
            self._newest_ms = max(self._newest_ms, int(event.get("timestamp") or 0))
            line = self._line(event)
            if line.kind is LogKind.START and line.request_id:
                self._open.add(line.request_id)
            elif line.kind is LogKind.REPORT and line.request_id in self._open:
                # Only an invocation that started inside the window counts: a REPORT of one that
                # started before the request is someone else's.
                self._open.discard(line.request_id)
                self._last_report_at = self.clock()
            new.append(line)
        return new

    def _finish(self, reason: str, fresh_notes: list[str]) -> None:
        self.finished, self.reason = True, reason
        if reason == "deadline" and self._last_report_at is None:
            self._note(
                f"No REPORT line arrived within {self.settings.window_s:g} s: the trigger may not have "
                "run, may still be running, or its logs arrive late.",
                fresh_notes,
            )
        elif reason == "too many lines":
            self._note(f"Stopped after {MAX_LINES} lines.", fresh_notes)

    def _reported_and_settled(self, now: float) -> bool:
        """An awaited REPORT arrived, no started invocation is still open, and the grace is over."""
        return (
            self._last_report_at is not None
            and not self._open
            and now - self._last_report_at >= self.settings.grace_s
        )

    def poll(self) -> LogBatch:
        """One round: read what is new, decide whether following is over. Raises ServiceError
        for failures that waiting will not fix (access denied, no credentials)."""
        if self.finished:
            return LogBatch((), (), True, self.reason)
        fresh_notes: list[str] = []
        new: list[LogLine] = []
        try:
            new = self._take(self._fetch(fresh_notes))
        except Exception as exc:  # classify, then decide: keep waiting or give up
            error = admin_error(exc, None)
            if error.code == "ResourceNotFoundException":
                self._note(
                    f"The log group {self.log_group} does not exist (yet): the function has not logged "
                    "anything in this region, or it logs elsewhere.",
                    fresh_notes,
                )
            elif error.code in _TRANSIENT:
                self._note(f"{error.code}: {error.message} ({lookup(error.code).next_step})", fresh_notes)
            else:
                raise error from exc
        self.lines.extend(new)
        now = self.clock()
        if len(self.lines) >= MAX_LINES:
            self._finish("too many lines", fresh_notes)
        elif self._reported_and_settled(now):
            self._finish("report", fresh_notes)
        elif now - self._began >= self.settings.window_s:
            self._finish("deadline", fresh_notes)
        return LogBatch(tuple(new), tuple(fresh_notes), self.finished, self.reason)

    def result(self) -> FollowResult:
        return FollowResult(self.log_group, tuple(self.lines), tuple(self.notes), self.reason)


def follow(
    follower: LogFollower,
    *,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[LogBatch]:
    """Poll until finished or `stop()` is true, yielding each round's batch; blocking between polls.

    The wait between polls is sliced so a `stop` (e.g. a threading.Event's `is_set`) ends it quickly.
    """
    while True:
        if stop():
            follower.finished, follower.reason = True, "stopped"
            yield LogBatch((), (), True, "stopped")
            return
        batch = follower.poll()
        yield batch
        if batch.finished:
            return
        waited = 0.0
        while waited < follower.settings.poll_interval_s and not stop():
            step = min(0.05, follower.settings.poll_interval_s - waited)
            sleep(step)
            waited += step


def collect(follower: LogFollower, *, stop: Callable[[], bool] = lambda: False) -> FollowResult:
    """Follow to the end and return everything found."""
    for _ in follow(follower, stop=stop):
        pass
    return follower.result()


def open_follower(
    function_name: str,
    started_at: datetime,
    *,
    region: str,
    metadata: Mapping[str, str] | None = None,
    settings: FollowSettings | None = None,
    aws_profile: str | None = None,
    endpoint_url: str | None = None,
    static_credentials: tuple[str, str] | None = None,
) -> LogFollower:
    """A follower with its own signed logs client (creating it is blocking: run off the UI thread)."""
    client = admin_client(
        "logs", region=region, aws_profile=aws_profile, endpoint_url=endpoint_url,
        static_credentials=static_credentials,
    )
    return LogFollower(client, function_name, started_at, metadata, settings or FollowSettings())

