"""The sandbox inbox tells whether each code still works: the newest code of a user's attribute is
valid until it is used or expires; an older one is superseded; a code for another attribute is not."""

from __future__ import annotations

from typing import Any

from app.core.calls import send_verification_code, verify_attribute

from support.sandbox_session import connect, signed_in


def _states(sandbox: Any, username: str) -> list[tuple[str, str]]:
    return [(m["attribute"], m["state"]) for m in sandbox.control.inbox(username)]


def test_codes_are_valid_then_superseded_used_or_expired(sandbox: Any, fresh_user: dict[str, str]) -> None:
    conn = connect(sandbox.info)
    token = signed_in(conn, fresh_user).access_token
    username = fresh_user["username"]
    send_verification_code(conn, token, "email")
    assert _states(sandbox, username) == [("email", "valid")]

    send_verification_code(conn, token, "phone_number")
    send_verification_code(conn, token, "email")
    assert _states(sandbox, username) == [
        ("email", "superseded"), ("phone_number", "valid"), ("email", "valid")]

    verify_attribute(conn, token, "email", sandbox.control.latest_code(username, "email"))
    sandbox.control.expire_codes(username, "phone_number")
    assert _states(sandbox, username) == [
        ("email", "superseded"), ("phone_number", "expired"), ("email", "used")]
    assert all(m["code"] for m in sandbox.control.inbox(username))
