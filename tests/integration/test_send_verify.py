"""GetUserAttributeVerificationCode and VerifyUserAttribute end to end: core → HTTP → sandbox → inbox → history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.auth import refresh
from app.core.calls import get_user, send_verification_code, verify_attribute
from app.core.connection import CognitoConnection
from app.core.history import HistoryStore
from app.core.models import Outcome
from app.core.recording import send_recorded, verify_recorded
from app.core.tokens import Tokens

from support.sandbox_session import connect, masked_phone, service_error, signed_in


@pytest.fixture
def conn(sandbox_info: Any) -> CognitoConnection:
    return connect(sandbox_info)


@pytest.fixture
def tokens(conn: CognitoConnection, fresh_user: dict[str, Any]) -> Tokens:
    return signed_in(conn, fresh_user)


@pytest.fixture
def history(verifydesk_home: Path) -> Iterator[HistoryStore]:
    with HistoryStore(verifydesk_home / "history.sqlite3") as store:
        yield store


def _other(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_get_user_shows_email_and_phone_unverified_at_first(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any]
) -> None:
    profile = get_user(conn, tokens.access_token)
    email, phone = profile.attribute("email"), profile.attribute("phone_number")
    assert email is not None and phone is not None
    assert (email.value, email.verified) == (fresh_user["email"], False)
    assert (phone.value, phone.verified) == (fresh_user["phone_number"], False)


def test_send_with_metadata_read_the_inbox_verify_and_the_flag_flips(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any], sandbox: Any, history: HistoryStore
) -> None:
    metadata = {"source": "integration", "ünï": "çødé", "empty": ""}
    sent = send_recorded(
        conn, history, access_token=tokens.access_token, username=fresh_user["username"],
        attribute_name="email", client_metadata=metadata,
    )
    assert sent.ok, sent.error
    assert sent.result is not None and sent.result.delivery is not None
    delivery = sent.result.delivery
    assert (delivery.attribute_name, delivery.delivery_medium) == ("email", "EMAIL")
    assert delivery.destination == f"{fresh_user['username'][0]}***@e***"
    assert sent.result.request_id and sent.result.http_status == 200

    message = sandbox.control.inbox(fresh_user["username"])[-1]
    assert message["client_metadata"] == metadata
    assert (message["attribute"], message["medium"], message["destination"]) == ("email", "EMAIL", fresh_user["email"])
    assert message["code"] in message["message"]
    assert message["trigger_error"] is None
    code = sandbox.control.latest_code(fresh_user["username"], "email")
    assert code == message["code"] and len(code) == 6 and code.isdigit()

    verified = verify_recorded(
        conn, history, access_token=tokens.access_token, username=fresh_user["username"],
        attribute_name="email", code=code,
    )
    assert verified.ok, verified.error
    profile = get_user(conn, tokens.access_token)
    assert profile.attribute("email").verified is True  # type: ignore[union-attr]
    assert profile.attribute("phone_number").verified is False  # type: ignore[union-attr]

    rows = [history.get(sent.history_id or -1), history.get(verified.history_id or -1)]
    assert [r.outcome if r else None for r in rows] == [Outcome.SUCCESS, Outcome.SUCCESS]
    assert rows[0] is not None and rows[0].client_metadata == metadata
    assert rows[0].delivery == delivery


def test_phone_number_is_sent_by_sms_with_a_masked_destination(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any], sandbox: Any
) -> None:
    result = send_verification_code(conn, tokens.access_token, "phone_number")
    assert result.delivery is not None
    assert result.delivery.delivery_medium == "SMS"
    assert result.delivery.destination == masked_phone(fresh_user["phone_number"])
    assert sandbox.control.inbox(fresh_user["username"])[-1]["client_metadata"] is None
    code = sandbox.control.latest_code(fresh_user["username"], "phone_number")
    verify_attribute(conn, tokens.access_token, "phone_number", code)
    assert get_user(conn, tokens.access_token).attribute("phone_number").verified is True  # type: ignore[union-attr]


def test_the_seeded_user_alice_shows_the_documented_masks(sandbox_info: Any, sandbox: Any) -> None:
    conn = connect(sandbox_info)
    alice = sandbox_info.user("alice")
    token = signed_in(conn, alice).access_token
    email = send_verification_code(conn, token, "email").delivery
    phone = send_verification_code(conn, token, "phone_number").delivery
    assert email is not None and phone is not None
    assert (email.destination, phone.destination) == ("a***@e***", "+*******0100")


def test_a_new_code_replaces_the_old_one(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any], sandbox: Any
) -> None:
    send_verification_code(conn, tokens.access_token, "email")
    first = sandbox.control.latest_code(fresh_user["username"], "email")
    send_verification_code(conn, tokens.access_token, "email")
    second = sandbox.control.latest_code(fresh_user["username"], "email")
    if first != second:
        error = service_error(verify_attribute, conn, tokens.access_token, "email", first)
        assert error.code == "CodeMismatchException"
    verify_attribute(conn, tokens.access_token, "email", second)


def test_a_wrong_code_is_a_mismatch_and_a_used_code_has_expired(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any], sandbox: Any, history: HistoryStore
) -> None:
    send_verification_code(conn, tokens.access_token, "email")
    code = sandbox.control.latest_code(fresh_user["username"], "email")
    wrong = verify_recorded(
        conn, history, access_token=tokens.access_token, username=fresh_user["username"],
        attribute_name="email", code=_other(code),
    )
    assert wrong.error is not None
    assert (wrong.error.code, wrong.error.message) == (
        "CodeMismatchException", "Invalid verification code provided, please try again."
    )
    row = history.get(wrong.history_id or -1)
    assert row is not None and row.outcome is Outcome.ERROR and row.error_code == "CodeMismatchException"
    verify_attribute(conn, tokens.access_token, "email", code)
    reused = service_error(verify_attribute, conn, tokens.access_token, "email", code)
    assert (reused.code, reused.message) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")


def test_an_expired_code_answers_expired_code(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any], sandbox: Any
) -> None:
    send_verification_code(conn, tokens.access_token, "phone_number")
    code = sandbox.control.latest_code(fresh_user["username"], "phone_number")
    assert sandbox.control.expire_codes(fresh_user["username"], "phone_number") == 1
    error = service_error(verify_attribute, conn, tokens.access_token, "phone_number", code)
    assert error.code == "ExpiredCodeException"
    assert "request a code again" in error.guidance.lower() or "new code" in error.guidance.lower()


def test_five_wrong_codes_exceed_the_attempt_limit(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any], sandbox: Any
) -> None:
    send_verification_code(conn, tokens.access_token, "email")
    code = sandbox.control.latest_code(fresh_user["username"], "email")
    codes = [service_error(verify_attribute, conn, tokens.access_token, "email", _other(code)).code for _ in range(5)]
    assert codes == ["CodeMismatchException"] * 4 + ["LimitExceededException"]
    assert service_error(verify_attribute, conn, tokens.access_token, "email", code).code == "ExpiredCodeException"


def test_an_already_verified_attribute_can_get_a_new_code(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any], sandbox: Any
) -> None:
    for _ in range(2):
        send_verification_code(conn, tokens.access_token, "email")
        verify_attribute(conn, tokens.access_token, "email", sandbox.control.latest_code(fresh_user["username"], "email"))
    assert get_user(conn, tokens.access_token).attribute("email").verified is True  # type: ignore[union-attr]


@pytest.mark.parametrize("attribute", ["name", "email_verified", "custom:tier"])
def test_only_email_and_phone_number_can_be_verified(
    conn: CognitoConnection, tokens: Tokens, attribute: str
) -> None:
    error = service_error(send_verification_code, conn, tokens.access_token, attribute)
    assert (error.code, error.message) == (
        "InvalidParameterException", "Invalid attribute name. Only phone_number and email can be verified."
    )
    error = service_error(verify_attribute, conn, tokens.access_token, attribute, "123456")
    assert error.code == "InvalidParameterException"


def test_a_user_without_a_phone_number_cannot_get_a_phone_code(conn: CognitoConnection, sandbox: Any) -> None:
    user = sandbox.control.create_user(phone=False)
    token = signed_in(conn, user).access_token
    error = service_error(send_verification_code, conn, token, "phone_number")
    assert error.code == "InvalidParameterException"
    assert "phone_number" in error.message


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ("a" * 33, "Member must have length less than or equal to 32"),
        ("bad\u200bname", "Member must satisfy regular expression pattern"),
        ("", "Member must have length greater than or equal to 1"),
    ],
)
def test_the_server_validates_attribute_name_like_aws(
    conn: CognitoConnection, tokens: Tokens, attribute: str, expected: str
) -> None:
    error = service_error(send_verification_code, conn, tokens.access_token, attribute)
    assert error.code == "InvalidParameterException"
    assert error.message.startswith("1 validation error detected: ")
    assert "'attributeName'" in error.message and expected in error.message


def test_a_name_with_whitespace_passes_the_models_pattern_and_is_answered_as_an_unknown_attribute(
    conn: CognitoConnection, tokens: Tokens
) -> None:
    # botocore's model (the sandbox's source) lets space, tab, CR and LF through AttributeNameType.
    error = service_error(send_verification_code, conn, tokens.access_token, "e mail")
    assert error.code == "InvalidParameterException"
    assert "validation error" not in error.message
    assert "Invalid attribute name" in error.message


def test_the_server_validates_the_access_token_shape_without_echoing_it(conn: CognitoConnection) -> None:
    token = "not a token!"
    error = service_error(send_verification_code, conn, token, "email")
    assert error.code == "InvalidParameterException"
    assert "'accessToken'" in error.message and token not in error.message


def test_non_string_client_metadata_values_are_refused_by_the_server(
    conn: CognitoConnection, tokens: Tokens
) -> None:
    error = service_error(
        send_verification_code, conn, tokens.access_token, "email", {"count": 3}  # type: ignore[dict-item]
    )
    assert error.code == "InvalidParameterException"
    assert "'clientMetadata'" in error.message


def test_several_broken_members_are_counted_in_one_message(conn: CognitoConnection) -> None:
    error = service_error(send_verification_code, conn, "bad token", "x" * 40)
    assert error.message.startswith("2 validation errors detected: ")


def test_an_expired_access_token_offers_refresh_and_the_refreshed_one_works(
    conn: CognitoConnection, tokens: Tokens, fresh_user: dict[str, Any], sandbox: Any, history: HistoryStore
) -> None:
    assert sandbox.control.expire_access_tokens(fresh_user["username"]) >= 1
    sent = send_recorded(
        conn, history, access_token=tokens.access_token, username=fresh_user["username"],
        attribute_name="email", client_metadata={},
    )
    assert sent.error is not None
    assert (sent.error.code, sent.error.message) == ("NotAuthorizedException", "Access Token has expired")
    assert sent.error.offers_refresh
    assert service_error(get_user, conn, tokens.access_token).message == "Access Token has expired"
    row = history.get(sent.history_id or -1)
    assert row is not None and row.error_code == "NotAuthorizedException"
    assert tokens.refresh_token
    renewed = refresh(conn, tokens.refresh_token, fresh_user["username"])
    assert send_verification_code(conn, renewed.access_token, "email").delivery is not None


@pytest.mark.parametrize("tamper", ["append", "other-pool-shape", "id-token"])
def test_a_token_that_is_not_a_live_access_token_is_invalid(
    conn: CognitoConnection, tokens: Tokens, tamper: str
) -> None:
    if tamper == "append":
        token = tokens.access_token + "x"
    elif tamper == "other-pool-shape":
        token = "eyJhbGciOiJub25lIn0.eyJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2ln"
    else:
        assert tokens.id_token
        token = tokens.id_token
    error = service_error(send_verification_code, conn, token, "email")
    assert (error.code, error.message) == ("NotAuthorizedException", "Invalid Access Token")
