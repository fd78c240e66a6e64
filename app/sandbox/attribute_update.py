"""UpdateUserAttributes as Cognito documents it (moto overwrites the value, sends no code and ignores
ClientMetadata).

- An attribute the pool's schema lacks, an immutable one, or a verified flag the user may not write is
  refused; an email or phone number that does not look like one too. A blank value deletes the attribute.
- A changed `email` or `phone_number` in the pool's AttributesRequireVerificationBeforeUpdate
  (UserAttributeUpdateSettings) waits as a pending value: GetUser keeps the original and its verified
  flag until the code sent to the new value is verified. Otherwise the new value is active at once,
  unverified.
- Either way, for an attribute the pool verifies automatically (AutoVerifiedAttributes), a code goes to
  the new value: inbox, and the Custom Message trigger with `CustomMessage_UpdateUserAttribute` and the
  request's ClientMetadata. The event's `userAttributes` show the new value (unverified), the one the
  message is about. The response lists each delivery in CodeDeliveryDetailsList.
- Other writable attributes change at once, with no code.
"""

from __future__ import annotations

import re
from typing import Any

from app.core.trigger_event import UPDATE_USER_ATTRIBUTE, updated_user_attributes
from app.sandbox import access, shapes
from app.sandbox.inbox import PURPOSE_UPDATE_ATTRIBUTE
from app.sandbox.state import SandboxState
from app.sandbox.verification import VERIFIABLE, deliver_code
from app.sandbox.wire import invalid_parameter, not_authorized

UPDATE_SETTINGS_KEY = "UserAttributeUpdateSettings"
REQUIRE_KEY = "AttributesRequireVerificationBeforeUpdate"
UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"
INVALID_EMAIL = "Invalid email address format."
INVALID_PHONE = "Invalid phone number format."
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+[0-9]{2,15}")
_USER_WRITES_NEVER = frozenset({"email_verified", "phone_number_verified"})


def keep_original(state: SandboxState) -> tuple[str, ...]:
    """The attributes whose original value the pool keeps until the new one is verified."""
    settings = state.pool.extended_config.get(UPDATE_SETTINGS_KEY) or {}
    return tuple(settings.get(REQUIRE_KEY) or ())


def set_keep_original(state: SandboxState, attributes: list[str]) -> tuple[str, ...]:
    """Set the pool's AttributesRequireVerificationBeforeUpdate (as DescribeUserPool reports it)."""
    bad = [name for name in attributes if name not in VERIFIABLE]
    if bad:
        raise ValueError(f"only email and phone_number can keep their original value, not {bad[0]!r}")
    chosen = [name for name in VERIFIABLE if name in attributes]
    with state.lock:
        state.pool.extended_config[UPDATE_SETTINGS_KEY] = {REQUIRE_KEY: chosen}
    return tuple(chosen)


def pending_values(state: SandboxState, username: str) -> dict[str, str]:
    """The user's new values waiting for their code."""
    with state.lock:
        return {attr: value for (name, attr), value in state.pending_values.items() if name == username}


def _schema_problem(state: SandboxState, name: str) -> str | None:
    schema = state.pool.schema_attributes
    attribute = schema.get(name)
    if attribute is None:
        return f"user.{name}: Attribute does not exist in the schema."
    if not getattr(attribute, "mutable", True):
        return f"user.{name}: Attribute cannot be updated. (changing an immutable attribute)"
    return None


def _check(state: SandboxState, changes: list[tuple[str, str]]) -> None:
    """Refuse the whole request as Cognito does: unwritable, unknown, then malformed values."""
    if any(name in _USER_WRITES_NEVER or name.startswith("dev:") for name, _ in changes):
        raise not_authorized(UNAUTHORIZED_WRITE)
    problems = [p for p in (_schema_problem(state, name) for name, _ in changes) if p]
    if problems:
        raise invalid_parameter("Invalid user attributes: " + "\n".join(problems) + "\n")
    for name, value in changes:
        if name == "email" and value and not _EMAIL.fullmatch(value):
            raise invalid_parameter(INVALID_EMAIL)
        if name == "phone_number" and value and not _PHONE.fullmatch(value):
            raise invalid_parameter(INVALID_PHONE)
    required = [name for name, value in changes if not value and state.pool.schema_attributes[name].required]
    if required:
        raise invalid_parameter(f"Invalid user attributes: user.{required[0]}: The attribute is required.\n")


def _apply(state: SandboxState, user: Any, name: str, value: str) -> bool:
    """Change one attribute; True when a new email/phone value now needs its code."""
    key = (user.username, name)
    active = user.attribute_lookup.get(name)
    if name not in VERIFIABLE:
        if value:
            user.update_attributes([{"Name": name, "Value": value}])
        elif name in user.attribute_lookup:
            user.delete_attributes([name])
        return False
    with state.lock:
        if not value:
            state.pending_values.pop(key, None)
            present = [n for n in (name, f"{name}_verified") if n in user.attribute_lookup]
            if present:
                user.delete_attributes(present)
            return False
        if value == active:
            state.pending_values.pop(key, None)  # back to the original: nothing waits any more
            return False
        if name in keep_original(state) and active:
            state.pending_values[key] = value
        else:
            state.pending_values.pop(key, None)
            user.update_attributes([
                {"Name": name, "Value": value}, {"Name": f"{name}_verified", "Value": "false"},
            ])
    return True


def update(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserAttributes for the token's user; returns CodeDeliveryDetailsList."""
    shapes.validate(params, (shapes.access_token(),), metadata=True, user_attributes=True)
    user, client_id = access.resolve(state, params["AccessToken"])
    changes = [(str(item["Name"]), str(item.get("Value") or "")) for item in params["UserAttributes"]]
    _check(state, changes)
    needs_code = [(name, value) for name, value in changes if _apply(state, user, name, value)]
    auto_verified = set(state.pool.extended_config.get("AutoVerifiedAttributes") or ())
    metadata = params.get("ClientMetadata") or None
    deliveries = []
    for name, value in needs_code:
        if name not in auto_verified:
            continue
        shown = updated_user_attributes(user.attribute_lookup, name, value)
        deliveries.append(deliver_code(
            state, user, client_id, name, value, metadata=metadata, purpose=PURPOSE_UPDATE_ATTRIBUTE,
            trigger_source=UPDATE_USER_ATTRIBUTE, event_attributes=shown,
        ))
    return {"CodeDeliveryDetailsList": deliveries}
