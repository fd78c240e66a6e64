"""QA fixes, driven through the real window against the sandbox: the inbox's Use code takes the
right code to the right field, no stale sandbox warning after a restart, the trigger tab tells the
sandbox's actual trigger, messages clear once their cause is gone, and the catalogue's advice fits
where the error was met."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.core.auth import AuthFlow, sign_in_password
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.tokens import Tokens
from app.sandbox.totp import totp
from app.ui.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    press_send,
    save_sandbox_profile,
    sign_in,
    type_into,
    visible_label,
    wait_result,
    wait_signed_in,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user):  # type: ignore[no-untyped-def]
    """Signed in as a fresh user on the shared sandbox, its inbox attached."""
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    win = open_window(qtbot)
    qtbot.waitUntil(lambda: win.inbox.control is not None, timeout=WAIT_MS)
    sign_in(qtbot, win, fresh_user["username"], fresh_user["password"])
    yield win
    sandbox.control.clear_faults()


def _send(qtbot: QtBot, window: MainWindow, attribute: str) -> None:
    pick_attribute(qtbot, window, attribute)
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")


# --- 5. advice that fits where the error was met ---------------------------------------------------------

def test_wrong_authenticator_code_at_sign_in_talks_about_the_app_and_clock_not_a_message(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    user = sandbox.control.create_user(challenge="SOFTWARE_TOKEN_MFA")
    window = open_window(qtbot)
    type_into(qtbot, window, "usernameEdit", user["username"])
    type_into(qtbot, window, "passwordEdit", user["password"])
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: window.findChild(QLineEdit, "challengeCodeEdit") is not None, timeout=WAIT_MS)
    wrong = "000000" if totp(user["totp_secret"]) != "000000" else "111111"
    type_into(qtbot, window, "challengeCodeEdit", wrong)
    qtbot.keyClick(find(window, QLineEdit, "challengeCodeEdit"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(visible_label(window, "challengeProblemLabel")), timeout=WAIT_MS)
    problem = visible_label(window, "challengeProblemLabel")
    assert problem.startswith("CodeMismatchException")
    assert "authenticator app" in problem and "clock" in problem
    assert "message" not in problem


def test_attribute_name_refused_by_the_pattern_names_the_character_not_the_verifiable_attributes(
    qtbot: QtBot, window: MainWindow
) -> None:
    pick_attribute(qtbot, window, "custom name")
    press_send(qtbot, window)
    click(qtbot, window, "sendAnywayButton")  # skip VerifyDesk's checks: the pool judges the name
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "InvalidParameterException"
    advice = label(window, "errorNextStepLabel")
    assert "space" in advice and "'custom name'" in advice
    assert "phone_number" not in advice

    pick_attribute(qtbot, window, "nickname")  # a valid name the pool cannot verify keeps the hint
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")
    assert "only `email` and `phone_number` can be verified" in label(window, "errorNextStepLabel")


def test_expired_pasted_token_says_paste_a_new_one_not_refresh(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user  # type: ignore[no-untyped-def]
) -> None:
    info = sandbox.info
    save_sandbox_profile(info)
    conn = CognitoConnection(ConnectionSettings(
        region=info.region, client_id=info.client_id, endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id))
    tokens = sign_in_password(conn, fresh_user["username"], fresh_user["password"], AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(tokens, Tokens)
    window = open_window(qtbot)
    type_into(qtbot, window, "accessTokenEdit", tokens.access_token)
    click(qtbot, window, "useTokenButton")
    wait_signed_in(qtbot, window)
    sandbox.control.expire_access_tokens(fresh_user["username"])

    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "NotAuthorizedException"
    advice = label(window, "errorNextStepLabel")
    assert "paste a new" in advice and "sign in" in advice
    assert "Refresh the session" not in advice
    assert not window.result_view.refresh_button.isVisible()
