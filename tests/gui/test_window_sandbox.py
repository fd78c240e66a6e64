"""Sandbox mode from the menu: the embedded pool starts without freezing the window, a profile is
filled in, and its inbox shows the code that was "sent", which verifies the attribute."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QTableView
from pytestqt.qtbot import QtBot

from support.window_driver import (
    WAIT_MS,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    press_send,
    table_rows,
    wait_result,
    wait_signed_in,
)

pytestmark = pytest.mark.gui


def test_sandbox_menu_starts_a_pool_then_the_inbox_code_verifies_the_email(
    event_loop_qt: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    window = open_window(qtbot)
    assert "start the sandbox" in label(window, "statusLabel")
    assert window.profile is None

    find(window, QAction, "startSandboxAction").trigger()  # Sandbox → Start sandbox pool
    inbox = window.inbox
    qtbot.waitUntil(lambda: inbox.isVisible() and inbox.control is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.session.connection is not None, timeout=WAIT_MS)
    endpoint = inbox.control.endpoint_url
    assert find(window, QComboBox, "profileCombo").currentText().startswith("Sandbox")
    assert window.profile is not None and window.profile.sandbox and window.profile.endpoint_url == endpoint
    assert label(window, "inboxStatusLabel").startswith(f"Sandbox at {endpoint}")

    # A seeded test user fills the sign-in form; sign in with a click.
    users = find(window, QComboBox, "sandboxUsersCombo")
    assert users.count() >= 3 and users.currentText().startswith("alice")
    click(qtbot, window, "useSandboxUserButton")
    assert find(window, QLineEdit, "usernameEdit").text() == "alice"
    assert find(window, QLineEdit, "passwordEdit").text()
    click(qtbot, window, "signInButton")
    wait_signed_in(qtbot, window)

    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    table = find(window, QTableView, "inboxTable")
    qtbot.waitUntil(lambda: table.model().rowCount() >= 1, timeout=WAIT_MS)
    newest = table_rows(table)[0]
    assert "alice" in newest and "email" in newest and "EMAIL" in newest
    code = newest[5]
    assert code.isdigit()

    # The tester reads the message, then puts its code into the Verify field and presses Enter.
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    assert code in find(window, QPlainTextEdit, "inboxMessageView").toPlainText()
    click(qtbot, window, "useInboxCodeButton")
    code_edit = find(window, QLineEdit, "codeEdit")
    assert code_edit.text() == code and code_edit.hasFocus()
    qtbot.keyClick(code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    assert label(window, "attributeBadgeLabel") == "✓ verified"

    window.close()  # stops the pool this window started
    assert window.sandbox_mode.sandbox is None
