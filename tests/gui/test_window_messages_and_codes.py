"""Driven through the real window against the sandbox: the inbox's Use code takes the
right code to the right field, no stale sandbox warning after a restart, the trigger tab tells the
sandbox's actual trigger, messages clear once their cause is gone, and the catalogue's advice fits
where the error was met."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from app.core.auth import AuthFlow, sign_in_password
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.tokens import Tokens
from app.sandbox.totp import totp
from app.ui.window.main_window import MainWindow

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
    table_rows,
    type_into,
    visible_label,
    wait_result,
    wait_signed_in,
    wait_tasks_done,
)

pytestmark = pytest.mark.gui


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
    name = "custom\u200bname"  # a zero-width space: outside AttributeNameType's pattern (a space is inside)
    pick_attribute(qtbot, window, name)
    press_send(qtbot, window)
    click(qtbot, window, "sendAnywayButton")  # skip VerifyDesk's checks: the pool judges the name
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "InvalidParameterException"
    advice = label(window, "errorNextStepLabel")
    assert "U+200B ZERO WIDTH SPACE" in advice and repr(name) in advice
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

    # The Verify box gives the same fitted advice for the same expired token.
    type_into(qtbot, window, "codeEdit", "123456")
    qtbot.keyClick(find(window, QLineEdit, "codeEdit"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel").startswith("NotAuthorizedException"),
                    timeout=WAIT_MS)
    assert "paste a new" in label(window, "verifyResultLabel")


# --- 1. Use code takes the right code to the right field ----------------------------------------------

def _inbox_table(qtbot: QtBot, window: MainWindow, rows: int) -> QTableView:
    window.inbox.show()
    window.inbox.raise_()  # in front: a hidden inbox is read when it comes into view
    table = find(window, QTableView, "inboxTable")
    qtbot.waitUntil(lambda: table.model().rowCount() >= rows, timeout=WAIT_MS)
    return table


def test_newest_message_is_selected_and_use_code_verifies_its_own_attribute(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user  # type: ignore[no-untyped-def]
) -> None:
    _send(qtbot, window, "email")
    table = _inbox_table(qtbot, window, 1)
    qtbot.waitUntil(lambda: table.currentIndex().row() == 0)
    _send(qtbot, window, "phone_number")
    table = _inbox_table(qtbot, window, 2)
    # The message that just arrived is selected, not the older one.
    qtbot.waitUntil(lambda: table_rows(table)[table.currentIndex().row()][2] == "phone_number", timeout=WAIT_MS)
    phone_code = sandbox.control.latest_code(fresh_user["username"], "phone_number")

    click(qtbot, window, "useInboxCodeButton")
    code_edit = find(window, QLineEdit, "codeEdit")
    assert code_edit.text() == phone_code
    qtbot.keyClick(code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ phone_number verified.", timeout=WAIT_MS)

    # The tester picks the older email message: Use code switches the attribute, and says so.
    email_row = next(i for i, row in enumerate(table_rows(table)) if row[2] == "email")
    table.selectRow(email_row)
    click(qtbot, window, "useInboxCodeButton")
    assert find(window, QComboBox, "attributeCombo").currentText() == "email"
    assert "switched to email" in visible_label(window, "verifyResultLabel")
    assert code_edit.text() == sandbox.control.latest_code(fresh_user["username"], "email")
    qtbot.keyClick(code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)


def test_sign_in_code_fills_the_waiting_challenge_not_the_verify_field(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    user = sandbox.control.create_user(challenge="SMS_MFA")
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.inbox.control is not None, timeout=WAIT_MS)
    type_into(qtbot, window, "usernameEdit", user["username"])
    type_into(qtbot, window, "passwordEdit", user["password"])
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: window.findChild(QLineEdit, "challengeCodeEdit") is not None, timeout=WAIT_MS)
    window.inbox.refresh()
    table = _inbox_table(qtbot, window, 1)
    qtbot.waitUntil(lambda: any(user["username"] in row for row in table_rows(table)), timeout=WAIT_MS)
    sent = [m for m in sandbox.control.inbox(user["username"]) if m.get("purpose") == "sms_mfa"][-1]

    click(qtbot, window, "useInboxCodeButton")
    challenge_code = find(window, QLineEdit, "challengeCodeEdit")
    assert challenge_code.text() == sent["code"]
    assert find(window, QLineEdit, "codeEdit").text() == ""
    qtbot.keyClick(challenge_code, Qt.Key.Key_Return)
    wait_signed_in(qtbot, window)


# --- 2. no stale sandbox warning after a restart ---------------------------------------------------------

def test_restarting_the_sandbox_shows_no_warning_about_the_old_address(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    first = open_window(qtbot)
    find(first, QAction, "startSandboxAction").trigger()
    qtbot.waitUntil(lambda: first.inbox.control is not None, timeout=WAIT_MS)
    old = first.inbox.control.endpoint_url
    first.close()  # stops its pool: the saved Sandbox profile now points at a dead address

    window = open_window(qtbot)  # uses the saved profile at once, as `verifydesk --sandbox` does
    window.start_sandbox()
    qtbot.waitUntil(lambda: window.inbox.control is not None
                    and window.inbox.control.endpoint_url != old, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.profile is not None and window.profile.endpoint_url != old, timeout=WAIT_MS)
    users = window.inbox._users
    sign_in(qtbot, window, users[0]["username"], users[0]["password"])
    wait_tasks_done(qtbot)  # a late answer from the old address would have shown by now
    assert "No sandbox answers" not in window.banner.text
    assert window.banner.text == ""


# --- 3. the trigger tab tells the sandbox's actual trigger -----------------------------------------------

def test_local_trigger_tab_names_the_sandboxs_demo_trigger(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    window = open_window(qtbot)
    find(window, QAction, "startSandboxAction").trigger()
    qtbot.waitUntil(lambda: window.inbox.control is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "demo trigger" in label(window, "localTriggerStatusLabel"), timeout=WAIT_MS)
    assert "pool's own message template" not in label(window, "localTriggerStatusLabel")
    assert window.trigger_tools.view.local.active_spec == "demo"
    window.close()


# --- 4. messages clear once their cause is gone ----------------------------------------------------------

def test_cancelled_send_does_not_leave_the_trigger_tab_waiting(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.inject_fault("GetUserAttributeVerificationCode", delay_s=1.5)
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    qtbot.waitUntil(lambda: "Waiting for the result" in label(window, "triggerRunSummaryLabel"), timeout=WAIT_MS)
    click(qtbot, window, "cancelButton")
    assert "Waiting for the result" not in label(window, "triggerRunSummaryLabel")
    assert "cancelled" in label(window, "triggerRunSummaryLabel")
    qtbot.waitUntil(lambda: window.tasks.running == 0, timeout=WAIT_MS)


# --- 6. history export: a dialog that does not read what it need not, a write off the GUI thread -------

def test_history_export_dialog_skips_symlinks_and_icons_and_a_failed_write_is_shown_in_place(
    qtbot: QtBot, window: MainWindow, tmp_path  # type: ignore[no-untyped-def]
) -> None:
    from PySide6.QtWidgets import QFileDialog

    _send(qtbot, window, "email")
    window.history_dock.show()
    click(qtbot, window, "exportHistoryButton")
    dialog = window.history_view.findChild(QFileDialog, "historyExportDialog")
    assert dialog is not None and dialog.isVisible()
    assert dialog.testOption(QFileDialog.Option.DontResolveSymlinks)
    assert dialog.testOption(QFileDialog.Option.DontUseCustomDirectoryIcons)
    dialog.reject()

    window.history_view.export_to(tmp_path / "missing-dir" / "history.csv")  # the folder does not exist
    status = window.history_view.status_label
    qtbot.waitUntil(lambda: status.text().startswith("Export failed"), timeout=WAIT_MS)
    window.history_view.export_to(tmp_path / "history.csv")
    qtbot.waitUntil(lambda: status.text().startswith("Exported"), timeout=WAIT_MS)
    assert (tmp_path / "history.csv").read_text(encoding="utf-8").count("email") >= 1


def test_grid_problems_send_anyway_and_the_rerun_prompt_go_once_their_cause_is_gone(
    qtbot: QtBot, window: MainWindow
) -> None:
    from support.window_driver import add_metadata_row

    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "spring")
    add_metadata_row(qtbot, window, "campaign", "autumn")
    click(qtbot, window, "sendButton")
    assert "Duplicate key 'campaign'" in visible_label(window, "sendProblemsLabel")
    assert find(window, QPushButton, "sendAnywayButton").isVisible()
    click(qtbot, window, "removeMetadataRowButton")  # the duplicate row goes: the grid is valid
    qtbot.waitUntil(lambda: window.request_panel.metadata.metadata() is not None)
    assert visible_label(window, "sendProblemsLabel") == ""
    assert not find(window, QPushButton, "sendAnywayButton").isVisible()

    _send(qtbot, window, "email")
    record = window.history_store.page(limit=1)[0]
    window.rerun(record)
    assert "Ctrl+Enter" in label(window, "statusLabel")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    assert "Loaded attempt" not in label(window, "statusLabel")


def test_refused_sign_in_message_goes_after_a_token_sign_in_and_sign_out(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user  # type: ignore[no-untyped-def]
) -> None:
    info = sandbox.info
    save_sandbox_profile(info)
    window = open_window(qtbot)
    type_into(qtbot, window, "usernameEdit", fresh_user["username"])
    type_into(qtbot, window, "passwordEdit", "wrong-password-1")
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: "NotAuthorizedException" in visible_label(window, "signInProblemLabel"),
                    timeout=WAIT_MS)
    conn = CognitoConnection(ConnectionSettings(
        region=info.region, client_id=info.client_id, endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id))
    tokens = sign_in_password(conn, fresh_user["username"], fresh_user["password"], AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(tokens, Tokens)
    type_into(qtbot, window, "accessTokenEdit", tokens.access_token)
    click(qtbot, window, "useTokenButton")
    qtbot.waitUntil(lambda: window.session.user is not None, timeout=WAIT_MS)
    window.sign_in.sign_out()
    qtbot.waitUntil(lambda: not window.session.is_signed_in, timeout=WAIT_MS)
    assert visible_label(window, "signInProblemLabel") == ""


def test_a_refused_refresh_token_says_sign_in_again(qtbot: QtBot, window: MainWindow) -> None:
    token = window.session.access_token
    assert token is not None
    window.session.require_connection().client.global_sign_out(AccessToken=token)  # revokes the refresh token

    click(qtbot, window, "refreshButton")
    qtbot.waitUntil(lambda: visible_label(window, "sessionProblemLabel").startswith("Refreshing failed"),
                    timeout=WAIT_MS)
    problem = visible_label(window, "sessionProblemLabel")
    assert "NotAuthorizedException" in problem
    assert "Sign in again" in problem
    assert "Refresh the session" not in problem
