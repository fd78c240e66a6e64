"""The Custom Message trigger's event for a verification code, and checks of its answer.

One event builder for the sandbox (the event it sends) and the window (the event it previews), so the
preview is the event. Two sources send such a code: GetUserAttributeVerificationCode
(`CustomMessage_VerifyUserAttribute`) and UpdateUserAttributes changing an email or phone number
(`CustomMessage_UpdateUserAttribute`); `trigger_source_for` names the one for an operation. The
shape follows Cognito's documented Custom Message event: `clientMetadata` is present only when
ClientMetadata was sent, `response` starts with three nulls. `usernameParameter`
is null: Cognito fills it only for AdminCreateUser's temporary-password message.

`validate_custom_message_response` lists, one sentence each, what Cognito would refuse in the event
the trigger returned; `render_message` is the message the user would receive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CODE_PLACEHOLDER = "{####}"
VERIFY_USER_ATTRIBUTE = "CustomMessage_VerifyUserAttribute"
UPDATE_USER_ATTRIBUTE = "CustomMessage_UpdateUserAttribute"
TRIGGER_SOURCES = {
    "GetUserAttributeVerificationCode": VERIFY_USER_ATTRIBUTE,
    "UpdateUserAttributes": UPDATE_USER_ATTRIBUTE,
}
EVENT_VERSION = "1"
AWS_SDK_VERSION = "aws-sdk-unknown-unknown"
"""What Cognito reports in callerContext.awsSdkVersion for calls it cannot attribute to an SDK."""

EMAIL = "EMAIL"
SMS = "SMS"
SMS_MAX_CHARS = 140
EMAIL_MAX_CHARS = 20_000
MESSAGE_FIELDS = {EMAIL: "emailMessage", SMS: "smsMessage"}
_LIMITS = {EMAIL: EMAIL_MAX_CHARS, SMS: SMS_MAX_CHARS}
_RESPONSE_FIELDS = ("smsMessage", "emailMessage", "emailSubject")


def trigger_source_for(operation: str) -> str:
    """The triggerSource Cognito sends the Custom Message trigger for a call of `operation`."""
    try:
        return TRIGGER_SOURCES[operation]
    except KeyError:
        known = ", ".join(TRIGGER_SOURCES)
        raise ValueError(f"operation: expected one of {known}, got {operation!r}") from None


def updated_user_attributes(
    attributes: Mapping[str, str], attribute_name: str, new_value: str
) -> dict[str, str]:
    """`request.userAttributes` for a change of `attribute_name` to `new_value`: the new value, not yet
    verified (the value the message and its code are about)."""
    result = {str(k): str(v) for k, v in attributes.items()}
    result[attribute_name] = new_value
    if attribute_name in ("email", "phone_number"):
        result[f"{attribute_name}_verified"] = "false"
    return result


def event_user_attributes(
    attributes: Mapping[str, str], *, user_status: str | None = "CONFIRMED"
) -> dict[str, str]:
    """`request.userAttributes` as Cognito fills it: the user's attributes (as GetUser lists them)
    plus `cognito:user_status`, which GetUser does not return (a signed-in user is CONFIRMED)."""
    result = {str(k): str(v) for k, v in attributes.items()}
    if user_status:
        result["cognito:user_status"] = user_status
    return result


def build_custom_message_event(
    *,
    region: str,
    user_pool_id: str,
    user_name: str,
    client_id: str,
    user_attributes: Mapping[str, str],
    client_metadata: Mapping[str, str] | None,
    trigger_source: str = VERIFY_USER_ATTRIBUTE,
) -> dict[str, Any]:
    """The event Cognito sends the Custom Message trigger (a fresh dict, JSON-ready)."""
    request: dict[str, Any] = {
        "userAttributes": {str(k): str(v) for k, v in user_attributes.items()},
        "codeParameter": CODE_PLACEHOLDER,
        "usernameParameter": None,
    }
    if client_metadata:
        request["clientMetadata"] = {str(k): str(v) for k, v in client_metadata.items()}
    return {
        "version": EVENT_VERSION,
        "triggerSource": trigger_source,
        "region": region,
        "userPoolId": user_pool_id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": AWS_SDK_VERSION, "clientId": client_id},
        "request": request,
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }


def _check_medium(medium: str) -> str:
    if medium not in MESSAGE_FIELDS:
        raise ValueError(f"medium: expected {EMAIL!r} or {SMS!r}, got {medium!r}")
    return medium


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def validate_custom_message_response(returned_event: object, medium: str | None) -> list[str]:
    """What Cognito would reject in the event the trigger returned (empty when it is usable).

    `medium` (EMAIL or SMS) is how this code is delivered: its message must contain the code
    placeholder and fit the limit. With None, every message that is set is checked. A message left
    null is fine: Cognito then sends the pool's own template.
    """
    media = (_check_medium(medium),) if medium is not None else (EMAIL, SMS)
    if not isinstance(returned_event, dict):
        return [f"The trigger returned {_type_name(returned_event)}, not the event object."]
    response = returned_event.get("response")
    if not isinstance(response, dict):
        if "response" not in returned_event:
            return ["The returned event has no \"response\" object."]
        return [f"The returned event's \"response\" is {_type_name(response)}, not an object."]
    problems = [
        f"response.{name} must be a string or null, not {_type_name(response.get(name))}."
        for name in _RESPONSE_FIELDS
        if response.get(name) is not None and not isinstance(response.get(name), str)
    ]
    for each in media:
        name, limit = MESSAGE_FIELDS[each], _LIMITS[each]
        message = response.get(name)
        if not isinstance(message, str):
            continue
        if CODE_PLACEHOLDER not in message:
            problems.append(f"response.{name} does not contain the code placeholder {CODE_PLACEHOLDER}.")
        if len(message) > limit:
            problems.append(
                f"response.{name} is {len(message):,} characters long; Cognito allows at most {limit:,}."
            )
    return problems


@dataclass(frozen=True)
class RenderedMessage:
    """The message as delivered: `body` None when the trigger left it to the pool's template."""

    subject: str | None
    body: str | None


def render_message(returned_event: object, medium: str, code: str) -> RenderedMessage:
    """The trigger's message for `medium` with the code filled in (subject for email only)."""
    name = MESSAGE_FIELDS[_check_medium(medium)]
    response = returned_event.get("response") if isinstance(returned_event, dict) else None
    if not isinstance(response, dict):
        return RenderedMessage(None, None)
    body = response.get(name)
    subject = response.get("emailSubject") if medium == EMAIL else None
    return RenderedMessage(
        subject if isinstance(subject, str) and subject else None,
        body.replace(CODE_PLACEHOLDER, code) if isinstance(body, str) else None,
    )
