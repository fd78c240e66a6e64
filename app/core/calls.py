"""The Cognito calls a tester makes, each measured and each failing with a catalogued ServiceError.

Every function here blocks: the window runs them in an executor, the CLI calls them directly.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.answers import MAX_MESSAGE_CHARS, UnexpectedAnswerError, answer_excerpt
from app.core.connection import CognitoConnection
from app.core.deadline import within
from app.core.error_catalogue import (
    INVALID_RESPONSE,
    NETWORK_ERROR,
    TIMEOUT,
    UNEXPECTED_ANSWER,
    UNKNOWN_ERROR,
)
from app.core.errors import VERIFIABLE_ATTRIBUTES, ServiceError
from app.core.models import CodeDeliveryDetails

_HTML_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CallResult:
    """A successful response with its measurements."""

    response: dict[str, Any]
    request_id: str | None
    http_status: int | None
    latency_ms: float
    attempts: int


@dataclass(frozen=True)
class UserAttribute:
    """One attribute of the signed-in user; `verified` is set for email and phone_number."""

    name: str
    value: str
    verified: bool | None = None

    @property
    def verifiable(self) -> bool:
        return self.name in VERIFIABLE_ATTRIBUTES


@dataclass(frozen=True)
class UserProfile:
    """The result of GetUser."""

    username: str
    attributes: tuple[UserAttribute, ...]
    mfa_options: tuple[str, ...] = ()

    def attribute(self, name: str) -> UserAttribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def attribute_map(self) -> dict[str, str]:
        return {a.name: a.value for a in self.attributes}


@dataclass(frozen=True)
class SendResult:
    """The outcome of a successful GetUserAttributeVerificationCode."""

    delivery: CodeDeliveryDetails | None
    request_id: str | None
    http_status: int | None
    latency_ms: float
    attempts: int


def _short_body(body: object) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = _SPACES.sub(" ", _HTML_TAG.sub(" ", str(body or ""))).strip()
    return text[:200] + ("…" if len(text) > 200 else "")


def _classify_client_error(exc: Any, attempts: int, latency_ms: float) -> ServiceError:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {}) or {}
    metadata = response.get("ResponseMetadata", {}) or {}
    headers = metadata.get("HTTPHeaders", {}) or {}
    status = metadata.get("HTTPStatusCode")
    code = str(error.get("Code") or "")
    message = answer_excerpt(str(error.get("Message") or ""), MAX_MESSAGE_CHARS)
    request_id = metadata.get("RequestId") or headers.get("x-amzn-requestid")
    if not code or code.isdigit():
        # No AWS error shape: a proxy page, an HTML 5xx, an empty body.
        detail = _short_body(message) or "no error body"
        return ServiceError(
            INVALID_RESPONSE,
            f"HTTP {status} without a Cognito error in the body: {detail}",
            http_status=status,
            request_id=request_id,
            attempts=attempts,
            latency_ms=latency_ms,
        )
    return ServiceError(
        code, message, http_status=status, request_id=request_id, attempts=attempts,
        latency_ms=latency_ms,
    )


def _network_message(exc: Exception) -> str:
    """Say which network failure it was: unknown host, refused, or reset."""
    cause = str(getattr(exc, "kwargs", {}).get("error", "")) + " " + str(exc)
    url = getattr(exc, "kwargs", {}).get("endpoint_url", "")
    lowered = cause.lower()
    if any(s in lowered for s in ("name or service not known", "nodename nor servname",
                                  "getaddrinfo", "name resolution", "no address associated")):
        return f"The endpoint's host name could not be resolved (DNS): {url}".rstrip(": ")
    if "refused" in lowered:
        return f"Connection refused: nothing is listening at {url}".rstrip(": ")
    if "reset" in lowered or "closed" in lowered or "aborted" in lowered:
        return f"The connection was closed before a complete response arrived ({exc})."
    return str(exc)


def _classify(exc: Exception, attempts: int, latency_ms: float) -> ServiceError:
    """Turn anything boto3 raised into a catalogued ServiceError."""
    from botocore import exceptions as bce
    from botocore.parsers import ResponseParserError

    if isinstance(exc, UnexpectedAnswerError):
        return unexpected_answer(exc, attempts, latency_ms)
    if isinstance(exc, bce.ClientError):
        return _classify_client_error(exc, attempts, latency_ms)
    kind, message = UNKNOWN_ERROR, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, bce.ReadTimeoutError | bce.ConnectTimeoutError):
        kind = TIMEOUT
        message = f"No response within the timeout ({exc})."
    elif isinstance(exc, bce.HTTPClientError | bce.ConnectionError | ConnectionError):
        kind, message = NETWORK_ERROR, _network_message(exc)
    elif isinstance(exc, ResponseParserError):
        kind = INVALID_RESPONSE
        message = f"The response could not be read as a Cognito response: {_short_body(exc)}"
    elif isinstance(exc, bce.ParamValidationError):
        kind, message = "InvalidParameterException", str(exc)
    return ServiceError(kind, message, attempts=attempts, latency_ms=latency_ms)


def unexpected_answer(exc: UnexpectedAnswerError, attempts: int = 1,
                      latency_ms: float | None = None) -> ServiceError:
    """The catalogued error for an answer Cognito never sends, the answer itself in the message."""
    status = f"HTTP {exc.status}" if exc.status else "The server"
    message = (f"{status} answered with something Cognito never sends: {exc.problem}. "
               f"The answer: {exc.answer}")
    return ServiceError(UNEXPECTED_ANSWER, message, http_status=exc.status, request_id=exc.request_id,
                        attempts=attempts, latency_ms=latency_ms, details={"answer": exc.answer})


def invoke(conn: CognitoConnection, operation: str, **params: Any) -> CallResult:
    """Call one Cognito operation (snake_case name), measured; raises ServiceError.

    The read timeout is also the call's total deadline (connecting, waiting and reading together):
    a server that answers a byte at a time is cut off when it passes."""
    method: Callable[..., dict[str, Any]] = getattr(conn.client, operation)
    deadline_s = conn.settings.read_timeout_s
    conn.reset_send_count()
    started = time.perf_counter()
    with within(deadline_s, conn.sockets) as watch:
        try:
            response = method(**params)
        except Exception as exc:  # every failure becomes a catalogued error
            latency_ms = (time.perf_counter() - started) * 1000
            if watch.fired:
                raise ServiceError(
                    TIMEOUT, f"No complete response within {deadline_s:g} s (the whole call: connecting, "
                             "waiting and reading the answer).",
                    attempts=max(conn.send_count, 1), latency_ms=latency_ms) from exc
            raise _classify(exc, max(conn.send_count, 1), latency_ms) from exc
    latency_ms = (time.perf_counter() - started) * 1000
    metadata = response.get("ResponseMetadata", {})
    return CallResult(
        response=response,
        request_id=metadata.get("RequestId"),
        http_status=metadata.get("HTTPStatusCode"),
        latency_ms=latency_ms,
        attempts=max(conn.send_count, 1),
    )


def _parse_attributes(raw: list[dict[str, str]]) -> tuple[UserAttribute, ...]:
    values = {item["Name"]: item.get("Value", "") for item in raw}
    attributes = []
    for name, value in values.items():
        verified: bool | None = None
        if name in VERIFIABLE_ATTRIBUTES:
            verified = values.get(f"{name}_verified", "false").lower() == "true"
        attributes.append(UserAttribute(name, value, verified))
    return tuple(attributes)


def get_user(conn: CognitoConnection, access_token: str) -> UserProfile:
    """GetUser: the user's attributes with their verified flags."""
    response = invoke(conn, "get_user", AccessToken=access_token).response
    return UserProfile(
        username=str(response.get("Username", "")),
        attributes=_parse_attributes(response.get("UserAttributes", [])),
        mfa_options=tuple(response.get("UserMFASettingList", []) or ()),
    )


