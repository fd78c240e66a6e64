"""The message for a verification code: the pool's template, or the Custom Message trigger's.

With a trigger configured, the event comes from the one event builder (`app.core.trigger_event`), is
sent through `app.sandbox.trigger`, recorded, and its log lines go to CloudWatch Logs. A failing
trigger becomes the API error Cognito would answer with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from app.sandbox import cloudwatch
from app.sandbox.inbox import EMAIL, utc_now_iso
from app.sandbox.state import SandboxState, TriggerConfig
from app.sandbox.wire import ApiError

CODE_PLACEHOLDER = "{####}"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Composed:
    subject: str | None
    body: str


def default_message(state: SandboxState, medium: str, code: str) -> Composed:
    """The pool's verification template with the code filled in."""
    config = state.pool.extended_config
    if medium == EMAIL:
        subject = str(config.get("EmailVerificationSubject") or "Your verification code")
        body = str(config.get("EmailVerificationMessage") or "Your verification code is {####}.")
        return Composed(subject, body.replace(CODE_PLACEHOLDER, code))
    body = str(config.get("SmsVerificationMessage") or "Your verification code is {####}.")
    return Composed(None, body.replace(CODE_PLACEHOLDER, code))


def parse_trigger(spec: str, function_name: str) -> TriggerConfig:
    """Check a trigger spec (Lambda-Invoke URL or `file.py:handler`); ValueError when unusable."""
    from app.sandbox.trigger import TriggerTarget

    target = TriggerTarget.parse(spec, function_name)
    return TriggerConfig(spec=spec, function_name=function_name, target=target)


def lambda_arn(state: SandboxState, function_name: str) -> str:
    return f"arn:aws:lambda:{state.region}:{state.account_id}:function:{function_name}"


def apply_trigger(state: SandboxState, trigger: TriggerConfig | None) -> None:
    """Use the trigger and show it in the pool's LambdaConfig, as DescribeUserPool reports it."""
    with state.lock:
        state.trigger = trigger
        config = state.pool.extended_config
        lambda_config = dict(config.get("LambdaConfig") or {})
        if trigger is None:
            lambda_config.pop("CustomMessage", None)
        else:
            lambda_config["CustomMessage"] = lambda_arn(state, trigger.function_name)
        config["LambdaConfig"] = lambda_config


def _record(
    state: SandboxState, trigger: TriggerConfig, invocation: Any, username: str, attribute: str, *,
    medium: str,
) -> None:
    entry = {
        "sent_at": utc_now_iso(),
        "function_name": trigger.function_name,
        "username": username,
        "attribute": attribute,
        "event": invocation.event,
        "response": invocation.returned,
        "error_code": invocation.error_code,
        "error_message": invocation.error_message,
        "problems": list(invocation.problems),
        "request_id": invocation.request_id,
        "medium": medium,
        "duration_ms": invocation.duration_ms,
        "log_lines": list(invocation.log_lines),
    }
    with state.lock:
        entry["id"] = len(state.trigger_events) + 1
        state.trigger_events.append(entry)


def compose(
    state: SandboxState,
    *,
    user: Any,
    client_id: str,
    attribute: str,
    medium: str,
    code: str,
    client_metadata: dict[str, str] | None,
    trigger_source: str | None = None,
    user_attributes: dict[str, str] | None = None,
) -> Composed:
    """The message to deliver; ApiError (the trigger's mapped error) when the trigger failed.

    `trigger_source` defaults to CustomMessage_VerifyUserAttribute; `user_attributes` (default: the
    user's own) is what the event's `request.userAttributes` shows."""
    trigger = state.trigger
    if trigger is None:
        return default_message(state, medium, code)
    from app.core.trigger_event import (
        VERIFY_USER_ATTRIBUTE,
        build_custom_message_event,
        event_user_attributes,
        render_message,
    )
    from app.sandbox.trigger import invoke_custom_message

    status = str(getattr(user.status, "value", user.status))
    shown = user.attribute_lookup if user_attributes is None else user_attributes
    attributes = event_user_attributes(shown, user_status=status)
    event = build_custom_message_event(
        region=state.region,
        user_pool_id=state.pool_id,
        user_name=user.username,
        client_id=client_id,
        user_attributes=attributes,
        client_metadata=client_metadata or None,
        trigger_source=trigger_source or VERIFY_USER_ATTRIBUTE,
    )
    invocation = invoke_custom_message(trigger.target, event, medium=medium)
    _record(state, trigger, invocation, user.username, attribute, medium=medium)
    try:
        cloudwatch.write_lines(state.account_id, state.region, trigger.function_name, invocation.log_lines)
    except Exception:  # the logs are a convenience; the call's outcome must not depend on them
        _log.exception("could not write the trigger's log lines to CloudWatch Logs")
    if invocation.error_code:
        raise ApiError(str(invocation.error_code), str(invocation.error_message or invocation.error_code))
    rendered = render_message(invocation.returned, medium, code)
    if not rendered.body:
        return default_message(state, medium, code)
    return Composed(rendered.subject, rendered.body)
