"""One preflight run: describe the pool, then every check for the attribute's medium, in order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.pool_admin import AdminAccess
from app.core.preflight.attribute import attribute_checks
from app.core.preflight.aws import AwsReader, BlockedCallError
from app.core.preflight.context import EMAIL, SMS, PreflightContext
from app.core.preflight.email import email_checks
from app.core.preflight.messages import message_checks
from app.core.preflight.model import POOL_DESCRIBE, Check, Status
from app.core.preflight.sms import sms_checks


@dataclass(frozen=True)
class PreflightRequest:
    """What to check: the pool (through the admin access), the attribute, what is known of the user."""

    access: AdminAccess
    user_pool_id: str
    attribute_name: str | None = None
    user_attributes: Mapping[str, str] | None = None
    """GetUser's (or AdminGetUser's) attributes; None when the user could not be read."""
    user_problem: str | None = None
    """Why `user_attributes` is None, in a sentence."""
    email_sends_today: int | None = None
    """Email sends for this pool in the last 24 hours, from VerifyDesk's history."""


def _pool_unknown(blocked: BlockedCallError) -> Check:
    if blocked.code == "ResourceNotFoundException":
        return Check(POOL_DESCRIBE, Status.FAIL, f"The user pool does not exist: {blocked.message}",
                     "Check the profile's user pool id and region.")
    return Check(
        POOL_DESCRIBE, Status.UNKNOWN,
        f"{blocked.message} Without the pool's description its email, SMS, template and trigger checks "
        "could not run.",
        blocked.next_step,
    )


def run_preflight(request: PreflightRequest, *, reader: AwsReader | None = None) -> list[Check]:
    """Every check for `request`, in display order; blocking (run it off the UI thread), never raises
    for an AWS failure: a call that failed is an `unknown` check saying why."""
    reader = reader or AwsReader(request.access)
    region = request.access.region
    try:
        pool = reader.call("cognito-idp", region, "DescribeUserPool", UserPoolId=request.user_pool_id)
    except BlockedCallError as blocked:
        pool_check = _pool_unknown(blocked)
        pool_description = None
    else:
        pool_description = dict(pool.get("UserPool") or {})
    ctx = PreflightContext(
        reader=reader, region=region, user_pool_id=request.user_pool_id, pool=pool_description or {},
        attribute_name=request.attribute_name, user_attributes=request.user_attributes,
        user_problem=request.user_problem, email_sends_today=request.email_sends_today,
    )
    checks = attribute_checks(ctx)
    if pool_description is None:
        return [pool_check, *checks]
    if EMAIL in ctx.media:
        checks += email_checks(ctx)
    if SMS in ctx.media:
        checks += sms_checks(ctx)
    return checks + message_checks(ctx)
