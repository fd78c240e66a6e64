"""UpdateUserAttributes against the sandbox over HTTP, through the core: keep-original on and off, the
code to the new value, the Custom Message trigger's CustomMessage_UpdateUserAttribute event, GetUser
before and after verification, Cognito's refusals, and the per-user code rate."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.core.calls import get_user, send_verification_code, update_user_attributes, verify_attribute
from app.core.connection import CognitoConnection
from app.sandbox import Sandbox, SandboxControlError
from app.sandbox.state import CodeRate

from support.sandbox_session import connect, masked_phone, service_error, signed_in

ECHO = f"{Path(__file__).resolve().parents[1] / 'support' / 'triggers' / 'echo.py'}:handler"
METADATA = {"flow": "change-email", "ünï": "çødé ✓", "empty": ""}

RATE_WINDOW_S = 4.0


@pytest.fixture(scope="module")
def pool() -> Iterator[Sandbox]:
    """A sandbox of this module's own (its settings change), with the echo trigger."""
    with Sandbox(trigger=ECHO) as sandbox:
        yield sandbox


@pytest.fixture
def keep(pool: Sandbox) -> Iterator[Any]:
    """Set the pool's keep-original attributes for one test; the demo setting comes back after."""
    yield pool.control.set_keep_original
    pool.control.set_keep_original(["email"])


@pytest.fixture
def user(pool: Sandbox) -> dict[str, Any]:
    return pool.control.create_user()


@pytest.fixture
def conn(pool: Sandbox) -> CognitoConnection:
    return connect(pool.info)


@pytest.fixture
def token(conn: CognitoConnection, user: dict[str, Any]) -> str:
    return signed_in(conn, user).access_token


def _active(conn: CognitoConnection, token: str, name: str) -> tuple[str, bool | None]:
    attribute = get_user(conn, token).attribute(name)
    assert attribute is not None, name
    return attribute.value, attribute.verified


def _verify_now(pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any], name: str) -> None:
    send_verification_code(conn, token, name)
    verify_attribute(conn, token, name, pool.control.latest_code(user["username"], name))


