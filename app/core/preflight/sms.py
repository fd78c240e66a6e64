"""SMS checks: the pool's SmsConfiguration, the SNS SMS sandbox and the monthly spend limit."""

from __future__ import annotations

from typing import Any

from app.core.preflight.context import PreflightContext, guarded
from app.core.preflight.model import SMS_CONFIGURATION, SMS_SANDBOX_NUMBER, SMS_SPEND_LIMIT, Check, Status

DEFAULT_SPEND_LIMIT_USD = 1.0  # what SNS allows a new account each month
_MAX_PAGES = 20


def sms_region(ctx: PreflightContext) -> str:
    config = ctx.pool.get("SmsConfiguration") or {}
    return str(config.get("SnsRegion") or ctx.region)


def sms_checks(ctx: PreflightContext) -> list[Check]:
    """The checks for how the pool sends SMS."""
    region = sms_region(ctx)
    return [
        sms_configuration(ctx),
        guarded(SMS_SANDBOX_NUMBER, lambda: sandbox_number(ctx, region)),
        guarded(SMS_SPEND_LIMIT, lambda: spend_limit(ctx, region)),
    ]


def sms_configuration(ctx: PreflightContext) -> Check:
    config = ctx.pool.get("SmsConfiguration") or {}
    role = config.get("SnsCallerArn")
    if role:
        return Check(SMS_CONFIGURATION, Status.OK,
                     f"The pool sends SMS through SNS in {sms_region(ctx)} with the role {role}.")
    # A fail for a phone number; for an email-only run it only warns about phone codes.
    status = Status.FAIL if ctx.attribute_name == "phone_number" else Status.WARN
    return Check(
        SMS_CONFIGURATION, status,
        "The pool has no SMS configuration: Cognito cannot send a code to a phone number.",
        "Add an SMS configuration to the pool (Messaging → SMS: an IAM role Cognito uses to publish "
        "through SNS).",
    )


def _sandbox_numbers(ctx: PreflightContext, region: str) -> dict[str, str]:
    numbers: dict[str, str] = {}
    params: dict[str, Any] = {}
    for _ in range(_MAX_PAGES):
        page = ctx.reader.call("sns", region, "ListSMSSandboxPhoneNumbers", **params)
        for entry in page.get("PhoneNumbers") or ():
            numbers[str(entry.get("PhoneNumber"))] = str(entry.get("Status") or "")
        token = page.get("NextToken")
        if not token:
            break
        params = {"NextToken": token}
    return numbers


def sandbox_number(ctx: PreflightContext, region: str) -> Check:
    status = ctx.reader.call("sns", region, "GetSMSSandboxAccountStatus")
    if not status.get("IsInSandbox"):
        return Check(SMS_SANDBOX_NUMBER, Status.OK,
                     f"The account is out of the SNS SMS sandbox in {region}: any number can receive.")
    sandbox = f"The account is in the SNS SMS sandbox in {region}: it delivers only to its verified numbers"
    add = f"Add the number in SNS ({region}) → Text messaging → Sandbox destination phone numbers"
    number = ctx.destination if ctx.attribute_name == "phone_number" else None
    if number is None:
        return Check(SMS_SANDBOX_NUMBER, Status.WARN, f"{sandbox}; no number to check.",
                     f"{add}, or move the account out of the SMS sandbox.")
    verification = _sandbox_numbers(ctx, region).get(number)
    if verification == "Verified":
        return Check(SMS_SANDBOX_NUMBER, Status.OK, f"{sandbox}, and {number} is one.")
    state = "is still pending verification" if verification == "Pending" else "is not one of them"
    return Check(
        SMS_SANDBOX_NUMBER, Status.FAIL, f"{sandbox}, and {number} {state}: no SMS will arrive.",
        f"{add} and enter the code SNS texts to it, or move the account out of the SMS sandbox.",
    )


def spend_limit(ctx: PreflightContext, region: str) -> Check:
    answer = ctx.reader.call("sns", region, "GetSMSAttributes", attributes=["MonthlySpendLimit"])
    raw = (answer.get("attributes") or {}).get("MonthlySpendLimit")
    try:
        limit = float(raw) if raw not in (None, "") else DEFAULT_SPEND_LIMIT_USD
    except ValueError:
        limit = DEFAULT_SPEND_LIMIT_USD
    said = f"The monthly SMS spend limit in {region} is {limit:g} USD"
    stops = "once it is spent, SNS stops sending for the rest of the month"
    if limit <= DEFAULT_SPEND_LIMIT_USD:
        return Check(
            SMS_SPEND_LIMIT, Status.WARN, f"{said} (AWS's default for new accounts): {stops}.",
            "Check this month's SMS spend (CloudWatch metric SMSMonthToDateSpentUSD) and raise the limit "
            "through an AWS support case if needed.",
        )
    return Check(SMS_SPEND_LIMIT, Status.OK, f"{said}; {stops}.")
