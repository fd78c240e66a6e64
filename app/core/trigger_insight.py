"""The Custom Message trigger's side of one request, for the window's trigger view (no Qt).

- The event preview: the one event builder (`app.core.trigger_event`) fed with what the window knows,
  GetUser's attributes as the trigger sees them, and the ClientMetadata exactly as it will be sent.
- A local trigger run: the sandbox's record of the invocation for a request (event sent, what came
  back, Cognito's mapped error), checked and rendered the way Cognito would.
- The log lines followed after a send, as text for the history record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.trigger_event import (
    EMAIL,
    SMS,
    UPDATE_USER_ATTRIBUTE,
    VERIFY_USER_ATTRIBUTE,
    RenderedMessage,
    build_custom_message_event,
    event_user_attributes,
    render_message,
    updated_user_attributes,
    validate_custom_message_response,
)
from app.core.trigger_logs import FollowResult, render_text

RUN_MATCH_SLACK = timedelta(seconds=2)


def medium_for(attribute_name: str) -> str:
    """How a code for this attribute is delivered: SMS for phone_number, email otherwise."""
    return SMS if attribute_name == "phone_number" else EMAIL


@dataclass(frozen=True)
class EventInputs:
    """What the preview is built from; `problem` says what is missing when it cannot be built."""

    region: str | None
    user_pool_id: str | None
    client_id: str | None
    username: str | None
    user_attributes: Mapping[str, str]
    client_metadata: Mapping[str, str] | None
    change: tuple[str, str] | None = None
    """(attribute, new value) when the call is UpdateUserAttributes rather than a code request."""

    @property
    def trigger_source(self) -> str:
        return UPDATE_USER_ATTRIBUTE if self.change is not None else VERIFY_USER_ATTRIBUTE

    @property
    def problem(self) -> str | None:
        if not self.region or not self.client_id:
            return "Choose a profile: the event names the pool's region and app client."
        if not self.user_pool_id:
            return ("The profile has no user pool id (and the access token names none): the event's "
                    "userPoolId is unknown. Add it to the profile.")
        if not self.username:
            return "Sign in: the event carries your username and attributes (from GetUser)."
        return None


def preview_event(inputs: EventInputs) -> dict[str, Any]:
    """The event the Custom Message trigger receives for this request (ValueError when `problem`)."""
    problem = inputs.problem
    if problem:
        raise ValueError(problem)
    return build_custom_message_event(
        region=str(inputs.region),
        user_pool_id=str(inputs.user_pool_id),
        user_name=str(inputs.username),
        client_id=str(inputs.client_id),
        user_attributes=event_user_attributes(
            updated_user_attributes(inputs.user_attributes, *inputs.change) if inputs.change
            else inputs.user_attributes),
        client_metadata=inputs.client_metadata or None,
        trigger_source=inputs.trigger_source,
    )


def event_json(event: object) -> str:
    """The event as the Lambda console's test-event editor takes it: pretty JSON, unicode kept."""
    return json.dumps(event, indent=2, ensure_ascii=False)


def event_differences(expected: object, actual: object, path: str = "") -> list[str]:
    """The JSON paths where two events differ ("request.clientMetadata.campaign"); empty when equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[str] = []
        for key in sorted(set(expected) | set(actual), key=str):
            child = f"{path}.{key}" if path else str(key)
            if key not in expected:
                found.append(f"{child} (only in the event sent)")
            elif key not in actual:
                found.append(f"{child} (only in the preview)")
            else:
                found.extend(event_differences(expected[key], actual[key], child))
        return found
    return [] if expected == actual else [path or "(the whole event)"]


# --- local trigger runs (sandbox) -----------------------------------------------------------------


def _parse_sent_at(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def find_run(
    entries: Sequence[Mapping[str, Any]], *, username: str | None, attribute: str, since: datetime
) -> Mapping[str, Any] | None:
    """The sandbox's record of the invocation made for a request: the newest one for this user and
    attribute that started after the request did (less a little slack)."""
    floor = since - RUN_MATCH_SLACK
    entry: Mapping[str, Any]
    for entry in reversed(entries):
        sent_at = _parse_sent_at(entry.get("sent_at"))
        if sent_at is not None and sent_at < floor:
            break
        if entry.get("attribute") == attribute and (username is None or entry.get("username") == username):
            return entry
    return None


@dataclass(frozen=True)
class TriggerRun:
    """One invocation of the trigger for a request, as the tester reads it."""

    function_name: str | None
    medium: str
    event: Mapping[str, Any]
    returned: object
    error_code: str | None
    error_message: str | None
    duration_ms: float | None
    log_lines: tuple[str, ...]
    problems: tuple[str, ...]
    """What Cognito would refuse in what came back (empty when it is usable or nothing came back)."""
    rendered: RenderedMessage | None
    """The message with the code filled in; None when the trigger failed or left it to the template."""

    @property
    def ok(self) -> bool:
        return self.error_code is None


def describe_run(entry: Mapping[str, Any], medium: str, code: str | None) -> TriggerRun:
    """Check and render one recorded invocation; `code` (from the inbox) fills the placeholder."""
    returned = entry.get("response")
    error_code = entry.get("error_code") or None
    # A trigger that raised or was unreachable returned nothing to check.
    has_answer = not error_code or error_code == "InvalidLambdaResponseException"
    problems = tuple(validate_custom_message_response(returned, medium)) if has_answer else ()
    rendered = None
    if not error_code:
        message = render_message(returned, medium, code or "{####}")
        rendered = message if message.body is not None else None
    duration = entry.get("duration_ms")
    return TriggerRun(
        function_name=entry.get("function_name"),
        medium=medium,
        event=dict(entry.get("event") or {}),
        returned=returned,
        error_code=str(error_code) if error_code else None,
        error_message=str(entry.get("error_message")) if entry.get("error_message") else None,
        duration_ms=float(duration) if isinstance(duration, int | float) else None,
        log_lines=tuple(str(line) for line in entry.get("log_lines") or ()),
        problems=problems,
        rendered=rendered,
    )


# --- log lines for history ------------------------------------------------------------------------


def history_log_text(result: FollowResult) -> str:
    """The followed lines as stored in the history record: the log group, notes, then the lines
    (`*` marks lines that mention a ClientMetadata value)."""
    header = [f"# {result.log_group}", *(f"# {note}" for note in result.notes)]
    if not result.lines:
        header.append("# No log lines for this request.")
    return "\n".join([*header, render_text(result.lines)]).rstrip()


def trigger_function_for(
    *,
    pool_function: str | None,
    pool_checked: bool,
    profile_function: str | None,
    sandbox_function: str | None = None,
) -> tuple[str | None, str]:
    """Which function's log to follow, and where that came from (or why there is none)."""
    if pool_function:
        return pool_function, "the pool's Custom Message trigger"
    if sandbox_function:
        return sandbox_function, "the sandbox's local trigger"
    if profile_function:
        return profile_function, "the profile's trigger function"
    if pool_checked:
        return None, "The pool has no Custom Message trigger: there is no log to follow."
    return None, ("No trigger function known: load the pool's trigger configuration (Trigger tab) "
                  "or set the trigger function in the profile.")