def send_verification_code(
    conn: CognitoConnection,
    access_token: str,
    attribute_name: str,
    client_metadata: dict[str, str] | None = None,
) -> SendResult:
    """GetUserAttributeVerificationCode; ClientMetadata is sent only when not empty."""
    params: dict[str, Any] = {"AccessToken": access_token, "AttributeName": attribute_name}
    if client_metadata:
        params["ClientMetadata"] = dict(client_metadata)
    result = invoke(conn, "get_user_attribute_verification_code", **params)
    try:
        delivery = CodeDeliveryDetails.from_api(result.response.get("CodeDeliveryDetails"))
    except UnexpectedAnswerError as exc:
        exc.status, exc.request_id = result.http_status, result.request_id
        raise unexpected_answer(exc, result.attempts, result.latency_ms) from None
    return SendResult(
        delivery=delivery,
        request_id=result.request_id,
        http_status=result.http_status,
        latency_ms=result.latency_ms,
        attempts=result.attempts,
    )


@dataclass(frozen=True)
class UpdateResult:
    """The outcome of a successful UpdateUserAttributes: where each code went (one per changed email or
    phone number the pool verifies automatically; none for other attributes)."""

    deliveries: tuple[CodeDeliveryDetails, ...]
    request_id: str | None
    http_status: int | None
    latency_ms: float
    attempts: int

    def delivery_for(self, attribute_name: str) -> CodeDeliveryDetails | None:
        return next((d for d in self.deliveries if d.attribute_name == attribute_name), None)


def update_user_attributes(
    conn: CognitoConnection,
    access_token: str,
    attributes: Mapping[str, str],
    client_metadata: dict[str, str] | None = None,
) -> UpdateResult:
    """UpdateUserAttributes as the signed-in user; ClientMetadata is sent only when not empty."""
    params: dict[str, Any] = {
        "AccessToken": access_token,
        "UserAttributes": [{"Name": name, "Value": value} for name, value in attributes.items()],
    }
    if client_metadata:
        params["ClientMetadata"] = dict(client_metadata)
    result = invoke(conn, "update_user_attributes", **params)
    listed = result.response.get("CodeDeliveryDetailsList") or []
    try:
        deliveries = tuple(d for d in (CodeDeliveryDetails.from_api(item) for item in listed)
                           if d is not None)
    except UnexpectedAnswerError as exc:
        exc.status, exc.request_id = result.http_status, result.request_id
        raise unexpected_answer(exc, result.attempts, result.latency_ms) from None
    return UpdateResult(
        deliveries=deliveries,
        request_id=result.request_id,
        http_status=result.http_status,
        latency_ms=result.latency_ms,
        attempts=result.attempts,
    )


def verify_attribute(
    conn: CognitoConnection, access_token: str, attribute_name: str, code: str
) -> CallResult:
    """VerifyUserAttribute with the code the user received."""
    return invoke(
        conn, "verify_user_attribute",
        AccessToken=access_token, AttributeName=attribute_name, Code=code,
    )
