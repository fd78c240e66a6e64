"""Message checks: the verification template, the Custom Message trigger and custom sender triggers."""

from __future__ import annotations

from app.core.pool_admin import parse_lambda_arn
from app.core.preflight.aws import BlockedCallError
from app.core.preflight.context import CODE_PLACEHOLDER, EMAIL, SMS, PreflightContext, unknown
from app.core.preflight.model import (
    TEMPLATE_CODE_PLACEHOLDER,
    TEMPLATE_LENGTH,
    TRIGGER_CUSTOM_MESSAGE,
    TRIGGER_CUSTOM_SENDER,
    Check,
    Status,
)

EMAIL_LENGTH = (6, 20_000)
SMS_LENGTH = (6, 140)
_SENDERS = {EMAIL: ("CustomEmailSender", "email"), SMS: ("CustomSMSSender", "SMS")}


def _templates(ctx: PreflightContext) -> dict[str, str]:
    """Medium → the pool's own verification message, for the media checked (absent: Cognito's default)."""
    template = ctx.pool.get("VerificationMessageTemplate") or {}
    found = {
        EMAIL: template.get("EmailMessage") or ctx.pool.get("EmailVerificationMessage"),
        SMS: template.get("SmsMessage") or ctx.pool.get("SmsVerificationMessage"),
    }
    return {medium: str(text) for medium, text in found.items() if text and medium in ctx.media}


def message_checks(ctx: PreflightContext) -> list[Check]:
    return [code_placeholder(ctx), template_length(ctx), custom_message(ctx), custom_sender(ctx)]


def code_placeholder(ctx: PreflightContext) -> Check:
    templates = _templates(ctx)
    overridden = (" The Custom Message trigger's response replaces this template; its messages need "
                  f"{CODE_PLACEHOLDER} too." if "CustomMessage" in ctx.triggers else "")
    missing = [medium.lower() if medium == EMAIL else medium for medium, text in templates.items()
               if CODE_PLACEHOLDER not in text]
    if missing:
        which = f"{' and '.join(missing)} verification message{'s have' if len(missing) > 1 else ' has'}"
        return Check(
            TEMPLATE_CODE_PLACEHOLDER, Status.FAIL,
            f"The pool's {which} no {CODE_PLACEHOLDER}: the code is not in the message.{overridden}",
            f"Put {CODE_PLACEHOLDER} in the pool's verification message template (Messaging → Message "
            "templates).",
        )
    said = ("The pool's verification message has the code placeholder." if templates
            else "The pool uses Cognito's default verification message, which has the code.")
    return Check(TEMPLATE_CODE_PLACEHOLDER, Status.OK, said + overridden)


def template_length(ctx: PreflightContext) -> Check:
    problems: list[str] = []
    for medium, text in _templates(ctx).items():
        low, high = EMAIL_LENGTH if medium == EMAIL else SMS_LENGTH
        if not low <= len(text) <= high:
            problems.append(f"the {medium.lower() if medium == EMAIL else medium} message has {len(text)} "
                            f"characters (allowed {low:,}–{high:,})")
    if problems:
        return Check(TEMPLATE_LENGTH, Status.FAIL, "In the pool's template " + "; ".join(problems) + ".",
                     "Shorten or lengthen the message template to fit.")
    return Check(TEMPLATE_LENGTH, Status.OK,
                 "The verification messages fit Cognito's lengths (email 6–20,000, SMS 6–140 characters).")


def custom_message(ctx: PreflightContext) -> Check:
    arn = ctx.triggers.get("CustomMessage")
    if arn is None:
        return Check(TRIGGER_CUSTOM_MESSAGE, Status.OK,
                     "No Custom Message trigger: the pool's own template is sent.")
    ref = parse_lambda_arn(arn)
    overrides = f"A Custom Message trigger ({arn}) overrides the template: its response is the message"
    if ref is None:
        return Check(TRIGGER_CUSTOM_MESSAGE, Status.WARN,
                     f"{overrides}; its ARN is not one VerifyDesk can read.")
    try:
        ctx.reader.call("lambda", ref.region, "GetFunction", FunctionName=arn)
    except BlockedCallError as blocked:
        if blocked.code != "ResourceNotFoundException":
            return unknown(TRIGGER_CUSTOM_MESSAGE, blocked)
        return Check(
            TRIGGER_CUSTOM_MESSAGE, Status.FAIL,
            f"{overrides}, but the function {ref.function_name} does not exist in {ref.region}: the send "
            "fails (UnexpectedLambdaException).",
            "Deploy the function, or point the pool's Custom Message trigger at one that exists.",
        )
    return Check(TRIGGER_CUSTOM_MESSAGE, Status.OK, f"{overrides}; the function {ref.function_name} exists.",
                 f"Its emailMessage and smsMessage must contain {CODE_PLACEHOLDER}.")


def custom_sender(ctx: PreflightContext) -> Check:
    for medium in ctx.media:
        key, media = _SENDERS[medium]
        arn = ctx.triggers.get(key)
        if arn is not None:
            function = parse_lambda_arn(arn)
            name = function.function_name if function else arn
            return Check(
                TRIGGER_CUSTOM_SENDER, Status.WARN,
                f"A Custom {media.capitalize() if media == 'email' else media} Sender trigger ({name}) "
                f"delivers the {media} messages: Cognito hands it the code encrypted with KMS, and the code "
                "will not come from Cognito's sender at all.",
                f"Look for the code where {name} delivers it (its log group /aws/lambda/{name} says what "
                "it did).",
            )
    return Check(TRIGGER_CUSTOM_SENDER, Status.OK,
                 "No custom sender trigger: Cognito delivers the code itself.")
