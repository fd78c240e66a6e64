"""The error catalogue: every error a tester can meet, with what it means and what to do next.

One catalogue serves the CLI, the window and the sandbox's fault injection. Service errors come
from the API reference of GetUserAttributeVerificationCode (all 16) and UpdateUserAttributes (all 20;
advice for a change in `app.core.attribute_errors`), the sign-in and verify calls, plus the
client-side kinds a tester meets on a flaky network (throttling, network, timeout, unknown).
"""

from __future__ import annotations

from dataclasses import dataclass


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


def make_entry(
    code: str, status: int | None, explanation: str, next_step: str, **flags: bool
) -> CatalogueEntry:
    return CatalogueEntry(code, status, explanation, next_step, **flags)


# The 16 errors the API reference lists for GetUserAttributeVerificationCode.
_GET_VERIFICATION_CODE_ERRORS = (
    make_entry(
        "CodeDeliveryFailureException", 400,
        "Cognito generated a code but could not deliver it by email or SMS.",
        "Check the pool's email/SMS configuration and that the destination is valid; "
        "in a sandbox SES/SNS account only verified destinations receive messages.",
    ),
    make_entry(
        "InternalErrorException", 500,
        "Cognito hit an internal error; the request may or may not have taken effect.",
        "Wait a few seconds and send again; if it persists, note the request id for AWS Support.",
        retryable=True,
    ),
    make_entry(
        "InvalidEmailRoleAccessPolicyException", 400,
        "Cognito is not allowed to use the pool's SES email identity.",
        "Check the SES identity policy lets cognito-idp.amazonaws.com send from it, "
        "or switch the pool to COGNITO_DEFAULT email for testing.",
    ),
    make_entry(
        "InvalidLambdaResponseException", 400,
        "The Custom Message trigger returned something Cognito could not use.",
        "Check the trigger returns the event it received with `response` filled in "
        "and the code placeholder ({####}) present in the message.",
        trigger_related=True,
    ),
    make_entry(
        "InvalidParameterException", 400,
        "Cognito rejected a parameter of the request.",
        "Read the message: only `email` and `phone_number` can be verified, and the user "
        "must have a value for that attribute.",
    ),
    make_entry(
        "InvalidSmsRoleAccessPolicyException", 400,
        "The pool's SMS role may not publish through Amazon SNS.",
        "Give the pool's SMS IAM role sns:Publish, or test with the email attribute instead.",
    ),
    make_entry(
        "InvalidSmsRoleTrustRelationshipException", 400,
        "The pool's SMS role does not trust Cognito, or its external id does not match.",
        "Let cognito-idp.amazonaws.com assume the role with the pool's external id.",
    ),
    make_entry(
        "LimitExceededException", 400,
        "Cognito limits how many codes a user can request; this user hit the limit.",
        "Wait (often up to an hour) and retry later, or use another test user. "
        "VerifyDesk never retries it: a retry would meet the same limit.",
    ),
    make_entry(
        "NotAuthorizedException", 400,
        "The access token was refused: expired, revoked, signed out or from another pool.",
        "Refresh the session (or sign in again) and send again.",
        offers_refresh=True,
    ),
    make_entry(
        "PasswordResetRequiredException", 400,
        "An administrator requires this user to reset the password first.",
        "Reset the password (ForgotPassword/ConfirmForgotPassword), then sign in again.",
    ),
    make_entry(
        "ResourceNotFoundException", 400,
        "Cognito could not find the user pool or app client behind this request.",
        "Check the profile's region, endpoint URL and app client id.",
    ),
    make_entry(
        "TooManyRequestsException", 400,
        "The request rate for this operation is over Cognito's quota.",
        "Slow down and send again in a few seconds; VerifyDesk does not retry it "
        "unless you raise the attempts setting.",
        retryable=True,
    ),
    make_entry(
        "UnexpectedLambdaException", 400,
        "Cognito could not run the Custom Message trigger (missing function, permission, timeout).",
        "Check the trigger function exists, Cognito may invoke it, and it finishes within 5 seconds.",
        trigger_related=True,
    ),
    make_entry(
        "UserLambdaValidationException", 400,
        "The Custom Message trigger raised an error.",
        "Open the trigger's log lines for this request and fix the exception it raised.",
        trigger_related=True,
    ),
    make_entry(
        "UserNotConfirmedException", 400,
        "The user has not confirmed sign-up yet.",
        "Confirm the user (ConfirmSignUp or AdminConfirmSignUp), then sign in again.",
    ),
    make_entry(
        "UserNotFoundException", 400,
        "The user behind this token no longer exists.",
        "Check the user in the pool, or sign in as another user.",
    ),
)

GET_VERIFICATION_CODE_ERROR_CODES: tuple[str, ...] = tuple(
    entry.code for entry in _GET_VERIFICATION_CODE_ERRORS
)

