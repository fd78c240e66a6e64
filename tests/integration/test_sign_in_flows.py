"""Every sign-in flow and challenge over real HTTP, through the core's auth module, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.auth import (
    AuthFlow,
    Challenge,
    code_answers,
    mfa_choice_answers,
    new_password_answers,
    refresh,
    respond_to_challenge,
    sign_in_password,
)
from app.core.calls import get_user
from app.core.connection import CognitoConnection
from app.core.tokens import Tokens, describe_access_token

from support.sandbox_session import connect, masked_phone, service_error, signed_in, totp_code

FLOWS = list(AuthFlow)


@pytest.fixture(params=[False, True], ids=["public-client", "client-with-secret"])
def conn(request: pytest.FixtureRequest, sandbox_info: Any) -> CognitoConnection:
    return connect(sandbox_info, secret=request.param)


def _challenge(conn: CognitoConnection, user: dict[str, Any], flow: AuthFlow = AuthFlow.USER_PASSWORD_AUTH) -> Challenge:
    step = sign_in_password(conn, user["username"], user["password"], flow)
    assert isinstance(step, Challenge), step
    return step


@pytest.mark.parametrize("flow", FLOWS)
def test_password_sign_in_issues_tokens_that_get_user_accepts(
    conn: CognitoConnection, fresh_user: dict[str, Any], flow: AuthFlow
) -> None:
    tokens = signed_in(conn, fresh_user, flow)
    info = describe_access_token(tokens.access_token)
    assert info.username == fresh_user["username"]
    assert info.client_id == conn.settings.client_id
    assert tokens.refresh_token and tokens.id_token
    assert get_user(conn, tokens.access_token).username == fresh_user["username"]


@pytest.mark.parametrize("flow", FLOWS)
def test_a_wrong_password_is_refused_by_every_flow(
    conn: CognitoConnection, fresh_user: dict[str, Any], flow: AuthFlow
) -> None:
    error = service_error(sign_in_password, conn, fresh_user["username"], fresh_user["password"] + "x", flow)
    assert (error.code, error.message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert error.http_status == 400
    assert error.request_id


def test_an_unknown_user_is_user_not_found(conn: CognitoConnection) -> None:
    error = service_error(sign_in_password, conn, "nobody-here", "Whatever-1!", AuthFlow.USER_PASSWORD_AUTH)
    assert error.code == "UserNotFoundException"


def test_refresh_token_auth_issues_a_new_working_access_token(
    conn: CognitoConnection, fresh_user: dict[str, Any]
) -> None:
    first = signed_in(conn, fresh_user)
    assert first.refresh_token
    renewed = refresh(conn, first.refresh_token, fresh_user["username"])
    assert renewed.access_token != first.access_token
    assert renewed.refresh_token == first.refresh_token
    assert get_user(conn, renewed.access_token).username == fresh_user["username"]


def test_after_global_sign_out_refresh_and_access_tokens_are_revoked(
    conn: CognitoConnection, fresh_user: dict[str, Any]
) -> None:
    tokens = signed_in(conn, fresh_user)
    assert tokens.refresh_token
    conn.client.global_sign_out(AccessToken=tokens.access_token)
    error = service_error(refresh, conn, tokens.refresh_token, fresh_user["username"])
    assert (error.code, error.message) == ("NotAuthorizedException", "Refresh Token has been revoked")
    error = service_error(get_user, conn, tokens.access_token)
    assert (error.code, error.message) == ("NotAuthorizedException", "Access Token has been revoked")


@pytest.mark.parametrize("flow", FLOWS)
def test_a_client_with_a_secret_requires_secret_hash(
    sandbox_info: Any, fresh_user: dict[str, Any], flow: AuthFlow
) -> None:
    no_secret = connect(sandbox_info, client_id=sandbox_info.client_id_with_secret)
    error = service_error(sign_in_password, no_secret, fresh_user["username"], fresh_user["password"], flow)
    assert error.code == "NotAuthorizedException"
    assert error.message == (
        f"Client {sandbox_info.client_id_with_secret} is configured with secret but SECRET_HASH was not received"
    )


@pytest.mark.parametrize("flow", FLOWS)
def test_a_wrong_client_secret_fails_the_secret_hash(
    sandbox_info: Any, fresh_user: dict[str, Any], flow: AuthFlow
) -> None:
    wrong = connect(sandbox_info, secret=True, client_secret="not-the-secret")
    error = service_error(sign_in_password, wrong, fresh_user["username"], fresh_user["password"], flow)
    assert error.code == "NotAuthorizedException"
    assert error.message == f"Unable to verify secret hash for client {sandbox_info.client_id_with_secret}"


def test_refresh_checks_the_secret_hash(sandbox_info: Any, fresh_user: dict[str, Any]) -> None:
    tokens = signed_in(connect(sandbox_info, secret=True), fresh_user)
    assert tokens.refresh_token
    wrong = connect(sandbox_info, secret=True, client_secret="not-the-secret")
    error = service_error(refresh, wrong, tokens.refresh_token, fresh_user["username"])
    assert error.message.startswith("Unable to verify secret hash")
    assert refresh(connect(sandbox_info, secret=True), tokens.refresh_token, fresh_user["username"]).access_token


def test_every_challenge_response_checks_the_secret_hash(sandbox: Any, sandbox_info: Any) -> None:
    user = sandbox.control.create_user(challenge="SMS_MFA")
    right = connect(sandbox_info, secret=True)
    challenge = _challenge(right, user)
    code = sandbox.control.latest_code(user["username"], "phone_number")
    without = connect(sandbox_info, client_id=sandbox_info.client_id_with_secret)
    error = service_error(respond_to_challenge, without, challenge, code_answers(challenge, code))
    assert "SECRET_HASH was not received" in error.message
    wrong = connect(sandbox_info, secret=True, client_secret="not-the-secret")
    error = service_error(respond_to_challenge, wrong, challenge, code_answers(challenge, code))
    assert error.message.startswith("Unable to verify secret hash")
    assert isinstance(respond_to_challenge(right, challenge, code_answers(challenge, code)), Tokens)


@pytest.mark.parametrize("flow", FLOWS)
def test_new_password_required_names_the_required_attributes_and_then_signs_in(
    conn: CognitoConnection, sandbox: Any, flow: AuthFlow
) -> None:
    user = sandbox.control.create_user(challenge="NEW_PASSWORD_REQUIRED")
    challenge = _challenge(conn, user, flow)
    assert challenge.name == "NEW_PASSWORD_REQUIRED"
    assert challenge.required_attributes == ["name"]
    assert challenge.current_attributes["email"] == user["email"]
    new_password = "Changed-Passw0rd!"

    error = service_error(respond_to_challenge, conn, challenge, new_password_answers(new_password, {}))
    assert error.code == "InvalidParameterException"
    assert "name" in error.message
    error = service_error(respond_to_challenge, conn, challenge, new_password_answers("short", {"name": "N"}))
    assert error.code == "InvalidPasswordException"

    tokens = respond_to_challenge(conn, challenge, new_password_answers(new_password, {"name": "New Person"}))
    assert isinstance(tokens, Tokens)
    assert get_user(conn, tokens.access_token).attribute_map["name"] == "New Person"
    again = sign_in_password(conn, user["username"], new_password, flow)
    assert isinstance(again, Tokens)
    old = service_error(sign_in_password, conn, user["username"], user["password"], flow)
    assert old.code == "NotAuthorizedException"


@pytest.mark.parametrize("flow", FLOWS)
def test_sms_mfa_code_comes_through_the_inbox_and_only_that_code_signs_in(
    conn: CognitoConnection, sandbox: Any, flow: AuthFlow
) -> None:
    user = sandbox.control.create_user(challenge="SMS_MFA")
    challenge = _challenge(conn, user, flow)
    assert challenge.name == "SMS_MFA"
    assert challenge.destination == masked_phone(user["phone_number"])
    assert challenge.parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    message = sandbox.control.inbox(user["username"])[-1]
    assert (message["medium"], message["destination"]) == ("SMS", user["phone_number"])
    code = sandbox.control.latest_code(user["username"], "phone_number")
    assert len(code) == 6 and code.isdigit()
    wrong = service_error(respond_to_challenge, conn, challenge, code_answers(challenge, "000000" if code != "000000" else "111111"))
    assert wrong.code == "CodeMismatchException"
    assert isinstance(respond_to_challenge(conn, challenge, code_answers(challenge, code)), Tokens)


def test_three_wrong_mfa_codes_end_the_sign_in_session(conn: CognitoConnection, sandbox: Any) -> None:
    user = sandbox.control.create_user(challenge="SMS_MFA")
    challenge = _challenge(conn, user)
    code = sandbox.control.latest_code(user["username"], "phone_number")
    bad = "123456" if code != "123456" else "654321"
    codes = [service_error(respond_to_challenge, conn, challenge, code_answers(challenge, bad)).code for _ in range(3)]
    assert codes == ["CodeMismatchException", "CodeMismatchException", "NotAuthorizedException"]
    late = service_error(respond_to_challenge, conn, challenge, code_answers(challenge, code))
    assert (late.code, late.message) == ("NotAuthorizedException", "Invalid session for the user.")


@pytest.mark.parametrize("flow", FLOWS)
def test_software_token_mfa_checks_a_real_rfc6238_code(
    conn: CognitoConnection, sandbox: Any, flow: AuthFlow
) -> None:
    user = sandbox.control.create_user(challenge="SOFTWARE_TOKEN_MFA")
    challenge = _challenge(conn, user, flow)
    assert challenge.name == "SOFTWARE_TOKEN_MFA"
    assert challenge.code_answer_key == "SOFTWARE_TOKEN_MFA_CODE"
    stale = totp_code(user["totp_secret"], at=1_000_000_000)
    wrong = service_error(respond_to_challenge, conn, challenge, code_answers(challenge, stale))
    assert wrong.code == "CodeMismatchException"
    tokens = respond_to_challenge(conn, challenge, code_answers(challenge, totp_code(user["totp_secret"])))
    assert isinstance(tokens, Tokens)


def test_email_otp_sends_an_eight_digit_code_by_email(conn: CognitoConnection, sandbox: Any) -> None:
    user = sandbox.control.create_user(challenge="EMAIL_OTP")
    challenge = _challenge(conn, user)
    assert challenge.name == "EMAIL_OTP"
    assert challenge.code_answer_key == "EMAIL_OTP_CODE"
    assert challenge.destination == f"{user['username'][0]}***@e***"
    code = sandbox.control.latest_code(user["username"], "email")
    assert len(code) == 8 and code.isdigit()
    assert sandbox.control.inbox(user["username"])[-1]["medium"] == "EMAIL"
    assert isinstance(respond_to_challenge(conn, challenge, code_answers(challenge, code)), Tokens)


@pytest.mark.parametrize("choice", ["SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP"])
def test_select_mfa_type_leads_to_the_chosen_challenge(conn: CognitoConnection, sandbox: Any, choice: str) -> None:
    user = sandbox.control.create_user(challenge="SELECT_MFA_TYPE")
    challenge = _challenge(conn, user)
    assert challenge.name == "SELECT_MFA_TYPE"
    assert challenge.mfa_choices == ["SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP"]
    chosen = respond_to_challenge(conn, challenge, mfa_choice_answers(choice))
    assert isinstance(chosen, Challenge)
    assert chosen.name == choice
    if choice == "SOFTWARE_TOKEN_MFA":
        code = totp_code(user["totp_secret"])
    else:
        code = sandbox.control.latest_code(user["username"], "phone_number" if choice == "SMS_MFA" else "email")
    assert isinstance(respond_to_challenge(conn, chosen, code_answers(chosen, code)), Tokens)


def test_select_mfa_type_refuses_a_type_it_did_not_offer(conn: CognitoConnection, sandbox: Any) -> None:
    user = sandbox.control.create_user(challenge="SELECT_MFA_TYPE", phone=False)
    challenge = _challenge(conn, user)
    assert "SMS_MFA" not in challenge.mfa_choices
    error = service_error(respond_to_challenge, conn, challenge, mfa_choice_answers("SMS_MFA"))
    assert error.code == "InvalidParameterException"


def test_custom_challenge_shows_its_parameters_and_accepts_the_answer(conn: CognitoConnection, sandbox: Any) -> None:
    user = sandbox.control.create_user(challenge="CUSTOM_CHALLENGE")
    challenge = _challenge(conn, user)
    assert challenge.name == "CUSTOM_CHALLENGE"
    assert challenge.known
    assert challenge.parameters["question"]
    again = respond_to_challenge(conn, challenge, code_answers(challenge, "41"))
    assert isinstance(again, Challenge)
    assert (again.name, again.parameters["attempt"]) == ("CUSTOM_CHALLENGE", "2")
    assert isinstance(respond_to_challenge(conn, again, code_answers(again, user["custom_answer"])), Tokens)


def test_three_wrong_custom_answers_fail_the_sign_in(conn: CognitoConnection, sandbox: Any) -> None:
    user = sandbox.control.create_user(challenge="CUSTOM_CHALLENGE")
    step: Any = _challenge(conn, user)
    for _ in range(2):
        step = respond_to_challenge(conn, step, code_answers(step, "wrong"))
        assert isinstance(step, Challenge)
    error = service_error(respond_to_challenge, conn, step, code_answers(step, "wrong"))
    assert (error.code, error.message) == ("NotAuthorizedException", "Incorrect username or password.")


def test_an_unknown_challenge_is_reported_by_name_and_can_still_be_completed(
    conn: CognitoConnection, sandbox: Any
) -> None:
    user = sandbox.control.create_user(challenge="MFA_SETUP")
    challenge = _challenge(conn, user)
    assert challenge.name == "MFA_SETUP"
    assert not challenge.known
    assert challenge.mfa_choices == ["SOFTWARE_TOKEN_MFA"]
    associated = conn.client.associate_software_token(Session=challenge.session)
    wrong_code = "000000" if totp_code(associated["SecretCode"]) != "000000" else "111111"
    with pytest.raises(conn.client.exceptions.EnableSoftwareTokenMFAException):
        conn.client.verify_software_token(Session=associated["Session"], UserCode=wrong_code)
    verified = conn.client.verify_software_token(
        Session=associated["Session"], UserCode=totp_code(associated["SecretCode"])
    )
    assert verified["Status"] == "SUCCESS"
    enrolled = Challenge("MFA_SETUP", {}, challenge.username, session=verified["Session"])
    assert isinstance(respond_to_challenge(conn, enrolled, {}), Tokens)
    next_time = _challenge(conn, user)
    assert next_time.name == "SOFTWARE_TOKEN_MFA"
    tokens = respond_to_challenge(conn, next_time, code_answers(next_time, totp_code(associated["SecretCode"])))
    assert isinstance(tokens, Tokens)


def test_a_forged_session_is_refused(conn: CognitoConnection, sandbox: Any) -> None:
    user = sandbox.control.create_user(challenge="SMS_MFA")
    challenge = _challenge(conn, user)
    forged = Challenge(challenge.name, challenge.parameters, challenge.username, session="A" * 300)
    error = service_error(respond_to_challenge, conn, forged, code_answers(forged, "123456"))
    assert (error.code, error.message) == ("NotAuthorizedException", "Invalid session for the user.")
