"""What GetUserAttributeVerificationCode answers, not injected, when what a live access token names
changes after sign-in: the user deleted, the app client or the whole pool deleted, the password reset
by an admin. Each reaches the core and the CLI typed, sends no code, and lands in history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.core.calls import send_verification_code
from app.core.connection import CognitoConnection
from app.core.history import HistoryStore
from app.core.models import Outcome
from app.core.recording import send_recorded
from app.sandbox import Sandbox

from support.documented_errors import OPERATION, connection_args, documented_status, run_cli
from support.sandbox_session import connect, signed_in


def _admin(info: Any) -> Any:
    return boto3.client(
        "cognito-idp", region_name=info.region, endpoint_url=info.endpoint_url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )


@pytest.fixture
def history(verifydesk_home: Path) -> Iterator[HistoryStore]:
    with HistoryStore(verifydesk_home / "history.sqlite3") as store:
        yield store


def _assert_refused_everywhere(
    sandbox: Any, info: Any, conn: CognitoConnection, history: HistoryStore, token: str, username: str,
    code: str, message: str,
) -> None:
    """The send fails with `code` and `message` through the core (recorded) and the CLI (exit 1, JSON,
    history), one request each, and no code reaches the inbox."""
    delivered = len(sandbox.control.inbox())
    before = sandbox.control.request_count(OPERATION)
    sent = send_recorded(conn, history, access_token=token, username=username, attribute_name="email",
                         client_metadata={})
    assert sent.error is not None
    assert (sent.error.code, sent.error.message) == (code, message)
    assert sent.error.http_status == documented_status(code)
    row = history.get(sent.history_id or -1)
    assert row is not None and (row.outcome, row.error_code) == (Outcome.ERROR, code)

    exit_code, out, _ = run_cli(
        ["send", *connection_args(info, client_id=conn.settings.client_id), "--access-token-stdin",
         "--attribute", "email", "--json"],
        stdin=token + "\n",
    )
    payload = json.loads(out)
    assert exit_code == 1, out
    assert (payload["error"]["code"], payload["error"]["message"]) == (code, message)
    assert payload["error"]["http_status"] == documented_status(code)
    listed, out, _ = run_cli(["history", "--json", "--limit", "1"])
    assert listed == 0, out
    assert json.loads(out)["records"][0]["error_code"] == code
    assert sandbox.control.request_count(OPERATION) == before + 2
    assert len(sandbox.control.inbox()) == delivered


def test_a_user_deleted_after_sign_in_is_user_not_found_on_the_send(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], history: HistoryStore
) -> None:
    conn = connect(sandbox_info)
    token = signed_in(conn, fresh_user).access_token
    assert send_verification_code(conn, token, "email").delivery is not None
    _admin(sandbox_info).admin_delete_user(UserPoolId=sandbox_info.user_pool_id, Username=fresh_user["username"])
    _assert_refused_everywhere(sandbox, sandbox_info, conn, history, token, fresh_user["username"],
                               "UserNotFoundException", "User does not exist.")


def test_a_deleted_app_client_is_resource_not_found_on_the_send(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], history: HistoryStore
) -> None:
    admin = _admin(sandbox_info)
    client_id = admin.create_user_pool_client(
        UserPoolId=sandbox_info.user_pool_id, ClientName="soon-deleted",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    conn = connect(sandbox_info, client_id=client_id)
    token = signed_in(conn, fresh_user).access_token
    assert send_verification_code(conn, token, "email").delivery is not None
    admin.delete_user_pool_client(UserPoolId=sandbox_info.user_pool_id, ClientId=client_id)
    _assert_refused_everywhere(sandbox, sandbox_info, conn, history, token, fresh_user["username"],
                               "ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    # The pool's other client is untouched.
    other = connect(sandbox_info)
    assert send_verification_code(other, signed_in(other, fresh_user).access_token, "email").delivery


def test_a_deleted_pool_is_resource_not_found_on_the_send(history: HistoryStore) -> None:
    with Sandbox() as own:
        info = own.info
        user = own.control.create_user()
        conn = connect(info)
        token = signed_in(conn, user).access_token
        assert send_verification_code(conn, token, "email").delivery is not None
        _admin(info).delete_user_pool(UserPoolId=info.user_pool_id)
        _assert_refused_everywhere(own, info, conn, history, token, user["username"],
                                   "ResourceNotFoundException", f"User pool {info.user_pool_id} does not exist.")


def test_a_password_reset_by_an_admin_is_password_reset_required_on_the_send(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], history: HistoryStore
) -> None:
    conn = connect(sandbox_info)
    token = signed_in(conn, fresh_user).access_token
    admin = _admin(sandbox_info)
    # Cognito resets only a user with a verified email or phone number to send the reset code to.
    admin.admin_update_user_attributes(
        UserPoolId=sandbox_info.user_pool_id, Username=fresh_user["username"],
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    assert send_verification_code(conn, token, "email").delivery is not None
    admin.admin_reset_user_password(UserPoolId=sandbox_info.user_pool_id, Username=fresh_user["username"])
    _assert_refused_everywhere(sandbox, sandbox_info, conn, history, token, fresh_user["username"],
                               "PasswordResetRequiredException", "Password reset required for the user")
