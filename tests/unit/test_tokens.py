"""Access-token claims are decoded for display, with warnings a tester can act on."""

from __future__ import annotations

import base64
import json
import time

import pytest

from app.core.tokens import ADMIN_SCOPE, TokenDecodeError, Tokens, decode_claims, describe_access_token


def _segment(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def make_token(**claims: object) -> str:
    return f"{_segment({'alg': 'RS256'})}.{_segment(claims)}.c2lnbmF0dXJl"


def test_access_token_claims_show_user_client_scope_expiry_and_pool() -> None:
    token = make_token(
        username="alice", client_id="abc123", scope=f"openid {ADMIN_SCOPE}", exp=2_000_000_000,
        iat=1_999_996_400, token_use="access", sub="s-1",
        iss="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
    )
    info = describe_access_token(token)
    assert (info.username, info.client_id, info.user_pool_id, info.region) == (
        "alice", "abc123", "eu-west-1_AbC", "eu-west-1",
    )
    assert info.has_admin_scope
    assert info.expires_at == 2_000_000_000
    assert info.warnings(now=1_999_999_000) == []


def test_missing_admin_scope_and_expiry_are_warned() -> None:
    info = describe_access_token(make_token(username="bob", scope="openid email", exp=100, token_use="access"))
    warnings = info.warnings(now=200)
    assert any(ADMIN_SCOPE in w for w in warnings)
    assert any("expired" in w for w in warnings)


def test_an_id_token_is_called_out() -> None:
    info = describe_access_token(make_token(**{"cognito:username": "c", "token_use": "id", "aud": "cid"}))
    assert info.username == "c" and info.client_id == "cid"
    assert any("id token" in w for w in info.warnings())


@pytest.mark.parametrize("text", ["", "abc", "a.b", "a.!!!.c", f"x.{_segment({'a': 1})[:-2]}%.y", "a.W10.c"])
def test_non_jwts_are_refused_with_token_decode_error(text: str) -> None:
    with pytest.raises(TokenDecodeError):
        decode_claims(text)


def test_tokens_from_auth_result_take_expiry_from_the_token_and_keep_the_refresh_token() -> None:
    access = make_token(exp=1234, token_use="access")
    tokens = Tokens.from_auth_result(
        {"AccessToken": access, "ExpiresIn": 3600, "IdToken": "id"}, previous_refresh_token="r" * 20
    )
    assert tokens.expires_at == 1234
    assert tokens.refresh_token == "r" * 20
    assert access not in repr(tokens) and "r" * 20 not in repr(tokens)


def test_tokens_without_exp_claim_use_expires_in() -> None:
    tokens = Tokens.from_auth_result({"AccessToken": "opaque", "ExpiresIn": 60})
    left = tokens.seconds_left()
    assert left is not None and 55 < left <= 60
    assert tokens.secrets == ("opaque",)
    assert tokens.seconds_left(now=time.time() + 120) is not None
