"""Email checks: Cognito's default sender and its daily limit, or SES (identity, sandbox, pause, quota)."""

from __future__ import annotations

from typing import Any

from app.core.preflight.context import PreflightContext, guarded, ses_identity_of
from app.core.preflight.model import (
    EMAIL_COGNITO_DEFAULT_LIMIT,
    EMAIL_SES_IDENTITY,
    EMAIL_SES_QUOTA,
    EMAIL_SES_SANDBOX_RECIPIENT,
    EMAIL_SES_SENDING,
    Check,
    Status,
)

COGNITO_DEFAULT_DAILY = 50
COGNITO_DEFAULT_WARN_AT = 40
_SES_NEXT = "configure Amazon SES for the pool's email (EmailSendingAccount DEVELOPER)"


def email_checks(ctx: PreflightContext) -> list[Check]:
    """The checks for how the pool sends email."""
    config = ctx.pool.get("EmailConfiguration") or {}
    if str(config.get("EmailSendingAccount") or "COGNITO_DEFAULT") != "DEVELOPER":
        return [cognito_default_limit(ctx.email_sends_today)]
    source = ses_identity_of(str(config.get("SourceArn") or ""))
    if source is None:
        return [Check(
            EMAIL_SES_IDENTITY, Status.FAIL,
            "The pool sends with SES (DEVELOPER) but its SourceArn is missing or not an SES identity ARN.",
            "Set the pool's SES identity (SourceArn, e.g. "
            "arn:aws:ses:REGION:ACCOUNT:identity/qa@example.com).",
        )]
    region, identity = source
    return [
        guarded(EMAIL_SES_IDENTITY, lambda: ses_identity(ctx, region, identity)),
        guarded(EMAIL_SES_SANDBOX_RECIPIENT, lambda: ses_sandbox_recipient(ctx, region)),
        guarded(EMAIL_SES_SENDING, lambda: ses_sending(ctx, region)),
        guarded(EMAIL_SES_QUOTA, lambda: ses_quota(ctx, region)),
    ]


def cognito_default_limit(sends_today: int | None) -> Check:
    """COGNITO_DEFAULT: about 50 emails a day for the whole account, and often in spam."""
    spam = "Its mail (from no-reply@verificationemail.com) often lands in spam."
    if sends_today is None:
        return Check(
            EMAIL_COGNITO_DEFAULT_LIMIT, Status.OK,
            f"The pool sends with Cognito's default sender: about {COGNITO_DEFAULT_DAILY} emails a day for "
            f"the whole AWS account (no VerifyDesk history to count today's sends from). {spam}",
            f"If the code does not arrive, look in the spam folder; for heavier testing {_SES_NEXT}.",
        )
    counted = (f"{sends_today} of about {COGNITO_DEFAULT_DAILY} emails today (sent through VerifyDesk "
               "for this pool in the last 24 hours; the limit is per AWS account, so other sends count too).")
    if sends_today >= COGNITO_DEFAULT_DAILY:
        return Check(
            EMAIL_COGNITO_DEFAULT_LIMIT, Status.FAIL,
            f"Cognito's default sender has probably reached its daily limit: {counted}",
            f"Wait a day, or {_SES_NEXT}.",
        )
    status = Status.WARN if sends_today >= COGNITO_DEFAULT_WARN_AT else Status.OK
    return Check(
        EMAIL_COGNITO_DEFAULT_LIMIT, status,
        f"Cognito's default sender: {counted} {spam}",
        f"Look in the spam folder if the code does not arrive; for more than a few dozen a day {_SES_NEXT}.",
    )


def _verified(ctx: PreflightContext, region: str, identities: list[str]) -> dict[str, str]:
    """Identity → SES verification status (NotStarted for identities SES does not know)."""
    answer = ctx.reader.call("ses", region, "GetIdentityVerificationAttributes", Identities=identities)
    known: dict[str, Any] = answer.get("VerificationAttributes") or {}
    return {name: str((known.get(name) or {}).get("VerificationStatus") or "NotStarted")
            for name in identities}


