"""What a preflight check reports, the stable check ids, and their order for display."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal


class Status(StrEnum):
    """How a check came out; `unknown` means it could not be checked (and says why)."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"


# Stable ids, documented in the README ("Delivery preflight"); never rename one.
EMAIL_COGNITO_DEFAULT_LIMIT = "email.cognito_default_limit"
EMAIL_SES_IDENTITY = "email.ses_identity"
EMAIL_SES_SANDBOX_RECIPIENT = "email.ses_sandbox_recipient"
EMAIL_SES_SENDING = "email.ses_sending_enabled"
EMAIL_SES_QUOTA = "email.ses_quota"
SMS_CONFIGURATION = "sms.configuration"
SMS_SANDBOX_NUMBER = "sms.sandbox_number"
SMS_SPEND_LIMIT = "sms.spend_limit"
TEMPLATE_CODE_PLACEHOLDER = "template.code_placeholder"
TEMPLATE_LENGTH = "template.length"
TRIGGER_CUSTOM_MESSAGE = "trigger.custom_message"
TRIGGER_CUSTOM_SENDER = "trigger.custom_sender"
ATTRIBUTE_PRESENT = "attribute.present"
ATTRIBUTE_PHONE_FORMAT = "attribute.phone_format"
ATTRIBUTE_VERIFIED = "attribute.already_verified"
POOL_DESCRIBE = "pool.describe"

CHECK_IDS = (
    POOL_DESCRIBE, ATTRIBUTE_PRESENT, ATTRIBUTE_PHONE_FORMAT, ATTRIBUTE_VERIFIED,
    EMAIL_COGNITO_DEFAULT_LIMIT, EMAIL_SES_IDENTITY, EMAIL_SES_SANDBOX_RECIPIENT, EMAIL_SES_SENDING,
    EMAIL_SES_QUOTA, SMS_CONFIGURATION, SMS_SANDBOX_NUMBER, SMS_SPEND_LIMIT, TEMPLATE_CODE_PLACEHOLDER,
    TEMPLATE_LENGTH, TRIGGER_CUSTOM_MESSAGE, TRIGGER_CUSTOM_SENDER,
)


@dataclass(frozen=True)
class Check:
    """One check's result: a stable id, its status, what was found, and what to do about it."""

    id: str
    status: Status
    message: str
    next_step: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: {"id", "status", "message", "next_step"}."""
        return {"id": self.id, "status": self.status.value, "message": self.message,
                "next_step": self.next_step}


Situation = Literal["delivery_failure", "no_code"]
"""After a send: Cognito answered CodeDeliveryFailureException, or the code never arrived."""

_STATUS_RANK = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.WARN: 2, Status.OK: 3}
# Within one status, the causes most likely behind each situation come first.
_LIKELY: Mapping[Situation, tuple[str, ...]] = {
    "delivery_failure": (
        EMAIL_SES_SANDBOX_RECIPIENT, EMAIL_SES_IDENTITY, EMAIL_SES_SENDING, EMAIL_SES_QUOTA,
        SMS_CONFIGURATION, SMS_SANDBOX_NUMBER, SMS_SPEND_LIMIT, ATTRIBUTE_PRESENT, ATTRIBUTE_PHONE_FORMAT,
        EMAIL_COGNITO_DEFAULT_LIMIT,
    ),
    "no_code": (
        TRIGGER_CUSTOM_SENDER, EMAIL_COGNITO_DEFAULT_LIMIT, TEMPLATE_CODE_PLACEHOLDER, TRIGGER_CUSTOM_MESSAGE,
        SMS_SANDBOX_NUMBER, SMS_SPEND_LIMIT, EMAIL_SES_SANDBOX_RECIPIENT, EMAIL_SES_QUOTA, EMAIL_SES_SENDING,
        TEMPLATE_LENGTH,
    ),
}


def order_for_failure(checks: Iterable[Check], situation: Situation) -> list[Check]:
    """The checks to show after a failed or silent delivery: failing first, then the ones that could
    not be checked, then warnings, then the rest; within each, the likeliest causes of `situation`
    first, otherwise in the order they were run."""
    likely = _LIKELY[situation]
    ranked = list(enumerate(checks))

    def key(item: tuple[int, Check]) -> tuple[int, int, int]:
        position, check = item
        relevance = likely.index(check.id) if check.id in likely else len(likely)
        return _STATUS_RANK[check.status], relevance, position

    return [check for _, check in sorted(ranked, key=key)]


def worst(checks: Iterable[Check]) -> Status:
    """The most serious status among `checks` (OK when there are none)."""
    statuses = {check.status for check in checks}
    return min(statuses, key=lambda status: _STATUS_RANK[status], default=Status.OK)
