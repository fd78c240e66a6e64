"""Tokens of a signed-in session, and what a pasted access token says about itself.

Claims are decoded without checking the signature: the tool only shows them, Cognito checks them.
A `Tokens` object lives in memory only; its repr hides every token.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from app.core.answers import UnexpectedAnswerError, json_kind, short_repr

ADMIN_SCOPE = "aws.cognito.signin.user.admin"


class TokenDecodeError(ValueError):
    """The text is not a decodable JWT."""


def _usable_seconds(value: object) -> bool:
    """A number of seconds time arithmetic can use (not true/false, NaN or astronomically large)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) < 1e12 if isinstance(value, int) else math.isfinite(value) and abs(value) < 1e12


@dataclass(frozen=True)
class Tokens:
    """The tokens of one session; `expires_at` is a Unix time of the access token's expiry."""

    access_token: str = field(repr=False)
    id_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None
    token_type: str = "Bearer"

    @classmethod
    def from_auth_result(
        cls, result: dict[str, Any], *, previous_refresh_token: str | None = None
    ) -> Tokens:
        """From an `AuthenticationResult`; a refresh keeps the refresh token it was given.

        UnexpectedAnswerError when a field has a type Cognito never sends."""
        if not isinstance(result, dict):
            raise UnexpectedAnswerError(
                f"AuthenticationResult is {json_kind(result)} where Cognito sends an object")
        expires_in = result.get("ExpiresIn")
        access_token = result.get("AccessToken")
        if not isinstance(access_token, str) or not access_token:
            raise UnexpectedAnswerError(
                f"AuthenticationResult.AccessToken is {json_kind(access_token)} where Cognito sends a token")
        if expires_in is not None and not _usable_seconds(expires_in):
            raise UnexpectedAnswerError(
                f"AuthenticationResult.ExpiresIn is {json_kind(expires_in)}"
                f" ({short_repr(expires_in)}) where Cognito sends a whole number of seconds")
        for key in ("IdToken", "RefreshToken", "TokenType"):
            value = result.get(key)
            if value is not None and not isinstance(value, str):
                raise UnexpectedAnswerError(
                    f"AuthenticationResult.{key} is {json_kind(value)} where Cognito sends a string")
        expires_at = time.time() + float(expires_in) if expires_in else None
        try:
            claims_exp = decode_claims(access_token).get("exp")
            if isinstance(claims_exp, int | float):
                expires_at = float(claims_exp)
        except TokenDecodeError:
            pass
        return cls(
            access_token=access_token,
            id_token=result.get("IdToken"),
            refresh_token=result.get("RefreshToken") or previous_refresh_token,
            expires_at=expires_at,
            token_type=str(result.get("TokenType") or "Bearer"),
        )

    def seconds_left(self, now: float | None = None) -> float | None:
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret string of this session (for redaction)."""
        return tuple(t for t in (self.access_token, self.id_token, self.refresh_token) if t)


def _b64url_decode(segment: str) -> bytes:
    padded = segment + "=" * (-len(segment) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def decode_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise TokenDecodeError("Not a JWT: expected three dot-separated parts.")
    try:
        payload = json.loads(_b64url_decode(parts[1]))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise TokenDecodeError(f"Not a JWT: the payload does not decode ({exc}).") from None
    if not isinstance(payload, dict):
        raise TokenDecodeError("Not a JWT: the payload is not a JSON object.")
    return payload


@dataclass(frozen=True)
class AccessTokenInfo:
    """What an access token claims about its session."""

    username: str | None
    client_id: str | None
    scopes: tuple[str, ...]
    expires_at: float | None
    issued_at: float | None
    user_pool_id: str | None
    region: str | None
    token_use: str | None
    subject: str | None

    @property
    def has_admin_scope(self) -> bool:
        return ADMIN_SCOPE in self.scopes

    def warnings(self, now: float | None = None) -> list[str]:
        """What a tester should know before using this token."""
        notes: list[str] = []
        if self.token_use not in (None, "access"):
            notes.append(
                f"This is an {self.token_use} token; GetUserAttributeVerificationCode needs "
                "the access token."
            )
        if not self.has_admin_scope:
            notes.append(
                f"The token's scope lacks {ADMIN_SCOPE}: Cognito will refuse this call with "
                "NotAuthorizedException. Sign in with the user-pool API or request that scope."
            )
        current = time.time() if now is None else now
        if self.expires_at is not None and self.expires_at <= current:
            notes.append("The token has expired; sign in again or refresh.")
        return notes


def _float_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _pool_from_issuer(issuer: object) -> tuple[str | None, str | None]:
    """(`user_pool_id`, region) from an issuer like `https://cognito-idp.<region>.amazonaws.com/<pool>`."""
    if not isinstance(issuer, str) or "/" not in issuer:
        return None, None
    pool_id = issuer.rstrip("/").rsplit("/", 1)[-1] or None
    region = pool_id.split("_", 1)[0] if pool_id and "_" in pool_id else None
    return pool_id, region


def describe_access_token(token: str) -> AccessTokenInfo:
    """The claims of a pasted access token, for display; raises TokenDecodeError."""
    claims = decode_claims(token)
    scope = claims.get("scope")
    scopes = tuple(scope.split()) if isinstance(scope, str) else ()
    pool_id, region = _pool_from_issuer(claims.get("iss"))
    username = claims.get("username") or claims.get("cognito:username")
    client_id = claims.get("client_id") or claims.get("aud")
    return AccessTokenInfo(
        username=str(username) if username else None,
        client_id=str(client_id) if client_id else None,
        scopes=scopes,
        expires_at=_float_or_none(claims.get("exp")),
        issued_at=_float_or_none(claims.get("iat")),
        user_pool_id=pool_id,
        region=region,
        token_use=str(claims["token_use"]) if claims.get("token_use") else None,
        subject=str(claims["sub"]) if claims.get("sub") else None,
    )
