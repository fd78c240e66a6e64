"""The signed, read-only AWS calls preflight makes, with the admin AWS profile of the Trigger tab.

Each answer is kept for one run, so several checks can share one call. A call that fails becomes
`BlockedCallError`: a denied one names the IAM action the profile lacks, any other says what went wrong.
The clients are the admin ones (retries pinned); with no endpoint in the profile they go where
botocore's AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> send them, else to AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from app.core.aws_profiles import admin_client, admin_error
from app.core.pool_admin import AdminAccess

DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "AuthorizationErrorException", "UnauthorizedException",
})
# The IAM service prefix of each client (SES v1 and v2 share "ses").
IAM_PREFIX: dict[str, str] = {
    "cognito-idp": "cognito-idp", "ses": "ses", "sesv2": "ses", "sns": "sns", "lambda": "lambda",
}
ClientFactory = Callable[..., Any]
CANCELLED = "Cancelled"


class BlockedCallError(Exception):
    """A call that could not be made; `action` is the IAM action when the profile was denied it."""

    def __init__(self, message: str, next_step: str, *, code: str, action: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.next_step = next_step
        self.code = code
        self.action = action

    @property
    def denied(self) -> bool:
        return self.action is not None


class AwsReader:
    """Makes the calls of one preflight run, each at most once."""

    def __init__(
        self,
        access: AdminAccess,
        *,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 15.0,
        client_factory: ClientFactory = admin_client,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> None:
        """`cancelled` is asked before each call: once it says True, the calls left are not made."""
        self.access = access
        self._cancelled = cancelled
        self._timeouts = {"connect_timeout_s": connect_timeout_s, "read_timeout_s": read_timeout_s}
        self._factory = client_factory
        self._answers: dict[tuple[str, str, str, str], dict[str, Any] | BlockedCallError] = {}

    @property
    def who(self) -> str:
        if self.access.static_credentials is not None:
            return "the sandbox's admin credentials"
        if self.access.aws_profile:
            return f"AWS profile {self.access.aws_profile!r}"
        return "the default AWS credentials"

    def call(
        self,
        service: Literal["cognito-idp", "ses", "sesv2", "sns", "lambda"],
        region: str,
        operation: str,
        **params: Any,
    ) -> dict[str, Any]:
        """`operation` (e.g. "GetAccount") of `service` in `region`; raises BlockedCallError."""
        key = (service, region, operation, repr(sorted(params.items())))
        if key not in self._answers and self._cancelled():
            raise BlockedCallError("Not checked: the preflight was cancelled.",
                                   "Run the preflight again.", code=CANCELLED)
        if key not in self._answers:
            self._answers[key] = self._make(service, region, operation, params)
        answer = self._answers[key]
        if isinstance(answer, BlockedCallError):
            raise answer
        return answer

    def _make(
        self, service: str, region: str, operation: str, params: dict[str, Any]
    ) -> dict[str, Any] | BlockedCallError:
        from botocore import xform_name

        action = f"{IAM_PREFIX[service]}:{operation}"
        try:
            client = self._factory(
                service, region=region, aws_profile=self.access.aws_profile,
                endpoint_url=self.access.endpoint_url, static_credentials=self.access.static_credentials,
                **self._timeouts,
            )
            response = getattr(client, xform_name(operation))(**params)
        except Exception as exc:  # every failure becomes a check that says what it was
            error = admin_error(exc, self.access.aws_profile)
            if error.code in DENIED_CODES:
                return BlockedCallError(
                    f"Not checked: {self.who} may not call {action} ({error.code}).",
                    f"Allow {action} in the IAM policy of {self.who}, or choose an admin profile "
                    "that has it.",
                    code=error.code, action=action,
                )
            return BlockedCallError(
                f"Not checked: {action} failed ({error.code}: {error.message})",
                "Check the admin AWS profile, its region and the network, then run the preflight again.",
                code=error.code,
            )
        response.pop("ResponseMetadata", None)
        return dict(response)
