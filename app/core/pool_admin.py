"""The pool's trigger configuration, read with a signed DescribeUserPool call.

What a tester needs before sending: is there a Custom Message trigger (without one ClientMetadata
goes nowhere), which function (and so which log group) it is, how the pool sends email
(COGNITO_DEFAULT has a low daily limit) and which attributes are verified automatically; and, for a
change of email or phone number, whether the pool keeps the original value until the new one is
verified (UserAttributeUpdateSettings) and which attributes its schema has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.aws_profiles import admin_error, cognito_admin_client
from app.core.profile_model import Profile

NO_TRIGGER_WARNING = "No Custom Message trigger: ClientMetadata will not be used by anything."
COGNITO_DEFAULT_WARNING = (
    "The pool sends email with COGNITO_DEFAULT: about 50 emails a day for the whole account, after "
    "which codes stop arriving. Use Amazon SES (DEVELOPER) for heavier testing."
)
_SENDER_WARNING = (
    "A Custom {medium} Sender trigger is configured: it, not Cognito, delivers {media} messages, "
    "with the code encrypted."
)
_LAMBDA_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"function:(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?"
)


SANDBOX_CREDENTIALS = ("testing", "testing")


@dataclass(frozen=True)
class AdminAccess:
    """How to make the signed admin calls for a profile: region, AWS profile, endpoint."""

    region: str
    aws_profile: str | None = None
    endpoint_url: str | None = None
    static_credentials: tuple[str, str] | None = field(default=None, repr=False)

    @classmethod
    def for_profile(cls, profile: Profile) -> AdminAccess:
        """The sandbox answers admin calls itself (any credentials); real pools need AWS credentials,
        from the profile's AWS profile or the default chain, at AWS's own endpoints."""
        if profile.sandbox:
            return cls(profile.region, None, profile.endpoint_url, SANDBOX_CREDENTIALS)
        return cls(profile.region, profile.aws_profile)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `describe_pool_triggers` and `trigger_logs.open_follower`."""
        return {
            "region": self.region,
            "aws_profile": self.aws_profile,
            "endpoint_url": self.endpoint_url,
            "static_credentials": self.static_credentials,
        }


@dataclass(frozen=True)
class LambdaRef:
    """A Lambda function named by ARN: its name, and the version or alias if the ARN has one."""

    arn: str
    function_name: str
    qualifier: str | None
    region: str
    account_id: str

    @property
    def log_group(self) -> str:
        """Versions and aliases of a function log to the function's one group."""
        return f"/aws/lambda/{self.function_name}"


def parse_lambda_arn(arn: str) -> LambdaRef | None:
    """The function behind a Lambda ARN (plain, version or alias); None when it is not one."""
    match = _LAMBDA_ARN.fullmatch(arn.strip())
    if match is None:
        return None
    return LambdaRef(arn.strip(), match["name"], match["qualifier"], match["region"], match["account"])


VERIFIABLE = ("email", "phone_number")


@dataclass(frozen=True)
class AttributePolicy:
    """What the pool does with a changed attribute, from DescribeUserPool."""

    keep_original: tuple[str, ...]
    """AttributesRequireVerificationBeforeUpdate: the original stays active until the new value's
    code is verified."""
    auto_verified: tuple[str, ...]
    attributes: tuple[str, ...] = ()
    """The schema's attribute names (custom ones as custom:name); empty when the pool did not say."""
    immutable: tuple[str, ...] = ()

    def keeps_original(self, name: str) -> bool:
        return name in self.keep_original

    def sends_code(self, name: str) -> bool:
        """Whether a change of `name` makes Cognito send a code to the new value."""
        return name in VERIFIABLE and name in self.auto_verified

    def has_attribute(self, name: str) -> bool | None:
        """Whether the schema has `name` (None when the schema is unknown)."""
        return None if not self.attributes else name in self.attributes


def attribute_policy_from_pool(pool: Mapping[str, Any]) -> AttributePolicy:
    """Read a DescribeUserPool `UserPool` into its attribute-change policy."""
    settings = pool.get("UserAttributeUpdateSettings") or {}
    schema = [item for item in pool.get("SchemaAttributes") or () if isinstance(item, Mapping)]
    return AttributePolicy(
        keep_original=tuple(settings.get("AttributesRequireVerificationBeforeUpdate") or ()),
        auto_verified=tuple(pool.get("AutoVerifiedAttributes") or ()),
        attributes=tuple(str(item.get("Name")) for item in schema if item.get("Name")),
        immutable=tuple(str(item.get("Name")) for item in schema if item.get("Mutable") is False),
    )


