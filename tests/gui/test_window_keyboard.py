"""Keyboard-only use of the real window: Tab walks the main controls in reading order, and a whole
session (sign in, attribute, metadata, send, verify, history search) needs no mouse."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot

from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    find,
    label,
    open_window,
    save_sandbox_profile,
    type_text,
    wait_result,
    wait_signed_in,
)

pytestmark = pytest.mark.gui


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(qtbot: QtBot, which: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), which, modifier)


def tab_walk(qtbot: QtBot, start: QWidget, steps: int) -> list[str]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    names = []
    for _ in range(steps):
        names.append(focused().objectName())
        key(qtbot, Qt.Key.Key_Tab)
    return names


def in_order(seen: list[str], expected: list[str]) -> bool:
    """`expected` appears in `seen` in this order, each once before the next."""
    positions = [seen.index(name) if name in seen else -1 for name in expected]
    return -1 not in positions and positions == sorted(positions)


@pytest.fixture
def window(event_loop_qt: asyncio.AbstractEventLoop, qtbot: QtBot, sandbox) -> MainWindow:  # type: ignore[no-untyped-def]
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    return open_window(qtbot)


def test_tab_walks_the_main_controls_in_reading_order_signed_out_and_in(
    qtbot: QtBot, window: MainWindow, fresh_user: dict[str, str]
) -> None:
    combo = window.connection_panel.combo
    signed_out = tab_walk(qtbot, combo, 30)
    expected = ["profileCombo", "newProfileButton", "editProfileButton", "deleteProfileButton",
                "usernameEdit", "passwordEdit", "authFlowCombo", "signInButton", "accessTokenEdit",
                "useTokenButton", "attributeCombo", "metadataTable", "addMetadataRowButton", "codeEdit",
                "historyFilterEdit", "historyTable"]
    assert signed_out[: len(expected) - 6] == expected[: len(expected) - 6]  # the left column, exactly
    assert in_order(signed_out, expected), signed_out
    assert "leftScroll" not in signed_out and "rightScroll" not in signed_out  # no stops on frames
    assert "sendButton" not in signed_out  # disabled until signed in: skipped

    find(window, QWidget, "usernameEdit").setFocus()
    type_text(qtbot, focused(), fresh_user["username"])
    key(qtbot, Qt.Key.Key_Return)
    type_text(qtbot, focused(), fresh_user["password"])
    key(qtbot, Qt.Key.Key_Return)
    wait_signed_in(qtbot, window)
    signed_in = tab_walk(qtbot, combo, 30)
    assert in_order(signed_in, ["profileCombo", "deleteProfileButton", "refreshButton", "signOutButton",
                                "attributeCombo", "metadataTable", "sendButton", "codeEdit",
                                "verifyButton", "historyFilterEdit"]), signed_in
    assert "usernameEdit" not in signed_in  # the sign-in form is hidden while signed in


def test_a_whole_session_by_keyboard_only(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    # The window opens with the focus in the username field of the saved profile.
    assert focused().objectName() == "usernameEdit"
    type_text(qtbot, focused(), fresh_user["username"])
    key(qtbot, Qt.Key.Key_Return)  # Enter moves to the password
    assert focused().objectName() == "passwordEdit"
    type_text(qtbot, focused(), fresh_user["password"])
    key(qtbot, Qt.Key.Key_Return)  # Enter signs in
    wait_signed_in(qtbot, window)

    # Signed in, the focus is on the attribute; GetUser proposed "email". Pick phone_number instead.
    assert focused().objectName() == "attributeCombo"
    key(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, focused(), "phone_number")
    assert label(window, "attributeBadgeLabel") == "not verified"

    # Ctrl+M: the grid; Insert adds a row and edits its key, Tab goes to the value, Enter commits.
    key(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    table = find(window, QTableView, "metadataTable")
    assert focused() is table
    key(qtbot, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: table.state() == QTableView.State.EditingState)
    type_text(qtbot, focused(), "source")
    key(qtbot, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: table.currentIndex().column() == 1 and table.state() == QTableView.State.EditingState)
    type_text(qtbot, focused(), "keyboard ⌨")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != QTableView.State.EditingState)
    assert window.request_panel.metadata.metadata() == {"source": "keyboard ⌨"}

    key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter sends
    wait_result(qtbot, window, "success")
    assert label(window, "deliveryMediumLabel") == "SMS"

    # Ctrl+K: the code field; type the delivered code; Enter verifies.
    key(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert focused().objectName() == "codeEdit"
    type_text(qtbot, focused(), sandbox.control.latest_code(fresh_user["username"], "phone_number"))
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ phone_number verified.", timeout=WAIT_MS)
    assert label(window, "attributeBadgeLabel") == "✓ verified"

    # Ctrl+F: search history; the attempt is found by its metadata.
    key(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert focused().objectName() == "historyFilterEdit"
    type_text(qtbot, focused(), "keyboard")
    history = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: history.model().rowCount() == 1, timeout=WAIT_MS)
    key(qtbot, Qt.Key.Key_Tab)  # on to the filters and the table, still without a mouse
    assert focused().objectName() == "historyOutcomeCombo"

    # Ctrl+L goes back to the attribute.
    key(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert focused().objectName() == "attributeCombo"