# Errors of the sign-in and verify calls a tester meets in the same window.
_RELATED_ERRORS = (
    make_entry(
        "CodeMismatchException", 400,
        "The verification code does not match the one Cognito sent.",
        "Check the code in the latest message (a new request replaces the old code) and try again.",
    ),
    make_entry(
        "ExpiredCodeException", 400,
        "The verification code has expired.",
        "Request a new code and verify with it.",
    ),
    make_entry(
        "AliasExistsException", 400,
        "Another user already has this email or phone number as a verified alias.",
        "Use a different value, or remove the alias from the other user.",
    ),
    make_entry(
        "InvalidPasswordException", 400,
        "The new password does not meet the pool's password policy.",
        "Choose a longer password with the character classes the pool requires.",
    ),
    make_entry(
        "UsernameExistsException", 400,
        "A user with this name already exists.",
        "Pick another username.",
    ),
    make_entry(
        "ForbiddenException", 403,
        "AWS WAF in front of the pool blocked the request.",
        "Check the web ACL associated with the user pool.",
    ),
    make_entry(
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
    make_entry(
        THROTTLING, 400,
        "AWS throttled the request (a generic throttling error, not Cognito's own).",
        "Wait a few seconds before sending again.",
        retryable=True,
    ),
    make_entry(
        NETWORK_ERROR, None,
        "The request did not reach Cognito: connection refused, reset, or the host is unknown.",
        "Check the endpoint URL and region in the profile, your network and any proxy; "
        "for the sandbox, check that it is running.",
        retryable=True,
    ),
    make_entry(
        TIMEOUT, None,
        "No complete response arrived within the configured timeout.",
        "Check the endpoint is reachable and healthy; raise the timeout in the profile if it is slow.",
        retryable=True,
    ),
    make_entry(
        INVALID_RESPONSE, None,
        "The server answered with something that is not a Cognito response (e.g. an HTML error page).",
        "Check the endpoint URL points at Cognito (or the sandbox) and not at a proxy or web server.",
    ),
    make_entry(
        UNEXPECTED_ANSWER, None,
        "The server answered with success but with something Cognito never sends (a field of the "
        "wrong type); the request may have taken effect.",
        "Check the endpoint URL points at Cognito or the sandbox, not at a mock or a proxy that "
        "rewrites answers; the answer itself is kept in history.",
    ),
    make_entry(
        CANCELLED, None,
        "The request was cancelled in VerifyDesk before its result was shown.",
        "Send again when ready; a late result is still recorded in history.",
    ),
    make_entry(
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
    make_entry(
        "AccessDeniedException", 400,
        "The AWS identity of the chosen AWS profile may not make this admin call.",
        "Grant it cognito-idp:DescribeUserPool on the pool (and logs:FilterLogEvents on the "
        "trigger's log group), or pick another AWS profile.",
    ),
    make_entry(
        "ExpiredTokenException", 400,
        "The AWS profile's temporary credentials have expired.",
        "Renew them (aws sso login, or new session credentials) and try again.",
    ),
    make_entry(
        "UnrecognizedClientException", 400,
        "AWS does not recognise the access key of the chosen AWS profile.",
        "Check the profile's keys are current and meant for this AWS partition.",
    ),
    make_entry(
        "InvalidSignatureException", 400,
        "AWS refused the request signature: a wrong secret key, or this computer's clock is off.",
        "Check the AWS profile's secret access key and the system clock, then try again.",
    ),
    make_entry(
        AWS_NO_CREDENTIALS, None,
        "No AWS credentials were found for the admin calls.",
        "Pick an AWS profile (from ~/.aws/config or ~/.aws/credentials), or set AWS credentials "
        "in the environment.",
    ),
    make_entry(
        AWS_SSO_EXPIRED, None,
        "The AWS SSO (IAM Identity Center) session of this AWS profile has expired or was never started.",
        "Run `aws sso login --profile <name>` in a terminal, then try again.",
    ),
    make_entry(
        AWS_PROFILE_NOT_FOUND, None,
        "The chosen AWS profile is not in the AWS config or credentials file.",
        "Pick one of the listed AWS profiles, or check AWS_CONFIG_FILE and ~/.aws/config.",
    ),
    make_entry(
        AWS_CREDENTIALS_ERROR, None,
        "The AWS profile's credentials could not be loaded (a credential process or role "
        "assumption failed, or the profile is incomplete).",
        "Run `aws sts get-caller-identity --profile <name>` to see the full error and fix the profile.",
    ),
)

CATALOGUE: dict[str, CatalogueEntry] = {
    entry.code: entry
    for entry in (*_GET_VERIFICATION_CODE_ERRORS, *_RELATED_ERRORS, *_CLIENT_ERRORS, *_ADMIN_ERRORS)
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


