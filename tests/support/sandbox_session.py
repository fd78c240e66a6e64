"""Small helpers for tests that talk to the sandbox through the core (no sandbox internals)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from app.core.auth import AuthFlow, sign_in_password
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.errors import ServiceError
from app.core.tokens import Tokens


def connect(
    info: Any, *, secret: bool = False, client_secret: str | None = None, client_id: str | None = None,
    **changes: Any,
) -> CognitoConnection:
    """A connection to the public client, or to the client with a secret (the real one unless given)."""
    return CognitoConnection(ConnectionSettings(
        region=info.region,
        client_id=client_id or (info.client_id_with_secret if secret else info.client_id),
        endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id,
        client_secret=(client_secret or info.client_secret) if secret else None,
        **changes,
    ))


def signed_in(conn: CognitoConnection, user: dict[str, Any], flow: AuthFlow = AuthFlow.USER_PASSWORD_AUTH) -> Tokens:
    step = sign_in_password(conn, user["username"], user["password"], flow)
    assert isinstance(step, Tokens), step
    return step


def service_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> ServiceError:
    """The ServiceError a core call raises (fails the test when it succeeds)."""
    try:
        result = call(*args, **kwargs)
    except ServiceError as error:
        return error
    raise AssertionError(f"expected a ServiceError, got {result!r}")


def totp_code(secret: str, at: float | None = None) -> str:
    """The authenticator code, computed with `cryptography` (independent of the sandbox's own TOTP)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303 (RFC 6238 is HMAC-SHA1)
    return totp.generate(time.time() if at is None else at).decode()


def masked_phone(number: str) -> str:
    digits = number.lstrip("+")
    return "+" + "*" * (len(digits) - 4) + digits[-4:]