def ses_identity(ctx: PreflightContext, region: str, identity: str) -> Check:
    status = _verified(ctx, region, [identity])[identity]
    if status == "Success":
        return Check(EMAIL_SES_IDENTITY, Status.OK,
                     f"The SES identity {identity} is verified for sending in {region}.")
    how = (f"`aws ses verify-email-identity --email-address {identity} --region {region}`" if "@" in identity
           else "the DNS records SES gives for the domain")
    return Check(
        EMAIL_SES_IDENTITY, Status.FAIL,
        f"The pool's SES identity {identity} is not verified for sending in {region} (status {status}): "
        "Cognito cannot send from it.",
        f"Verify {identity} in the SES console ({region}), e.g. with {how}.",
    )


def _account(ctx: PreflightContext, region: str) -> dict[str, Any]:
    return ctx.reader.call("sesv2", region, "GetAccount")


def ses_sandbox_recipient(ctx: PreflightContext, region: str) -> Check:
    if _account(ctx, region).get("ProductionAccessEnabled"):
        return Check(EMAIL_SES_SANDBOX_RECIPIENT, Status.OK,
                     f"The SES account is out of the sandbox in {region}: any address can receive.")
    sandbox = f"The SES account is in the sandbox in {region}: it delivers only to verified addresses"
    request = "or request SES production access"
    destination = ctx.destination
    if destination is None or "@" not in destination:
        return Check(EMAIL_SES_SANDBOX_RECIPIENT, Status.WARN, f"{sandbox}; no address to check.",
                     f"Verify the recipient's address in SES ({region}), {request}.")
    domain = destination.rsplit("@", 1)[1].lower()
    statuses = _verified(ctx, region, [destination, domain])
    if "Success" in statuses.values():
        return Check(EMAIL_SES_SANDBOX_RECIPIENT, Status.OK, f"{sandbox}, and {destination} is one.")
    return Check(
        EMAIL_SES_SANDBOX_RECIPIENT, Status.FAIL,
        f"{sandbox}, and {destination} is not one: the send fails with CodeDeliveryFailureException "
        "(\"Email address is not verified\").",
        f"Verify {destination} in SES ({region}) and click the link SES mails to it, {request}.",
    )


def ses_sending(ctx: PreflightContext, region: str) -> Check:
    account = _account(ctx, region)
    enforcement = str(account.get("EnforcementStatus") or "HEALTHY")
    if account.get("SendingEnabled") is False:
        return Check(
            EMAIL_SES_SENDING, Status.FAIL,
            f"Email sending is paused for the SES account in {region} (enforcement status {enforcement}).",
            "See the SES console's reputation dashboard; resume sending when the cause is fixed.",
        )
    if enforcement not in ("HEALTHY", ""):
        return Check(EMAIL_SES_SENDING, Status.WARN,
                     f"SES sending is enabled in {region}, but the account is under review ({enforcement}).",
                     "See the SES console's reputation dashboard before sending in bulk.")
    return Check(EMAIL_SES_SENDING, Status.OK, f"SES sending is enabled in {region}.")


def ses_quota(ctx: PreflightContext, region: str) -> Check:
    quota = _account(ctx, region).get("SendQuota") or {}
    maximum = float(quota.get("Max24HourSend") or 0)
    sent = float(quota.get("SentLast24Hours") or 0)
    if maximum < 0:
        return Check(EMAIL_SES_QUOTA, Status.OK, f"The SES sending quota in {region} is unlimited.")
    left = maximum - sent
    figures = f"{sent:g} of {maximum:g} emails sent in the last 24 hours in {region}, {max(left, 0):g} left."
    if left <= 0:
        return Check(EMAIL_SES_QUOTA, Status.FAIL, f"The SES 24-hour quota is used up: {figures}",
                     "Wait for the 24-hour window to move on, or ask AWS for a higher quota.")
    if left < max(5.0, maximum * 0.1):
        return Check(EMAIL_SES_QUOTA, Status.WARN, f"The SES 24-hour quota is nearly used up: {figures}",
                     "Send sparingly, or ask AWS for a higher quota.")
    return Check(EMAIL_SES_QUOTA, Status.OK, f"SES quota: {figures}")
