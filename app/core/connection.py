"""One Cognito user-pool connection: settings, and a lazily created, unsigned boto3 client.

The client is created once per connection behind a lock (boto3 sessions are not thread-safe,
clients are), so the window never pays for importing boto3 on its startup path. Retries are pinned:
botocore's own modes would silently retry LimitExceededException and TooManyRequestsException. With
more attempts allowed, botocore retries what it would, except what `app.runtime.retry_policy` excludes.
"""

from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from app.core.answers import UnexpectedAnswerError, answer_excerpt, shape_problem
from app.core.deadline import SocketSet, check_deadline
from app.core.models import ConnectionInfo
from app.core.redaction import SECRETS
from app.core.validation import ENDPOINT_URL_FIELD, REGION_FIELD, endpoint_url_problem, region_problem
from app.runtime.botocore_data import boto3_session
from app.runtime.heap import long_lived
from app.runtime.retry_policy import pin_retries

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ENDPOINT_ENV = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_READ_TIMEOUT_S = 15.0
# The ranges every way in accepts (the CLI's options, the profile form, the profiles file). 900 s is the
# longest a Lambda function may run, so no Custom Message trigger (even one paused in a debugger behind
# the sandbox) can need a longer read; no TCP connect needs more than 300 s to succeed or fail.
CONNECT_TIMEOUT_RANGE = (0.1, 300.0)
READ_TIMEOUT_RANGE = (0.1, 900.0)
ATTEMPTS_RANGE = (1, 10)


class SettingsError(ValueError):
    """Settings no client can be made from; `field` names the setting (e.g. "region", "read_timeout_s")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to reach one app client of one user pool.

    `client_secret` never appears in repr and is never stored by this class's users.
    """

    region: str
    client_id: str
    endpoint_url: str | None = None
    user_pool_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    max_attempts: int = 1
    profile_name: str | None = None

    @property
    def effective_endpoint_url(self) -> str | None:
        """The endpoint in force: the explicit one, else the service-specific AWS variable."""
        return self.endpoint_url or os.environ.get(ENDPOINT_ENV) or None

    @property
    def info(self) -> ConnectionInfo:
        return ConnectionInfo(
            region=self.region,
            endpoint_url=self.effective_endpoint_url,
            user_pool_id=self.user_pool_id,
            client_id=self.client_id,
            profile_name=self.profile_name,
        )

    def with_changes(self, **changes: Any) -> ConnectionSettings:
        return replace(self, **changes)

    def problems(self) -> list[SettingsError]:
        """Every setting out of its range, each naming its field; empty when a client can be tried."""
        return settings_problems(
            region=self.region, endpoint_url=self.effective_endpoint_url,
            connect_timeout_s=self.connect_timeout_s, read_timeout_s=self.read_timeout_s,
            max_attempts=self.max_attempts,
        )


def _seconds_problem(value: object, limits: tuple[float, float], what: str) -> str | None:
    """Why `value` is not a number of seconds within `limits`; compared exactly, so an integer of any
    size is refused without an OverflowError."""
    low, high = limits
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{what.capitalize()} must be a number of seconds."
    if (isinstance(value, float) and not math.isfinite(value)) or not low <= value <= high:
        return f"{what.capitalize()} must be between {low:g} and {high:g} seconds."
    return None


def _attempts_problem(value: object) -> str | None:
    low, high = ATTEMPTS_RANGE
    if isinstance(value, bool) or not isinstance(value, int):
        return "The number of attempts must be a whole number."
    if not low <= value <= high:
        return f"The number of attempts must be between {low} and {high}."
    return None


def settings_problems(
    *, region: object, endpoint_url: object | None, connect_timeout_s: object, read_timeout_s: object,
    max_attempts: object,
) -> list[SettingsError]:
    """The one rule for connection settings, whatever they come from (options, form, file): each
    problem names its field; values of any type are judged, never converted first."""
    found = [
        (REGION_FIELD, region_problem(region)),
        (ENDPOINT_URL_FIELD, None if endpoint_url is None else endpoint_url_problem(endpoint_url)),
        ("connect_timeout_s", _seconds_problem(
            connect_timeout_s, CONNECT_TIMEOUT_RANGE, "the connect timeout")),
        ("read_timeout_s", _seconds_problem(read_timeout_s, READ_TIMEOUT_RANGE, "the read timeout")),
        ("max_attempts", _attempts_problem(max_attempts)),
    ]
    return [SettingsError(name, message) for name, message in found if message]


# Request and response members that carry secrets; registered for redaction before botocore's
# debug logging can print them.
_SECRET_MEMBERS = frozenset({
    "AccessToken", "IdToken", "RefreshToken", "Session", "PASSWORD", "NEW_PASSWORD", "REFRESH_TOKEN",
    "SECRET_HASH", "SRP_A", "PASSWORD_CLAIM_SIGNATURE",
})


