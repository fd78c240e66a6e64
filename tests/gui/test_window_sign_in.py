"""Signing in through the real window against the sandbox over HTTP: SRP, challenges answered in
place, a pasted token, the live countdown, refresh and sign out."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from app.core.auth import AuthFlow, Challenge, sign_in_password
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.tokens import Tokens
from app.sandbox.totp import totp
from app.ui.signin.challenge_form import ChallengeForm

from support.window_driver import (
    WAIT_MS,
    click,
    find,
    label,
    open_window,
    save_sandbox_profile,
    sign_in,
    type_into,
    visible_label,
    wait_signed_in,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def profile(sandbox_info):  # type: ignore[no-untyped-def]
    return save_sandbox_profile(sandbox_info)


def test_srp_sign_in_shows_who_scope_countdown_and_attributes(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, profile: object, fresh_user: dict[str, str]
) -> None:
    window = open_window(qtbot)
    assert find(window, QComboBox, "authFlowCombo").currentData() == AuthFlow.USER_SRP_AUTH.value

    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])

    assert fresh_user["username"] in label(window, "sessionUserLabel")
    assert "aws.cognito.signin.user.admin" in label(window, "sessionScopeLabel")
    first = label(window, "sessionExpiryLabel")
    assert first.startswith("Expires in 59:") or first.startswith("Expires in 1:00:"), first
    qtbot.waitUntil(lambda: label(window, "sessionExpiryLabel") != first, timeout=3000)  # it counts down
    # The attribute list comes from GetUser, each with its value and badge.
    combo = find(window, QComboBox, "attributeCombo")
    names = [combo.itemText(i) for i in range(combo.count())]
    assert names[:2] == ["email", "phone_number"]
    assert combo.currentText() == "email"
    assert label(window, "attributeValueLabel") == fresh_user["email"]
    assert label(window, "attributeBadgeLabel") == "not verified"
    # The password field is emptied once signed in, and the password is not kept anywhere visible.
    assert find(window, QLineEdit, "passwordEdit").text() == ""
    assert find(window, QPushButton, "sendButton").isEnabled()


def test_wrong_password_is_explained_under_the_form(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, profile: object, fresh_user: dict[str, str]
) -> None:
    window = open_window(qtbot)
    type_into(qtbot, window, "usernameEdit", fresh_user["username"])
    type_into(qtbot, window, "passwordEdit", "not-the-password-1A!")
    qtbot.keyClick(find(window, QLineEdit, "passwordEdit"), Qt.Key.Key_Return)  # Enter signs in
    qtbot.waitUntil(lambda: bool(visible_label(window, "signInProblemLabel")), timeout=WAIT_MS)
    text = visible_label(window, "signInProblemLabel")
    assert text.startswith("NotAuthorizedException:")
    assert "Check the username and password" in text
    assert not window.session.is_signed_in
    assert find(window, QPushButton, "signInButton").isEnabled()


def test_new_password_challenge_is_answered_in_place_with_required_attributes(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, profile: object, sandbox  # type: ignore[no-untyped-def]
) -> None:
    user = sandbox.control.create_user(challenge="NEW_PASSWORD_REQUIRED")
    window = open_window(qtbot)
    # USER_PASSWORD_AUTH chosen with the keyboard.
    flow = find(window, QComboBox, "authFlowCombo")
    flow.setFocus()
    qtbot.keyClick(flow, Qt.Key.Key_Down)
    assert flow.currentData() == AuthFlow.USER_PASSWORD_AUTH.value
    type_into(qtbot, window, "usernameEdit", user["username"])
    type_into(qtbot, window, "passwordEdit", user["password"])
    click(qtbot, window, "signInButton")

    form = find(window, ChallengeForm, "challengeForm")
    qtbot.waitUntil(form.isVisible, timeout=WAIT_MS)
    assert "new password" in label(window, "challengeTitleLabel").lower()
    assert label(window, "challengeNameLabel").startswith("NEW_PASSWORD_REQUIRED")
    name_field = find(window, QLineEdit, "challengeAttribute_name")  # required by the pool
    type_into(qtbot, window, "newPasswordEdit", "Brand-New-Passw0rd!")
    type_into(qtbot, window, "confirmPasswordEdit", "Brand-New-Passw0rd?")
    click(qtbot, window, "challengeSubmitButton")
    assert visible_label(window, "challengeProblemLabel") == "The two passwords differ."
    type_into(qtbot, window, "confirmPasswordEdit", "Brand-New-Passw0rd!")
    name_field.clear()
    click(qtbot, window, "challengeSubmitButton")
    assert "name" in visible_label(window, "challengeProblemLabel")
    type_into(qtbot, window, "challengeAttribute_name", "Ünïcode Nämé")
    qtbot.keyClick(find(window, QLineEdit, "challengeAttribute_name"), Qt.Key.Key_Return)

    wait_signed_in(qtbot, window)
    assert not form.isVisible()
    assert window.session.user is not None
    assert window.session.user.attribute_map["name"] == "Ünïcode Nämé"


def test_totp_challenge_takes_the_authenticator_code(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, profile: object, sandbox  # type: ignore[no-untyped-def]
) -> None:
    user = sandbox.control.create_user(challenge="SOFTWARE_TOKEN_MFA")
    window = open_window(qtbot)
    type_into(qtbot, window, "usernameEdit", user["username"])
    type_into(qtbot, window, "passwordEdit", user["password"])
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: window.findChild(QLineEdit, "challengeCodeEdit") is not None, timeout=WAIT_MS)
    assert "authenticator" in label(window, "challengeTitleLabel")
    code = find(window, QLineEdit, "challengeCodeEdit")
    assert code.hasFocus()  # the first field of the form takes the focus
    # A wrong code is refused by the pool and explained in the form.
    wrong = "000000" if totp(user["totp_secret"]) != "000000" else "111111"
    type_into(qtbot, window, "challengeCodeEdit", wrong)
    qtbot.keyClick(code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(visible_label(window, "challengeProblemLabel")), timeout=WAIT_MS)
    assert visible_label(window, "challengeProblemLabel").startswith("CodeMismatchException")
    # The session is spent after a wrong code, as on Cognito: start again, answer right.
    click(qtbot, window, "challengeCancelButton")
    type_into(qtbot, window, "passwordEdit", user["password"])
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: find(window, ChallengeForm, "challengeForm").isVisible(), timeout=WAIT_MS)
    type_into(qtbot, window, "challengeCodeEdit", totp(user["totp_secret"]))
    qtbot.keyClick(find(window, QLineEdit, "challengeCodeEdit"), Qt.Key.Key_Return)
    wait_signed_in(qtbot, window)


def test_mfa_type_choice_then_code(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, profile: object, sandbox  # type: ignore[no-untyped-def]
) -> None:
    user = sandbox.control.create_user(challenge="SELECT_MFA_TYPE")
    window = open_window(qtbot)
    type_into(qtbot, window, "usernameEdit", user["username"])
    type_into(qtbot, window, "passwordEdit", user["password"])
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: window.findChild(QComboBox, "mfaTypeCombo") is not None, timeout=WAIT_MS)
    choice = find(window, QComboBox, "mfaTypeCombo")
    options = {choice.itemData(i) for i in range(choice.count())}
    assert "SOFTWARE_TOKEN_MFA" in options
    choice.setCurrentIndex(choice.findData("SOFTWARE_TOKEN_MFA"))
    click(qtbot, window, "challengeSubmitButton")
    qtbot.waitUntil(lambda: window.findChild(QLineEdit, "challengeCodeEdit") is not None, timeout=WAIT_MS)
    type_into(qtbot, window, "challengeCodeEdit", totp(user["totp_secret"]))
    click(qtbot, window, "challengeSubmitButton")
    wait_signed_in(qtbot, window)


def test_unknown_challenge_is_shown_by_name_with_its_parameters(qtbot: QtBot) -> None:
    form = ChallengeForm()
    qtbot.addWidget(form)
    challenge = Challenge("MFA_SETUP", {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]', "USERNAME": "u"}, "u", "s")
    form.show_challenge(challenge)
    assert "MFA_SETUP" in form.title_label.text()
    assert "MFAS_CAN_SETUP" in label(form, "challengeParametersLabel")
    answers = find(form, QPlainTextEdit, "challengeAnswersEdit")
    answers.setPlainText("ANSWER=SOFTWARE_TOKEN_MFA\nnot an assignment")
    with qtbot.assertNotEmitted(form.answered):
        form.submit()
    assert "not KEY=VALUE" in visible_label(form, "challengeProblemLabel")
    answers.setPlainText("ANSWER=SOFTWARE_TOKEN_MFA")
    with qtbot.waitSignal(form.answered) as sent:
        form.submit()
    assert sent.args == [{"ANSWER": "SOFTWARE_TOKEN_MFA"}]


def test_pasted_access_token_is_a_session_without_refresh(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, profile: object, sandbox_info,  # type: ignore[no-untyped-def]
    fresh_user: dict[str, str],
) -> None:
    conn = CognitoConnection(ConnectionSettings(
        region=sandbox_info.region, client_id=sandbox_info.client_id, endpoint_url=sandbox_info.endpoint_url,
        user_pool_id=sandbox_info.user_pool_id))
    tokens = sign_in_password(conn, fresh_user["username"], fresh_user["password"], AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(tokens, Tokens)
    window = open_window(qtbot)

    type_into(qtbot, window, "accessTokenEdit", "not a token")
    qtbot.keyClick(find(window, QLineEdit, "accessTokenEdit"), Qt.Key.Key_Return)
    assert "space" in visible_label(window, "accessTokenProblemLabel")
    assert not window.session.is_signed_in

    type_into(qtbot, window, "accessTokenEdit", tokens.access_token)
    click(qtbot, window, "useTokenButton")
    wait_signed_in(qtbot, window)
    assert "pasted access token" in label(window, "sessionUserLabel")
    assert fresh_user["username"] in label(window, "sessionUserLabel")
    assert not find(window, QPushButton, "refreshButton").isEnabled()
    assert find(window, QLineEdit, "accessTokenEdit").text() == ""


def test_refresh_button_gets_new_tokens_and_sign_out_forgets_them(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, profile: object, fresh_user: dict[str, str]
) -> None:
    window = open_window(qtbot)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    before = window.session.access_token
    with qtbot.waitSignal(window.session.tokens_refreshed, timeout=WAIT_MS):
        click(qtbot, window, "refreshButton")
    assert window.session.access_token not in (None, before)

    click(qtbot, window, "signOutButton")
    assert window.session.tokens is None
    assert window.session.access_token is None
    assert find(window, QLineEdit, "usernameEdit").isVisible()
    assert not find(window, QPushButton, "sendButton").isEnabled()
    assert label(window, "sessionStatusLabel") == "Signed out"


def test_a_pasted_token_getuser_refuses_is_not_shown_as_signed_in(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, profile: object,
) -> None:
    window = open_window(qtbot)
    type_into(qtbot, window, "accessTokenEdit", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl")
    click(qtbot, window, "useTokenButton")
    qtbot.waitUntil(lambda: "refused" in label(window, "sessionStatusLabel"), timeout=10_000)
    assert "Signed in" not in label(window, "sessionStatusLabel")
