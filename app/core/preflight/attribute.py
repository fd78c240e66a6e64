"""Checks on the user's attribute: it has a value, a phone number is E.164, and whether it is verified."""

from __future__ import annotations

from app.core.errors import VERIFIABLE_ATTRIBUTES
from app.core.preflight.context import PreflightContext
from app.core.preflight.model import (
    ATTRIBUTE_PHONE_FORMAT,
    ATTRIBUTE_PRESENT,
    ATTRIBUTE_VERIFIED,
    Check,
    Status,
)
from app.core.validation import is_e164


def attribute_checks(ctx: PreflightContext) -> list[Check]:
    name = ctx.attribute_name
    if name is None:
        return []
    if name not in VERIFIABLE_ATTRIBUTES:
        return [Check(ATTRIBUTE_PRESENT, Status.FAIL,
                      f"{name!r} cannot be verified: only phone_number and email can.",
                      "Choose email or phone_number.")]
    if ctx.user_attributes is None:
        why = ctx.user_problem or "The user's attributes could not be read."
        return [Check(ATTRIBUTE_PRESENT, Status.UNKNOWN, why, "Sign in (or name the user) and run it again.")]
    value = ctx.destination
    if value is None:
        return [Check(ATTRIBUTE_PRESENT, Status.FAIL,
                      f"The user has no {name}: there is nowhere to send a code.",
                      f"Set the user's {name} first (UpdateUserAttributes or AdminUpdateUserAttributes).")]
    checks = [Check(ATTRIBUTE_PRESENT, Status.OK, f"The user's {name} is {value}.")]
    if name == "phone_number":
        if is_e164(value):
            checks.append(Check(ATTRIBUTE_PHONE_FORMAT, Status.OK, f"{value} is in E.164 form."))
        else:
            checks.append(Check(
                ATTRIBUTE_PHONE_FORMAT, Status.FAIL,
                f"{value!r} is not an E.164 number (+, country code, number, no spaces): "
                "SMS cannot go to it.",
                "Store the number as e.g. +447700900123.",
            ))
    if (ctx.user_attributes.get(f"{name}_verified") or "").lower() == "true":
        checks.append(Check(ATTRIBUTE_VERIFIED, Status.OK,
                            f"The user's {name} is already verified; a new code can still be requested."))
    return checks
