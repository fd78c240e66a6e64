"""What the sandbox can do, from the window: inject errors, expire codes and tokens, change its rate
limit and update settings, read a test user's password and TOTP code, follow each code's state in
the inbox, and the keyboard paths around codes and sign-in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableView,
)
from pytestqt.qtbot import QtBot

from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.sandbox import totp
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    choose_combo_text,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    save_sandbox_profile,
    table_rows,
    type_into,
    wait_result,
    wait_signed_in,
)

pytestmark = pytest.mark.gui
CODE, STATE = 5, 6  # inbox columns


def act(window: MainWindow, name: str) -> None:
    find(window, QAction, name).trigger()


def wait_status(qtbot: QtBot, window: MainWindow, text: str) -> str:
    qtbot.waitUntil(lambda: text in label(window, "statusLabel"), timeout=WAIT_MS)
    return label(window, "statusLabel")


def send_email_code(qtbot: QtBot, window: MainWindow) -> None:
    pick_attribute(qtbot, window, "email")
    act(window, "sendAction")
    wait_result(qtbot, window, "success")


def inbox_rows(qtbot: QtBot, window: MainWindow, username: str, count: int) -> list[list[str]]:
    """The inbox rows of one user (the shared sandbox has others'), once there are `count`."""
    window.inbox.show()
    window.inbox.raise_()  # in front: a hidden inbox is built and read when it comes into view
    window.inbox.refresh()
    table = find(window, QTableView, "inboxTable")

    def rows() -> list[list[str]]:
        return [row for row in table_rows(table) if row[1] == username]

    qtbot.waitUntil(lambda: len(rows()) >= count, timeout=WAIT_MS)
    return rows()


@pytest.fixture
def restore_settings(sandbox: Any) -> Iterator[None]:
    keep = sandbox.control.keep_original()
    yield
    sandbox.control.set_code_rate(None)
    sandbox.control.set_keep_original(keep)


def test_inject_error_lists_the_pending_fault_the_next_send_answers_with_and_clears_them(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    act(window, "injectFaultAction")
    dialog = find(window, QDialog, "faultDialog")
    assert dialog.isVisible()
    pending = find(dialog, QListWidget, "pendingFaultsList")
    choose_combo_text(qtbot, find(dialog, QComboBox, "faultErrorCombo"), "LimitExceededException")
    find(dialog, QSpinBox, "faultCountSpin").setValue(2)
    click(qtbot, dialog, "injectFaultButton")
    qtbot.waitUntil(lambda: pending.count() == 1 and "2 more calls" in pending.item(0).text(), timeout=WAIT_MS)
    assert pending.item(0).text().startswith("GetUserAttributeVerificationCode: LimitExceededException")
    assert [f["error_code"] for f in sandbox.control.faults()] == ["LimitExceededException"]

    pick_attribute(qtbot, window, "email")
    act(window, "sendAction")
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "LimitExceededException"

    click(qtbot, dialog, "clearFaultsButton")
    qtbot.waitUntil(lambda: pending.count() == 1 and pending.item(0).text() == "(none)", timeout=WAIT_MS)
    assert sandbox.control.faults() == []
    assert "Cleared" in label(dialog, "faultStatusLabel")


def test_expire_codes_makes_the_sent_code_expired_in_verify_and_in_the_inbox(
    qtbot: QtBot, window: MainWindow, fresh_user: dict[str, str], sandbox: Any
) -> None:
    send_email_code(qtbot, window)
    code = sandbox.control.latest_code(fresh_user["username"], "email")
    act(window, "expireCodesAction")
    assert "Expired 1 pending code" in wait_status(qtbot, window, "Expired")

    type_into(qtbot, window, "codeEdit", code)
    click(qtbot, window, "verifyButton")
    qtbot.waitUntil(lambda: "ExpiredCodeException" in label(window, "verifyResultLabel"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: inbox_rows(qtbot, window, fresh_user["username"], 1)[0][STATE] == "expired", timeout=WAIT_MS)
    table = find(window, QTableView, "inboxTable")
    row = next(r for r in range(table.model().rowCount())
               if table.model().index(r, 1).data() == fresh_user["username"])
    assert table.model().index(row, CODE).data(Qt.ItemDataRole.FontRole).strikeOut()


def test_expire_access_token_makes_the_next_send_meet_an_expired_token_and_refresh(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    sends = sandbox.control.request_count("GetUserAttributeVerificationCode")
    sign_ins = sandbox.control.request_count("InitiateAuth")
    act(window, "expireTokenAction")
    assert "refreshes the session once" in wait_status(qtbot, window, "access token has expired")
    send_email_code(qtbot, window)
    # Refused with the expired token, refreshed, then sent again with the new one.
    assert sandbox.control.request_count("GetUserAttributeVerificationCode") == sends + 2
    assert sandbox.control.request_count("InitiateAuth") == sign_ins + 1


def test_rate_limit_and_update_settings_are_read_and_applied(
    qtbot: QtBot, window: MainWindow, sandbox: Any, restore_settings: None
) -> None:
    act(window, "sandboxSettingsAction")
    dialog = find(window, QDialog, "sandboxSettingsDialog")
    apply = find(dialog, QPushButton, "applySandboxSettingsButton")
    qtbot.waitUntil(apply.isEnabled, timeout=WAIT_MS)
    spin = find(dialog, QSpinBox, "codeRateMaxSpin")
    assert spin.value() == 0 and spin.text() == "no limit"  # the shared sandbox runs without one
    keep_phone = dialog.findChild(object, "keepOriginal_phone_number")
    assert keep_phone is not None and not keep_phone.isChecked()
    spin.setValue(1)
    keep_phone.setChecked(True)
    click(qtbot, dialog, "applySandboxSettingsButton")
    qtbot.waitUntil(lambda: "Applied" in label(dialog, "sandboxSettingsStatusLabel"), timeout=WAIT_MS)
    assert sandbox.control.code_rate()["max_codes"] == 1
    assert "phone_number" in sandbox.control.keep_original()

    send_email_code(qtbot, window)  # the one code allowed; the next is refused
    act(window, "sendAction")
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "LimitExceededException"


def test_the_test_user_s_password_and_totp_code_are_shown_with_copy_buttons(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    window.inbox.show()
    window.inbox.raise_()
    users = find(window, QComboBox, "sandboxUsersCombo")
    password = find(window, QLineEdit, "sandboxPasswordEdit")
    totp_label = find(window, QLabel, "sandboxTotpLabel")
    users.setCurrentIndex(users.findData("alice"))
    assert password.text() == sandbox.info.user("alice")["password"]
    assert not totp_label.isVisible()
    click(qtbot, window, "copySandboxPasswordButton")
    assert QGuiApplication.clipboard().text() == password.text()

    users.setCurrentIndex(users.findData("totp-user"))
    secret = sandbox.info.user("totp-user")["totp_secret"]
    assert totp_label.isVisible()
    now = time.time()
    current = {totp.totp(secret, now), totp.totp(secret, now - 2)}  # a step may have just turned
    assert any(code in totp_label.text() for code in current), totp_label.text()
    assert label(window, "sandboxTotpLabel").endswith(" s")
    click(qtbot, window, "copySandboxTotpButton")
    assert QGuiApplication.clipboard().text() in {totp.totp(secret, now), totp.totp(secret, time.time())}


def test_inbox_marks_superseded_and_used_codes_and_sizes_user_and_attribute(
    qtbot: QtBot, window: MainWindow, fresh_user: dict[str, str], sandbox: Any
) -> None:
    send_email_code(qtbot, window)
    act(window, "sendAction")
    wait_result(qtbot, window, "success")
    rows = inbox_rows(qtbot, window, fresh_user["username"], 2)
    assert [row[STATE] for row in rows[:2]] == ["valid", "superseded"]

    act(window, "useLatestCodeAction")  # Ctrl+Shift+K
    code_edit = window.parts.verify.code_edit
    qtbot.waitUntil(lambda: code_edit.text() == rows[0][CODE], timeout=WAIT_MS)
    click(qtbot, window, "verifyButton")
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: inbox_rows(qtbot, window, fresh_user["username"], 2)[0][STATE] == "used", timeout=WAIT_MS)

    table = find(window, QTableView, "inboxTable")
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    assert header.sectionSize(1) > metrics.horizontalAdvance("choose-mfa-user")
    assert header.sectionSize(2) > metrics.horizontalAdvance("phone_number")


def test_use_latest_code_shortcut_fills_verify_with_the_newest_code(
    qtbot: QtBot, window: MainWindow, fresh_user: dict[str, str], sandbox: Any
) -> None:
    action = find(window, QAction, "useLatestCodeAction")
    assert action.shortcut().toString() == "Ctrl+Shift+K"
    send_email_code(qtbot, window)
    code = sandbox.control.latest_code(fresh_user["username"], "email")
    pick_attribute(qtbot, window, "phone_number")
    action.trigger()
    qtbot.waitUntil(lambda: window.parts.verify.code_edit.text() == code, timeout=WAIT_MS)
    assert window.request_panel.picker.attribute_name() == "email"  # switched to the code's attribute


def test_down_arrow_in_the_attribute_field_moves_to_the_next_attribute(
    qtbot: QtBot, window: MainWindow
) -> None:
    picker = window.request_panel.picker
    qtbot.waitUntil(lambda: picker.model.rowCount() >= 2, timeout=WAIT_MS)
    assert picker.attribute_name() == "email"
    edit = picker.combo.lineEdit()
    assert edit is not None
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert picker.attribute_name() == "phone_number"
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert picker.attribute_name() == "email"


def test_sign_in_shortcut_signs_in_a_filled_form_and_the_sandbox_hint_shows_while_it_is_empty(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str]
) -> None:
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    hint = find(window, QLabel, "sandboxSignInHintLabel")
    qtbot.waitUntil(hint.isVisible, timeout=WAIT_MS)
    assert "test users" in hint.text().lower()
    assert hint.height() < 2 * hint.fontMetrics().lineSpacing()  # one line at 1280×800
    type_into(qtbot, window, "usernameEdit", fresh_user["username"])
    assert not hint.isVisible()
    type_into(qtbot, window, "passwordEdit", fresh_user["password"])
    act(window, "signInAction")  # Ctrl+Shift+I
    wait_signed_in(qtbot, window)
    assert window.session.username == fresh_user["username"]


def test_the_hint_stays_hidden_on_a_profile_that_is_no_sandbox(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any
) -> None:
    ProfileStore(app_paths().profiles_file).save(Profile(
        name="Staging", region=sandbox.info.region, client_id=sandbox.info.client_id,
        endpoint_url=sandbox.info.endpoint_url))
    window = open_window(qtbot)
    assert window.profile is not None and not window.profile.sandbox
    assert not find(window, QLabel, "sandboxSignInHintLabel").isVisible()


def test_a_changed_temporary_password_and_a_second_start_keep_the_test_user_state(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    window = open_window(qtbot)
    act(window, "startSandboxAction")
    inbox = window.inbox
    qtbot.waitUntil(lambda: inbox.control is not None and window.session.connection is not None,
                    timeout=WAIT_MS)
    users = find(window, QComboBox, "sandboxUsersCombo")
    index = users.findData("newbie")
    assert "NEW_PASSWORD_REQUIRED" in users.itemText(index)
    users.setCurrentIndex(index)
    click(qtbot, window, "useSandboxUserButton")
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: window.findChild(QLineEdit, "newPasswordEdit") is not None, timeout=WAIT_MS)
    new_password = find(window, QLineEdit, "newPasswordEdit")
    new_password.setText("Changed-Passw0rd!")
    find(window, QLineEdit, "confirmPasswordEdit").setText("Changed-Passw0rd!")
    name = window.findChild(QLineEdit, "challengeAttribute_name")
    if name is not None:
        name.setText("Newbie Tester")
    click(qtbot, window, "challengeSubmitButton")
    wait_signed_in(qtbot, window)
    qtbot.waitUntil(lambda: "NEW_PASSWORD_REQUIRED" not in users.itemText(users.findData("newbie")),
                    timeout=WAIT_MS)
    assert users.currentData() == "newbie"
    assert find(window, QLineEdit, "sandboxPasswordEdit").text() == "Changed-Passw0rd!"

    presets = find(window, QComboBox, "metadataPresetCombo")
    window.request_panel.metadata.set_metadata({"source": "qa-desk"})
    window.profiles.save_preset(window.profile.name, "qa", [("source", "qa-desk")])  # type: ignore[union-attr]
    window.request_panel.metadata.set_presets(window.profiles, window.profile.name)  # type: ignore[union-attr]
    presets.setCurrentIndex(presets.findText("qa"))
    act(window, "startSandboxAction")  # the pool runs: starting again changes nothing chosen
    qtbot.waitUntil(lambda: window.tasks.running == 0, timeout=WAIT_MS)  # a profile reload would be done
    assert users.currentData() == "newbie"
    assert presets.currentText() == "qa"
    assert window.session.is_signed_in
    window.close()
