"""Is this a live access token of the sandbox's pool? Answered the way Cognito answers it."""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from app.sandbox.state import SandboxState
from app.sandbox.wire import ApiError, not_authorized

INVALID = "Invalid Access Token"
EXPIRED = "Access Token has expired"
REVOKED = "Access Token has been revoked"


def _claims(state: SandboxState, token: str) -> dict[str, Any]:
    try:
        decoded = jwt.decode(token, state.pool.json_web_key)
    except (JoseError, ValueError, TypeError):
        raise not_authorized(INVALID) from None
    claims = dict(decoded.claims)
    issuer = f"https://cognito-idp.{state.region}.amazonaws.com/{state.pool_id}"
    if claims.get("token_use") != "access" or claims.get("iss") != issuer:
        raise not_authorized(INVALID)
    return claims


def resolve(state: SandboxState, token: object) -> tuple[Any, str]:
    """The moto user and client id behind a live access token; otherwise the error Cognito answers a
    token call with.

    A token outlives what it names, and the answer says which part is gone. A deleted pool or app
    client is ResourceNotFoundException, the error the API reference lists for a resource Cognito cannot
    find: the pool first (the token's issuer), then the token's `client_id` (after
    DeleteUserPoolClient nobody can use that client; a revoked-token NotAuthorizedException would hide
    why). A deleted user is UserNotFoundException "User does not exist.". A user whose password an
    admin reset (RESET_REQUIRED) is PasswordResetRequiredException until they set a new one.
    """
    if not isinstance(token, str) or not token:
        raise not_authorized(INVALID)
    claims = _claims(state, token)
    exp = claims.get("exp")
    with state.lock:
        expired = token in state.expired_tokens
    if expired or not isinstance(exp, int | float) or exp <= time.time():
        raise not_authorized(EXPIRED)
    issued = state.pool.access_tokens.get(token)
    if issued is None:
        raise not_authorized(REVOKED)
    client_id, username = issued
    if state.client(str(client_id)) is None:
        raise ApiError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    user = state.user(username)
    if user is None:
        raise ApiError("UserNotFoundException", "User does not exist.")
    if not user.enabled:
        raise not_authorized("User is disabled.")
    if str(getattr(user.status, "value", user.status)) == "RESET_REQUIRED":
        raise ApiError("PasswordResetRequiredException", "Password reset required for the user")
    return user, str(client_id)


def expire_tokens_of(state: SandboxState, username: str) -> int:
    """Mark every current access token of the user expired; returns how many."""
    user = state.user(username)
    if user is None:
        raise KeyError(username)
    tokens = [t for t, (_, name) in list(state.pool.access_tokens.items()) if name == user.username]
    with state.lock:
        state.expired_tokens.update(tokens)
    return len(tokens)
