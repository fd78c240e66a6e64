"""GetUserAttributeVerificationCode and VerifyUserAttribute, which moto lacks, following AWS.

A code is six digits, one per user and attribute (a new one replaces the old), valid 24 hours;
verifying it sets `<attribute>_verified` to true. Where the pool keeps the original value of a changed
email or phone number, the code goes to the new (pending) value and verifying it applies that value.
A user may request `state.code_rate.max_codes` codes in `window_s` (default 5 an hour); one more is
LimitExceededException. Only requests count: the codes UpdateUserAttributes sends do not (its
documented errors have no LimitExceededException). Errors carry Cognito's codes and messages.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from app.sandbox import access, custom_message, shapes
from app.sandbox.inbox import PURPOSE_VERIFY_ATTRIBUTE, mask, medium_for
from app.sandbox.state import MAX_WRONG_CODES, VERIFICATION_CODE_TTL_S, PendingCode, SandboxState
from app.sandbox.wire import ApiError, invalid_parameter

VERIFIABLE = ("email", "phone_number")
INVALID_ATTRIBUTE = "Invalid attribute name. Only phone_number and email can be verified."
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."
TOO_MANY_ATTEMPTS = "Attempt limit exceeded, please try after some time."


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def code_target(state: SandboxState, user: Any, attribute: str) -> str:
    """The value a code for `attribute` is about: the pending new value, else the user's value."""
    if attribute not in VERIFIABLE:
        raise invalid_parameter(INVALID_ATTRIBUTE)
    with state.lock:
        pending = state.pending_values.get((user.username, attribute))
    value = pending or user.attribute_lookup.get(attribute)
    if not value:
        raise invalid_parameter(f"The user has no value for the attribute {attribute} to verify.")
    return str(value)


def _take_rate(state: SandboxState, username: str) -> None:
    """Count one code request of the user; LimitExceededException beyond the configured rate."""
    now = time.monotonic()
    with state.lock:
        rate = state.code_rate
        if rate.max_codes is None:
            return
        recent = [t for t in state.code_requests.get(username, []) if t > now - rate.window_s]
        if len(recent) >= rate.max_codes:
            state.code_requests[username] = recent
            raise ApiError("LimitExceededException", TOO_MANY_ATTEMPTS)
        state.code_requests[username] = [*recent, now]


def deliver_code(
    state: SandboxState, user: Any, client_id: str, attribute: str, value: str, *,
    metadata: dict[str, str] | None, purpose: str, trigger_source: str | None = None,
    event_attributes: dict[str, str] | None = None,
) -> dict[str, str]:
    """Make a code for `value`, compose its message (trigger or template), put it in the inbox and
    remember it; returns the CodeDeliveryDetails. A failing trigger delivers nothing (ApiError)."""
    medium = medium_for(attribute)
    code = new_code()
    try:
        message = custom_message.compose(
            state, user=user, client_id=client_id, attribute=attribute, medium=medium, code=code,
            client_metadata=metadata, trigger_source=trigger_source, user_attributes=event_attributes,
        )
    except ApiError as error:
        state.inbox.deliver(
            username=user.username, attribute=attribute, destination=value, code=code, subject=None,
            message="", purpose=purpose, client_metadata=metadata,
            trigger_error=f"{error.code}: {error.message}",
        )
        raise
    with state.lock:
        state.codes[(user.username, attribute)] = PendingCode(
            code=code, value=value, expires_at=time.time() + VERIFICATION_CODE_TTL_S
        )
    state.inbox.deliver(
        username=user.username, attribute=attribute, destination=value, code=code, subject=message.subject,
        message=message.body, purpose=purpose, client_metadata=metadata,
    )
    return {"Destination": mask(attribute, value), "DeliveryMedium": medium, "AttributeName": attribute}


def get_code(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    """Send a code for `AttributeName` of the token's user; returns CodeDeliveryDetails."""
    shapes.validate(params, (shapes.access_token(), shapes.attribute_name()), metadata=True)
    user, client_id = access.resolve(state, params["AccessToken"])
    attribute = str(params["AttributeName"])
    value = code_target(state, user, attribute)
    _take_rate(state, user.username)
    details = deliver_code(
        state, user, client_id, attribute, value, metadata=params.get("ClientMetadata") or None,
        purpose=PURPOSE_VERIFY_ATTRIBUTE,
    )
    return {"CodeDeliveryDetails": details}


def verify(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    """Check `Code` for `AttributeName`; on success the attribute (its pending value, if any) is verified."""
    shapes.validate(params, (shapes.access_token(), shapes.attribute_name(), shapes.code()))
    user, _ = access.resolve(state, params["AccessToken"])
    attribute = str(params["AttributeName"])
    value = code_target(state, user, attribute)
    key = (user.username, attribute)
    with state.lock:
        pending = state.codes.get(key)
        if pending is None:
            raise ApiError("CodeMismatchException", CODE_MISMATCH)
        if pending.consumed or pending.expires_at <= time.time() or pending.value != value:
            raise ApiError("ExpiredCodeException", CODE_EXPIRED)
        if not secrets.compare_digest(pending.code, str(params["Code"])):
            pending.wrong_attempts += 1
            if pending.wrong_attempts >= MAX_WRONG_CODES:
                pending.consumed = True
                raise ApiError("LimitExceededException", TOO_MANY_ATTEMPTS)
            raise ApiError("CodeMismatchException", CODE_MISMATCH)
        pending.consumed = True
        state.pending_values.pop(key, None)
        user.update_attributes([{"Name": attribute, "Value": value},
                                {"Name": f"{attribute}_verified", "Value": "true"}])
    return {}


def expire_codes(state: SandboxState, username: str, attribute: str | None = None) -> int:
    """Make the user's pending codes expired (for testing ExpiredCodeException)."""
    user = state.user(username)
    if user is None:
        raise KeyError(username)
    with state.lock:
        found = [
            pending for (name, attr), pending in state.codes.items()
            if name == user.username and (attribute is None or attr == attribute) and not pending.consumed
        ]
        for pending in found:
            pending.expires_at = 0.0
    return len(found)
