"""GetUserAttributeVerificationCode and VerifyUserAttribute, which moto lacks, following AWS.

A code is six digits, one per user and attribute (a new one replaces the old), valid 24 hours;
verifying it sets `<attribute>_verified` to true. Errors carry Cognito's codes and messages.
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


def _verifiable_value(user: Any, attribute: str) -> str:
    if attribute not in VERIFIABLE:
        raise invalid_parameter(INVALID_ATTRIBUTE)
    value = user.attribute_lookup.get(attribute)
    if not value:
        raise invalid_parameter(f"The user has no value for the attribute {attribute} to verify.")
    return str(value)


def get_code(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    """Send a code for `AttributeName` of the token's user; returns CodeDeliveryDetails."""
    shapes.validate(params, (shapes.ACCESS_TOKEN, shapes.ATTRIBUTE_NAME), metadata=True)
    user, client_id = access.resolve(state, params["AccessToken"])
    attribute = str(params["AttributeName"])
    value = _verifiable_value(user, attribute)
    metadata = params.get("ClientMetadata") or None
    medium = medium_for(attribute)
    code = new_code()
    try:
        message = custom_message.compose(
            state, user=user, client_id=client_id, attribute=attribute, medium=medium, code=code,
            client_metadata=metadata,
        )
    except ApiError as error:
        state.inbox.deliver(
            username=user.username, attribute=attribute, destination=value, code=code, subject=None,
            message="", purpose=PURPOSE_VERIFY_ATTRIBUTE, client_metadata=metadata,
            trigger_error=f"{error.code}: {error.message}",
        )
        raise
    with state.lock:
        state.codes[(user.username, attribute)] = PendingCode(
            code=code, value=value, expires_at=time.time() + VERIFICATION_CODE_TTL_S
        )
    state.inbox.deliver(
        username=user.username, attribute=attribute, destination=value, code=code, subject=message.subject,
        message=message.body, purpose=PURPOSE_VERIFY_ATTRIBUTE, client_metadata=metadata,
    )
    return {"CodeDeliveryDetails": {
        "Destination": mask(attribute, value), "DeliveryMedium": medium, "AttributeName": attribute,
    }}


def verify(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    """Check `Code` for `AttributeName`; on success the attribute is verified."""
    shapes.validate(params, (shapes.ACCESS_TOKEN, shapes.ATTRIBUTE_NAME, shapes.CODE))
    user, _ = access.resolve(state, params["AccessToken"])
    attribute = str(params["AttributeName"])
    value = _verifiable_value(user, attribute)
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
        user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])
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