@dataclass(frozen=True)
class PoolTriggerInfo:
    """The parts of a pool's configuration that decide what happens to a verification request."""

    user_pool_id: str
    pool_name: str | None
    custom_message_arn: str | None
    custom_message: LambdaRef | None
    email_sending_account: str
    auto_verified_attributes: tuple[str, ...]
    triggers: Mapping[str, str] = field(default_factory=dict)
    """Every trigger the pool has (LambdaConfig key → ARN), for display."""
    warnings: tuple[str, ...] = ()
    attribute_policy: AttributePolicy | None = None

    @property
    def custom_message_function(self) -> str | None:
        return self.custom_message.function_name if self.custom_message else None

    @property
    def log_group(self) -> str | None:
        return self.custom_message.log_group if self.custom_message else None


def trigger_info_from_pool(pool: Mapping[str, Any]) -> PoolTriggerInfo:
    """Read a DescribeUserPool `UserPool` into what a tester needs, with warnings."""
    lambda_config: Mapping[str, Any] = pool.get("LambdaConfig") or {}
    triggers: dict[str, str] = {}
    for key, value in lambda_config.items():
        if key == "KMSKeyID":
            continue  # the key the custom sender triggers decrypt codes with, not a trigger
        if isinstance(value, str) and value:
            triggers[key] = value
        elif isinstance(value, Mapping) and isinstance(value.get("LambdaArn"), str):
            triggers[key] = value["LambdaArn"]
    arn = triggers.get("CustomMessage")
    ref = parse_lambda_arn(arn) if arn else None
    email = pool.get("EmailConfiguration") or {}
    # Cognito's default when a pool has no email configuration is its own sender.
    sending_account = str(email.get("EmailSendingAccount") or "COGNITO_DEFAULT")
    warnings: list[str] = []
    if arn is None:
        warnings.append(NO_TRIGGER_WARNING)
    elif ref is None:
        warnings.append(f"The Custom Message trigger {arn!r} is not a Lambda ARN VerifyDesk can read.")
    if sending_account == "COGNITO_DEFAULT":
        warnings.append(COGNITO_DEFAULT_WARNING)
    if "CustomEmailSender" in triggers:
        warnings.append(_SENDER_WARNING.format(medium="Email", media="email"))
    if "CustomSMSSender" in triggers:
        warnings.append(_SENDER_WARNING.format(medium="SMS", media="SMS"))
    return PoolTriggerInfo(
        user_pool_id=str(pool.get("Id") or ""),
        pool_name=pool.get("Name"),
        custom_message_arn=arn,
        custom_message=ref,
        email_sending_account=sending_account,
        auto_verified_attributes=tuple(pool.get("AutoVerifiedAttributes") or ()),
        triggers=triggers,
        warnings=tuple(warnings),
        attribute_policy=attribute_policy_from_pool(pool),
    )


def describe_pool_triggers(
    user_pool_id: str,
    *,
    region: str,
    aws_profile: str | None = None,
    endpoint_url: str | None = None,
    static_credentials: tuple[str, str] | None = None,
    connect_timeout_s: float = 5.0,
    read_timeout_s: float = 15.0,
) -> PoolTriggerInfo:
    """DescribeUserPool, signed with the AWS profile's credentials; blocking (run it off the UI thread).

    Raises ServiceError with a catalogued code: AccessDeniedException, SsoTokenExpired,
    NoCredentials, AwsProfileNotFound, ResourceNotFoundException, NetworkError, ...
    """
    client = cognito_admin_client(
        region=region,
        aws_profile=aws_profile,
        endpoint_url=endpoint_url,
        static_credentials=static_credentials,
        connect_timeout_s=connect_timeout_s,
        read_timeout_s=read_timeout_s,
    )
    try:
        response = client.describe_user_pool(UserPoolId=user_pool_id)
    except Exception as exc:  # every failure becomes a catalogued error
        raise admin_error(exc, aws_profile) from exc
    return trigger_info_from_pool(dict(response["UserPool"]))
