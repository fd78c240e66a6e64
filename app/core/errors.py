"""The error catalogue: every error a tester can meet, with what it means and what to do next.

One catalogue serves the CLI, the window and the sandbox's fault injection. Service errors come
from the API reference of GetUserAttributeVerificationCode (all 16) and UpdateUserAttributes (all 20;
advice for a change in `app.core.attribute_errors`), the sign-in and verify calls, plus the
client-side kinds a tester meets on a flaky network (throttling, network, timeout, unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from app.core.attribute_errors import update_entry


@dataclass(frozen=True)
class CatalogueEntry:
    """What a tester reads about one error code."""

    code: str
    http_status: int | None
    explanation: str
    next_step: str
    offers_refresh: bool = False
    trigger_related: bool = False
    retryable: bool = False

    @property
    def guidance(self) -> str:
        return f"{self.explanation} Next: {self.next_step}"


def _entry(code: str, status: int | None, explanation: str, next_step: str, **flags: bool) -> CatalogueEntry:
    return CatalogueEntry(code, status, explanation, next_step, **flags)


# The 16 errors the API reference lists for GetUserAttributeVerificationCode.
_SEED_ERRORS = (
    _entry(
        "CodeDeliveryFailureException", 400,
        "Cognito generated a code but could not deliver it by email or SMS.",
        "Check the pool's email/SMS configuration and that the destination is valid; "
        "in a sandbox SES/SNS account only verified destinations receive messages.",
    ),
    _entry(
        "InternalErrorException", 500,
        "Cognito hit an internal error; the request may or may not have taken effect.",
        "Wait a few seconds and send again; if it persists, note the request id for AWS Support.",
        retryable=True,
    ),
    _entry(
        "InvalidEmailRoleAccessPolicyException", 400,
        "Cognito is not allowed to use the pool's SES email identity.",
        "Check the SES identity policy lets cognito-idp.amazonaws.com send from it, "
        "or switch the pool to COGNITO_DEFAULT email for testing.",
    ),
    _entry(
        "InvalidLambdaResponseException", 400,
        "The Custom Message trigger returned something Cognito could not use.",
        "Check the trigger returns the event it received with `response` filled in "
        "and the code placeholder ({####}) present in the message.",
        trigger_related=True,
    ),
    _entry(
        "InvalidParameterException", 400,
        "Cognito rejected a parameter of the request.",
        "Read the message: only `email` and `phone_number` can be verified, and the user "
        "must have a value for that attribute.",
    ),
    _entry(
        "InvalidSmsRoleAccessPolicyException", 400,
        "The pool's SMS role may not publish through Amazon SNS.",
        "Give the pool's SMS IAM role sns:Publish, or test with the email attribute instead.",
    ),
    _entry(
        "InvalidSmsRoleTrustRelationshipException", 400,
        "The pool's SMS role does not trust Cognito, or its external id does not match.",
        "Let cognito-idp.amazonaws.com assume the role with the pool's external id.",
    ),
    _entry(
        "LimitExceededException", 400,
        "Cognito limits how many codes a user can request; this user hit the limit.",
        "Wait (often up to an hour) and retry later, or use another test user. "
        "VerifyDesk does not retry it unless you raise the attempts setting.",
    ),
    _entry(
        "NotAuthorizedException", 400,
        "The access token was refused: expired, revoked, signed out or from another pool.",
        "Refresh the session (or sign in again) and send again.",
        offers_refresh=True,
    ),
    _entry(
        "PasswordResetRequiredException", 400,
        "An administrator requires this user to reset the password first.",
        "Reset the password (ForgotPassword/ConfirmForgotPassword), then sign in again.",
    ),
    _entry(
        "ResourceNotFoundException", 400,
        "Cognito could not find the user pool or app client behind this request.",
        "Check the profile's region, endpoint URL and app client id.",
    ),
    _entry(
        "TooManyRequestsException", 400,
        "The request rate for this operation is over Cognito's quota.",
        "Slow down and send again in a few seconds; VerifyDesk does not retry it "
        "unless you raise the attempts setting.",
        retryable=True,
    ),
    _entry(
        "UnexpectedLambdaException", 400,
        "Cognito could not run the Custom Message trigger (missing function, permission, timeout).",
        "Check the trigger function exists, Cognito may invoke it, and it finishes within 5 seconds.",
        trigger_related=True,
    ),
    _entry(
        "UserLambdaValidationException", 400,
        "The Custom Message trigger raised an error.",
        "Open the trigger's log lines for this request and fix the exception it raised.",
        trigger_related=True,
    ),
    _entry(
        "UserNotConfirmedException", 400,
        "The user has not confirmed sign-up yet.",
        "Confirm the user (ConfirmSignUp or AdminConfirmSignUp), then sign in again.",
    ),
    _entry(
        "UserNotFoundException", 400,
        "The user behind this token no longer exists.",
        "Check the user in the pool, or sign in as another user.",
    ),
)

SEED_ERROR_CODES: tuple[str, ...] = tuple(entry.code for entry in _SEED_ERRORS)

# Errors of the sign-in and verify calls a tester meets in the same window.
_RELATED_ERRORS = (
    _entry(
        "CodeMismatchException", 400,
        "The verification code does not match the one Cognito sent.",
        "Check the code in the latest message (a new request replaces the old code) and try again.",
    ),
    _entry(
        "ExpiredCodeException", 400,
        "The verification code has expired.",
        "Request a new code and verify with it.",
    ),
    _entry(
        "AliasExistsException", 400,
        "Another user already has this email or phone number as a verified alias.",
        "Use a different value, or remove the alias from the other user.",
    ),
    _entry(
        "InvalidPasswordException", 400,
        "The new password does not meet the pool's password policy.",
        "Choose a longer password with the character classes the pool requires.",
    ),
    _entry(
        "UsernameExistsException", 400,
        "A user with this name already exists.",
        "Pick another username.",
    ),
    _entry(
        "ForbiddenException", 403,
        "AWS WAF in front of the pool blocked the request.",
        "Check the web ACL associated with the user pool.",
    ),
    _entry(
        "OperationNotEnabledException", 400,
        "The user pool does not allow this operation in its current configuration or feature plan.",
        "Check the pool's settings (and its feature plan) for this operation, or test on another pool.",
    ),
)

# Client-side kinds: not Cognito error codes, but what a tester sees on a bad network.
THROTTLING = "Throttling"
NETWORK_ERROR = "NetworkError"
TIMEOUT = "Timeout"
UNKNOWN_ERROR = "UnknownError"
INVALID_RESPONSE = "InvalidResponse"
UNEXPECTED_ANSWER = "UnexpectedAnswer"
CANCELLED = "Cancelled"

_CLIENT_ERRORS = (
    _entry(
        THROTTLING, 400,
        "AWS throttled the request (a generic throttling error, not Cognito's own).",
        "Wait a few seconds before sending again.",
        retryable=True,
    ),
    _entry(
        NETWORK_ERROR, None,
        "The request did not reach Cognito: connection refused, reset, or the host is unknown.",
        "Check the endpoint URL and region in the profile, your network and any proxy; "
        "for the sandbox, check that it is running.",
        retryable=True,
    ),
    _entry(
        TIMEOUT, None,
        "No complete response arrived within the configured timeout.",
        "Check the endpoint is reachable and healthy; raise the timeout in the profile if it is slow.",
        retryable=True,
    ),
    _entry(
        INVALID_RESPONSE, None,
        "The server answered with something that is not a Cognito response (e.g. an HTML error page).",
        "Check the endpoint URL points at Cognito (or the sandbox) and not at a proxy or web server.",
    ),
    _entry(
        UNEXPECTED_ANSWER, None,
        "The server answered with success but with something Cognito never sends (a field of the "
        "wrong type); the request may have taken effect.",
        "Check the endpoint URL points at Cognito or the sandbox, not at a mock or a proxy that "
        "rewrites answers; the answer itself is kept in history.",
    ),
    _entry(
        CANCELLED, None,
        "The request was cancelled in VerifyDesk before its result was shown.",
        "Send again when ready; a late result is still recorded in history.",
    ),
    _entry(
        UNKNOWN_ERROR, None,
        "An error VerifyDesk does not know yet.",
        "Read the message and HTTP status; note the request id if you contact AWS Support.",
    ),
)

# Signed admin calls (DescribeUserPool, FilterLogEvents) made with an AWS profile's credentials.
AWS_NO_CREDENTIALS = "NoCredentials"
AWS_SSO_EXPIRED = "SsoTokenExpired"
AWS_PROFILE_NOT_FOUND = "AwsProfileNotFound"
AWS_CREDENTIALS_ERROR = "CredentialsError"

_ADMIN_ERRORS = (
    _entry(
        "AccessDeniedException", 400,
        "The AWS identity of the chosen AWS profile may not make this admin call.",
        "Grant it cognito-idp:DescribeUserPool on the pool (and logs:FilterLogEvents on the "
        "trigger's log group), or pick another AWS profile.",
    ),
    _entry(
        "ExpiredTokenException", 400,
        "The AWS profile's temporary credentials have expired.",
        "Renew them (aws sso login, or new session credentials) and try again.",
    ),
    _entry(
        "UnrecognizedClientException", 400,
        "AWS does not recognise the access key of the chosen AWS profile.",
        "Check the profile's keys are current and meant for this AWS partition.",
    ),
    _entry(
        "InvalidSignatureException", 400,
        "AWS refused the request signature: a wrong secret key, or this computer's clock is off.",
        "Check the AWS profile's secret access key and the system clock, then try again.",
    ),
    _entry(
        AWS_NO_CREDENTIALS, None,
        "No AWS credentials were found for the admin calls.",
        "Pick an AWS profile (from ~/.aws/config or ~/.aws/credentials), or set AWS credentials "
        "in the environment.",
    ),
    _entry(
        AWS_SSO_EXPIRED, None,
        "The AWS SSO (IAM Identity Center) session of this AWS profile has expired or was never started.",
        "Run `aws sso login --profile <name>` in a terminal, then try again.",
    ),
    _entry(
        AWS_PROFILE_NOT_FOUND, None,
        "The chosen AWS profile is not in the AWS config or credentials file.",
        "Pick one of the listed AWS profiles, or check AWS_CONFIG_FILE and ~/.aws/config.",
    ),
    _entry(
        AWS_CREDENTIALS_ERROR, None,
        "The AWS profile's credentials could not be loaded (a credential process or role "
        "assumption failed, or the profile is incomplete).",
        "Run `aws sts get-caller-identity --profile <name>` to see the full error and fix the profile.",
    ),
)

CATALOGUE: dict[str, CatalogueEntry] = {
    entry.code: entry for entry in (*_SEED_ERRORS, *_RELATED_ERRORS, *_CLIENT_ERRORS, *_ADMIN_ERRORS)
}

# Throttling codes AWS uses besides Cognito's own TooManyRequestsException.
_THROTTLING_ALIASES = frozenset(
    {"ThrottlingException", "Throttling", "RequestLimitExceeded", "SlowDown", "RequestThrottled"}
)


def lookup(code: str) -> CatalogueEntry:
    """The catalogue entry for a code; unknown codes get the generic unknown-error entry."""
    if code in CATALOGUE:
        return CATALOGUE[code]
    if code in _THROTTLING_ALIASES:
        return CATALOGUE[THROTTLING]
    return CATALOGUE[UNKNOWN_ERROR]


VERIFIABLE_ATTRIBUTES = ("email", "phone_number")
AUTHENTICATOR_CHALLENGE = "SOFTWARE_TOKEN_MFA"
_PATTERN_VALUE = re.compile(r"Value '(?P<value>.*?)' at 'attributeName' failed to satisfy constraint", re.S)


@dataclass(frozen=True)
class ErrorContext:
    """Where an error was met, so its advice fits: `operation` is "send", "verify", "update" (an
    attribute change), "sign_in" or "refresh" (a REFRESH_TOKEN_AUTH sign-in);
    `challenge` the sign-in challenge being answered; `attribute_name` the name sent;
    `can_refresh` False when the session has no refresh token (a pasted access token)."""

    operation: str = "send"
    challenge: str | None = None
    attribute_name: str | None = None
    can_refresh: bool = True


def _attribute_name_advice(message: str, attribute_name: str | None) -> str | None:
    """The next step for an InvalidParameterException about the attribute name, or None."""
    from app.core.validation import attribute_name_problem

    match = _PATTERN_VALUE.search(message)
    name = match.group("value") if match else attribute_name
    if name is None:
        return None
    problem = attribute_name_problem(name)
    if problem:
        return f"The attribute name {name!r} is not allowed: {problem}"
    if name not in VERIFIABLE_ATTRIBUTES:
        return (f"{name!r} is a valid name, but only `email` and `phone_number` can be verified, and the "
                "user must have a value for that attribute.")
    return None


# What a refused sign-in means: a wrong password is not a refused access token, so the catalogue's
# token advice (refresh) would mislead.
_SIGN_IN_NOT_AUTHORIZED = _entry(
    "NotAuthorizedException", 400,
    "Cognito refused the sign-in: a wrong username or password, or a sign-in flow this app client "
    "does not allow.",
    "Check the username and password, and that the app client allows this sign-in flow.",
)
_REFRESH_NOT_AUTHORIZED = _entry(
    "NotAuthorizedException", 400,
    "Cognito refused the refresh token: it expired, was revoked (a global sign-out), or belongs to "
    "another app client.",
    "Sign in again with the username and password.",
)
_CHALLENGE_NOT_AUTHORIZED = _entry(
    "NotAuthorizedException", 400,
    "Cognito refused the answer to the sign-in challenge: its session expired or was already used.",
    "Sign in again and answer the challenge within a few minutes.",
)
_SIGN_IN_USER_NOT_FOUND = _entry(
    "UserNotFoundException", 400,
    "The pool has no user with this username.",
    "Check the username, and that the connection points at the right user pool.",
)


def _sign_in_entry(entry: CatalogueEntry, challenge: str | None) -> CatalogueEntry:
    """`entry` read as the error of a sign-in call (InitiateAuth, RespondToAuthChallenge to `challenge`)."""
    if entry.code == "NotAuthorizedException":
        return _CHALLENGE_NOT_AUTHORIZED if challenge else _SIGN_IN_NOT_AUTHORIZED
    if entry.code == "UserNotFoundException":
        return _SIGN_IN_USER_NOT_FOUND
    if entry.code == "CodeMismatchException":
        if challenge == AUTHENTICATOR_CHALLENGE:
            return replace(
                entry, explanation="The code does not match the authenticator app's current code.",
                next_step="Enter the code your authenticator app shows now (it changes every 30 seconds); "
                          "if current codes keep failing, set the device's clock to update automatically.")
        return replace(entry, explanation="The sign-in code does not match the one Cognito sent.",
                       next_step="Check the code in the newest sign-in message and try again.")
    return entry


def entry_in(code: str, message: str, context: ErrorContext | None = None) -> CatalogueEntry:
    """The catalogue entry for `code`, its advice fitted to where the error was met."""
    entry = lookup(code)
    if context is None:
        return entry
    if context.operation == "sign_in":
        return _sign_in_entry(entry, context.challenge)
    if context.operation == "refresh" and code == "NotAuthorizedException":
        return _REFRESH_NOT_AUTHORIZED
    if context.operation == "update" and not (
        code == "NotAuthorizedException" and is_expired_token_message(message)
    ):
        entry = update_entry(entry)
    if code == "NotAuthorizedException" and not context.can_refresh and is_expired_token_message(message):
        return replace(entry, offers_refresh=False,
                       next_step="The pasted access token has expired and cannot be refreshed: paste a new "
                                 "token, or sign in with a username and password.")
    if code == "InvalidParameterException" and context.operation != "update":
        advice = _attribute_name_advice(message, context.attribute_name)
        if advice:
            return replace(entry, next_step=advice)
    return entry


def is_expired_token_message(message: str) -> bool:
    """True when a NotAuthorizedException message says the access token has expired."""
    lowered = message.lower()
    return "expired" in lowered or "invalid access token" in lowered


@dataclass
class ServiceError(Exception):
    """A failed call, typed: what the server (or the network) said, and what the tester can do."""

    code: str
    message: str
    http_status: int | None = None
    request_id: str | None = None
    attempts: int = 1
    latency_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.message}")

    @property
    def entry(self) -> CatalogueEntry:
        return lookup(self.code)

    @property
    def guidance(self) -> str:
        return self.entry.guidance

    def entry_in(self, context: ErrorContext | None) -> CatalogueEntry:
        """The catalogue entry with advice fitted to `context` (see `entry_in`)."""
        return entry_in(self.code, self.message, context)

    @property
    def offers_refresh(self) -> bool:
        """NotAuthorizedException for an expired token: a refresh will likely fix it."""
        return self.entry.offers_refresh and is_expired_token_message(self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "guidance": self.guidance,
        }