def _collect_secrets(value: object, found: list[str], key: str = "") -> None:
    if isinstance(value, dict):
        for child_key, child in value.items():
            _collect_secrets(child, found, str(child_key))
    elif isinstance(value, list):
        for child in value:
            _collect_secrets(child, found, key)
    elif isinstance(value, str) and key in _SECRET_MEMBERS:
        found.append(value)


def _register_request_secrets(params: dict[str, Any], **_: Any) -> None:
    found: list[str] = []
    _collect_secrets(params, found)
    SECRETS.add(*found)


def _inspect_response_body(response_dict: dict[str, Any], operation_model: Any = None, **_: Any) -> None:
    """Register tokens in the body for redaction; refuse a 2xx body that is not JSON, or whose
    fields have types Cognito never sends (before botocore copies them through or trips on them)."""
    status = response_dict.get("status_code", 0)
    body = response_dict.get("body") or b""
    if not body:
        return
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        if not 200 <= status < 300:
            return
        from botocore.parsers import ResponseParserError

        snippet = body[:120].decode("utf-8", "replace")
        raise ResponseParserError(f"HTTP {status} with a body that is not JSON: {snippet!r}") from None
    found: list[str] = []
    _collect_secrets(parsed, found)
    SECRETS.add(*found)
    if 200 <= status < 300 and operation_model is not None:
        problem = shape_problem(parsed, operation_model.output_shape)
        if problem:
            headers = response_dict.get("headers") or {}
            raise UnexpectedAnswerError(
                problem, status=status, answer=answer_excerpt(body),
                request_id=headers.get("x-amzn-requestid") or headers.get("x-amzn-RequestId"))


class _SendCounter(threading.local):
    """Counts HTTP sends made by the calling thread (botocore retries run in that thread)."""

    sends = 0


class CognitoConnection:
    """A connection to one app client; `client` is created on first use, once."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        SECRETS.add(settings.client_secret)
        self._client: CognitoIdentityProviderClient | None = None
        self._lock = threading.Lock()
        self._counter = _SendCounter()
        self.sockets = SocketSet()
        """The sockets this connection's calls opened: shut down when a call's deadline passes."""

    @property
    def client(self) -> CognitoIdentityProviderClient:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._create_client()
        return self._client

    def _create_client(self) -> CognitoIdentityProviderClient:
        with long_lived():  # boto3's modules and the service model stay for the process's life
            return self._build_client()

    def _build_client(self) -> CognitoIdentityProviderClient:
        from botocore import UNSIGNED
        from botocore.config import Config

        settings = self.settings
        config = Config(
            region_name=settings.region,
            signature_version=UNSIGNED,
            # The read timeout is also the call's whole deadline (app.core.deadline): connecting
            # cannot take longer than that.
            connect_timeout=min(settings.connect_timeout_s, settings.read_timeout_s),
            read_timeout=settings.read_timeout_s,
            retries={"mode": "standard", "total_max_attempts": settings.max_attempts},
            user_agent_appid="verifydesk",  # type: ignore[call-arg]  # stubs lag botocore
            # Our own validation runs first and can be overridden ("send anyway"), so the
            # server's validation is what a tester sees, not botocore's.
            parameter_validation=False,
        )
        from botocore.exceptions import InvalidRegionError

        endpoint_url = settings.effective_endpoint_url
        try:
            session = boto3_session(region_name=settings.region)
            client = session.client("cognito-idp", endpoint_url=endpoint_url, config=config)
        except InvalidRegionError:
            message = f"{settings.region!r} is not a region name boto3 accepts (e.g. us-east-1)."
            raise SettingsError("region", message) from None
        except ValueError as exc:  # botocore's "Invalid endpoint: …", urllib's "Invalid IPv6 URL"
            message = (f"{endpoint_url!r} is not an endpoint boto3 accepts ({exc}); a host name has "
                       "only letters, digits, hyphens and dots.")
            raise SettingsError("endpoint_url", message) from None
        if settings.max_attempts > 1:
            pin_retries(client, settings.max_attempts)
        client.meta.events.register("before-send.cognito-idp.*", self._count_send)
        client.meta.events.register("provide-client-params.cognito-idp.*", _register_request_secrets)
        client.meta.events.register("before-parse.cognito-idp.*", _inspect_response_body)
        return client

    def _count_send(self, **_: Any) -> None:
        check_deadline()  # a retry after the call's deadline is not sent
        self._counter.sends += 1

    def reset_send_count(self) -> None:
        """Start counting the sends of the next call made from this thread."""
        self._counter.sends = 0

    @property
    def send_count(self) -> int:
        """HTTP sends made by this thread since the last reset: the real attempt count."""
        return self._counter.sends