def test_the_demo_pool_keeps_the_original_email_as_describe_user_pool_reports(sandbox_info: Any) -> None:
    admin = boto3.client("cognito-idp", endpoint_url=sandbox_info.endpoint_url, region_name=sandbox_info.region,
                         aws_access_key_id="testing", aws_secret_access_key="testing")
    described = admin.describe_user_pool(UserPoolId=sandbox_info.user_pool_id)["UserPool"]
    assert described["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert set(described["AutoVerifiedAttributes"]) == {"email", "phone_number"}


def test_keep_original_the_new_email_waits_for_its_code_and_get_user_keeps_the_old_one(
    pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    _verify_now(pool, conn, token, user, "email")
    new = f"new-{user['username']}@example.org"
    result = update_user_attributes(conn, token, {"email": new}, METADATA)

    assert [d.to_api() for d in result.deliveries] == [
        {"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "n***@e***"}
    ]
    assert result.request_id and result.http_status == 200 and result.latency_ms > 0
    assert _active(conn, token, "email") == (user["email"], True)
    assert pool.control.pending_values(user["username"]) == {"email": new}

    message = pool.control.inbox(user["username"])[-1]
    assert (message["destination"], message["purpose"], message["client_metadata"]) == (
        new, "update_attribute", METADATA)
    event = pool.control.trigger_events()[-1]["event"]
    assert event["triggerSource"] == "CustomMessage_UpdateUserAttribute"
    assert event["request"]["clientMetadata"] == METADATA
    assert event["request"]["userAttributes"]["email"] == new

    verify_attribute(conn, token, "email", message["code"])
    assert _active(conn, token, "email") == (new, True)
    assert pool.control.pending_values(user["username"]) == {}


def test_a_code_requested_while_a_change_waits_goes_to_the_new_value_and_the_old_code_is_replaced(
    pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    new = f"again-{user['username']}@example.org"
    update_user_attributes(conn, token, {"email": new})
    first = pool.control.latest_code(user["username"], "email")
    sent = send_verification_code(conn, token, "email", {"step": "resend"})
    assert sent.delivery is not None and sent.delivery.destination == "a***@e***"
    resent = pool.control.inbox(user["username"])[-1]
    assert resent["destination"] == new
    assert pool.control.trigger_events()[-1]["event"]["triggerSource"] == "CustomMessage_VerifyUserAttribute"
    if first != resent["code"]:
        assert service_error(verify_attribute, conn, token, "email", first).code == "CodeMismatchException"
    verify_attribute(conn, token, "email", resent["code"])
    assert _active(conn, token, "email") == (new, True)


def test_without_keep_original_the_value_changes_at_once_unverified_and_the_code_confirms_it(
    pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    _verify_now(pool, conn, token, user, "phone_number")
    assert "phone_number" not in pool.control.keep_original()
    new = "+15555550199"
    result = update_user_attributes(conn, token, {"phone_number": new}, {"k": "v"})

    assert [(d.attribute_name, d.delivery_medium, d.destination) for d in result.deliveries] == [
        ("phone_number", "SMS", masked_phone(new))]
    assert _active(conn, token, "phone_number") == (new, False)
    assert pool.control.pending_values(user["username"]) == {}
    event = pool.control.trigger_events()[-1]["event"]
    assert (event["triggerSource"], event["request"]["clientMetadata"]) == (
        "CustomMessage_UpdateUserAttribute", {"k": "v"})

    verify_attribute(conn, token, "phone_number", pool.control.latest_code(user["username"], "phone_number"))
    assert _active(conn, token, "phone_number") == (new, True)


def test_the_keep_original_setting_covers_email_and_phone_number_both_ways(
    pool: Sandbox, keep: Any, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    assert keep(["phone_number", "email"]) == ["email", "phone_number"]
    update_user_attributes(conn, token, {"phone_number": "+15555550142"})
    assert _active(conn, token, "phone_number") == (user["phone_number"], False)
    assert pool.control.pending_values(user["username"]) == {"phone_number": "+15555550142"}

    assert keep([]) == []
    new = f"now-{user['username']}@example.org"
    update_user_attributes(conn, token, {"email": new})
    assert _active(conn, token, "email") == (new, False)
    with pytest.raises(SandboxControlError, match="only email and phone_number"):
        keep(["name"])


def test_other_attributes_change_at_once_with_no_code(
    pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    before = len(pool.control.inbox(user["username"]))
    result = update_user_attributes(conn, token, {"name": "Renamed Tester"}, METADATA)
    assert result.deliveries == ()
    assert get_user(conn, token).attribute_map["name"] == "Renamed Tester"
    assert len(pool.control.inbox(user["username"])) == before


def test_the_same_value_again_changes_nothing_and_sends_no_code(
    pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    result = update_user_attributes(conn, token, {"email": user["email"]})
    assert result.deliveries == ()
    assert pool.control.inbox(user["username"]) == []


@pytest.mark.parametrize(("attributes", "code", "words"), [
    ({"email": "not-an-email"}, "InvalidParameterException", "Invalid email address format."),
    ({"phone_number": "555 0100"}, "InvalidParameterException", "Invalid phone number format."),
    ({"custom:team": "qa"}, "InvalidParameterException", "user.custom:team: Attribute does not exist in the schema."),
    ({"sub": "x"}, "InvalidParameterException", "user.sub: Attribute cannot be updated."),
    ({"email_verified": "true"}, "NotAuthorizedException", "A client attempted to write unauthorized attribute"),
    ({"name": ""}, "InvalidParameterException", "user.name: The attribute is required."),
])
def test_cognitos_refusals_change_nothing(
    conn: CognitoConnection, token: str, user: dict[str, Any], attributes: dict[str, str], code: str, words: str
) -> None:
    before = get_user(conn, token).attribute_map
    error = service_error(update_user_attributes, conn, token, attributes)
    assert (error.code, error.http_status) == (code, 400)
    assert words in error.message
    assert get_user(conn, token).attribute_map == before


def test_the_server_checks_the_request_shape_without_echoing_values(conn: CognitoConnection, token: str) -> None:
    # A zero-width space is outside AttributeNameType's pattern (a plain space is inside it).
    error = service_error(update_user_attributes, conn, token, {"bad\u200bname": "x" * 2049})
    assert error.code == "InvalidParameterException"
    assert error.message.startswith("2 validation errors detected: ")
    assert "'userAttributes.1.member.name'" in error.message and "'userAttributes.1.member.value'" in error.message
    assert "x" * 20 not in error.message


def test_a_blank_value_deletes_an_optional_attribute(
    conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    update_user_attributes(conn, token, {"phone_number": ""})
    assert "phone_number" not in get_user(conn, token).attribute_map
    assert "phone_number_verified" not in get_user(conn, token).attribute_map


def test_codes_beyond_the_rate_are_limit_exceeded_with_cognitos_message_until_the_window_passes(
    pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    assert pool.control.code_rate() == {"max_codes": 5, "window_s": 3600.0}
    for _ in range(5):
        send_verification_code(conn, token, "email")
    error = service_error(send_verification_code, conn, token, "email")
    assert (error.code, error.message, error.http_status) == (
        "LimitExceededException", "Attempt limit exceeded, please try after some time.", 400)
    assert pool.control.faults() == []
    assert len(pool.control.inbox(user["username"])) == 5

    other = pool.control.create_user()
    send_verification_code(conn, signed_in(conn, other).access_token, "email")  # the limit is per user

    try:
        # A window far longer than three sends take on a loaded machine, then waited out.
        pool.control.set_code_rate(2, window_s=RATE_WINDOW_S)
        send_verification_code(conn, token, "email")
        send_verification_code(conn, token, "email")
        assert service_error(send_verification_code, conn, token, "email").code == "LimitExceededException"
        time.sleep(RATE_WINDOW_S + 0.1)
        send_verification_code(conn, token, "email")
    finally:
        pool.control.set_code_rate(5)


def test_the_code_rate_setting_refuses_what_it_cannot_use(pool: Sandbox) -> None:
    for max_codes, window_s in ((0, 60), (True, 60), ("5", 60), (5, 0), (5, "1h")):
        with pytest.raises(SandboxControlError) as refused:
            pool.control.set_code_rate(max_codes, window_s)  # type: ignore[arg-type]
        assert refused.value.status == 400
    assert pool.control.code_rate()["max_codes"] == 5
    assert pool.control.set_code_rate(None)["max_codes"] is None
    pool.control.set_code_rate(5)


def test_an_updates_code_follows_the_code_rules_expiry_single_use_and_the_wrong_code_limit(
    pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    new = f"rules-{user['username']}@example.org"
    update_user_attributes(conn, token, {"email": new})
    code = pool.control.latest_code(user["username"], "email")
    assert pool.control.expire_codes(user["username"], "email") == 1
    assert service_error(verify_attribute, conn, token, "email", code).code == "ExpiredCodeException"
    assert pool.control.pending_values(user["username"]) == {"email": new}

    send_verification_code(conn, token, "email")
    wrong = "000000" if pool.control.latest_code(user["username"], "email") != "000000" else "111111"
    codes = [service_error(verify_attribute, conn, token, "email", wrong).code for _ in range(5)]
    assert codes == ["CodeMismatchException"] * 4 + ["LimitExceededException"]
    assert _active(conn, token, "email") == (user["email"], False)

    send_verification_code(conn, token, "email")
    code = pool.control.latest_code(user["username"], "email")
    verify_attribute(conn, token, "email", code)
    assert service_error(verify_attribute, conn, token, "email", code).code == "ExpiredCodeException"
    assert _active(conn, token, "email") == (new, True)


def test_a_sandbox_can_start_with_its_own_keep_original_setting_and_code_rate() -> None:
    with Sandbox(keep_original=("phone_number",), code_rate=CodeRate(1, 60.0)) as own:
        assert own.control.keep_original() == ["phone_number"]
        assert own.control.code_rate() == {"max_codes": 1, "window_s": 60.0}
        user = own.control.create_user()
        conn = connect(own.info)
        token = signed_in(conn, user).access_token
        update_user_attributes(conn, token, {"phone_number": "+15555550123", "email": "own@example.org"})
        assert own.control.pending_values(user["username"]) == {"phone_number": "+15555550123"}
        assert get_user(conn, token).attribute_map["email"] == "own@example.org"
        send_verification_code(conn, token, "email")  # the update's own codes are not code requests
        assert service_error(send_verification_code, conn, token, "email").code == "LimitExceededException"
    with pytest.raises(ValueError, match="only email and phone_number"), Sandbox(keep_original=("name",)):
        pass
