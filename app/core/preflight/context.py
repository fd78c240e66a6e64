"""What one preflight run knows: the pool's description, the user's attributes, the AWS reader."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.preflight.aws import AwsReader, BlockedCallError
from app.core.preflight.model import Check, Status

EMAIL = "EMAIL"
SMS = "SMS"
CODE_PLACEHOLDER = "{####}"
_SES_ARN = re.compile(r"arn:aws[a-z-]*:ses:(?P<region>[a-z0-9-]+):\d{12}:identity/(?P<name>.+)")


@dataclass(frozen=True)
class PreflightContext:
    """The inputs every check reads; `user_attributes` is None when the user could not be read."""

    reader: AwsReader
    region: str
    user_pool_id: str
    pool: Mapping[str, Any]
    attribute_name: str | None
    user_attributes: Mapping[str, str] | None = None
    user_problem: str | None = None
    email_sends_today: int | None = None

    @property
    def media(self) -> tuple[str, ...]:
        """The delivery media to check: the attribute's, or both when no attribute was chosen."""
        if self.attribute_name == "phone_number":
            return (SMS,)
        if self.attribute_name == "email":
            return (EMAIL,)
        return (EMAIL, SMS)

    @property
    def destination(self) -> str | None:
        """The attribute's current value: where the code would go."""
        if self.attribute_name is None or self.user_attributes is None:
            return None
        value = self.user_attributes.get(self.attribute_name)
        return value or None

    @property
    def triggers(self) -> dict[str, str]:
        """LambdaConfig trigger name → function ARN."""
        found: dict[str, str] = {}
        for key, value in (self.pool.get("LambdaConfig") or {}).items():
            if isinstance(value, str) and value and key != "KMSKeyID":
                found[key] = value
            elif isinstance(value, Mapping) and isinstance(value.get("LambdaArn"), str):
                found[key] = value["LambdaArn"]
        return found


def ses_identity_of(source_arn: str) -> tuple[str, str] | None:
    """(region, identity) of an SES identity ARN, or None when it is not one."""
    match = _SES_ARN.fullmatch(source_arn.strip())
    return (match["region"], match["name"]) if match else None


def unknown(check_id: str, blocked: BlockedCallError) -> Check:
    return Check(check_id, Status.UNKNOWN, blocked.message, blocked.next_step)


def guarded(check_id: str, run: Callable[[], Check]) -> Check:
    """`run()`, or `unknown` naming what stopped it: a blocked call, or an answer it could not read."""
    try:
        return run()
    except BlockedCallError as blocked:
        return unknown(check_id, blocked)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return Check(check_id, Status.UNKNOWN, f"Not checked: an AWS answer could not be read ({exc!r}).",
                     "Run the preflight again; if it persists, report it with the AWS answer.")
