"""Keyboard mnemonics a person uses with Alt: unique in the window whichever bottom tab is in front,
and within each menu; the dock toggles bring their tab forward."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDockWidget, QGroupBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.ui.window.main_window import MainWindow

from support.window_driver import open_window, save_sandbox_profile, sign_in

pytestmark = pytest.mark.gui


def mnemonic(text: str) -> str | None:
    """The letter after a single `&` (Alt+letter), if any."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if 0 <= at < len(plain) - 1 else None


def visible_mnemonics(window: MainWindow) -> dict[str, list[str]]:
    """Alt+letter → the visible buttons, buddy labels, group boxes and menu titles using it."""
    found: dict[str, list[str]] = {}
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy() is not None):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        letter = mnemonic(text)
        if letter:
            found.setdefault(letter, []).append(f"{widget.objectName() or type(widget).__name__} {text!r}")
    for action in window.menuBar().actions():
        letter = mnemonic(action.text())
        if letter and action.isVisible():
            found.setdefault(letter, []).append(f"menu {action.text()!r}")
    return found


def clashes(window: MainWindow) -> dict[str, list[str]]:
    return {letter: users for letter, users in visible_mnemonics(window).items() if len(users) > 1}


def menu_clashes(window: MainWindow) -> dict[str, list[str]]:
    """Within each menu (and submenu), the items' mnemonics."""
    found: dict[str, list[str]] = {}
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    while menus:
        menu = menus.pop()
        letters: dict[str, list[str]] = {}
        for action in menu.actions():
            if action.menu() is not None:
                menus.append(action.menu())
            letter = mnemonic(action.text())
            if letter and action.isVisible():
                letters.setdefault(letter, []).append(action.text())
        found.update({f"{menu.title()} {k}": v for k, v in letters.items() if len(v) > 1})
    return found


def bottom_docks(window: MainWindow) -> list[QDockWidget]:
    return [d for d in window.findChildren(QDockWidget) if window.dockWidgetArea(d) != Qt.DockWidgetArea.NoDockWidgetArea]


def test_every_mnemonic_is_unique_in_the_window_whichever_tab_is_in_front(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    window.inbox.show()  # the sandbox inbox is a tab too
    seen: dict[str, dict[str, list[str]]] = {}
    for state in ("signed out", "signed in"):
        if state == "signed in":
            sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
        for dock in bottom_docks(window):
            dock.show()
            dock.raise_()
            QApplication.processEvents()
            if found := clashes(window):
                seen[f"{state}, {dock.objectName()} in front"] = found
    assert not seen, seen
    assert not menu_clashes(window), menu_clashes(window)


def in_front(dock: QDockWidget) -> bool:
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def test_ctrl_i_brings_the_inbox_forward_from_behind_history_and_hides_it_only_when_in_front(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox,  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    window.inbox.show()
    window.history_dock.raise_()
    qtbot.waitUntil(lambda: in_front(window.history_dock) and not in_front(window.inbox))

    qtbot.keyClick(window.sign_in.username_edit, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: in_front(window.inbox))
    assert window.inbox.isAncestorOf(QApplication.focusWidget())
    assert window.inbox_action.isChecked()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.inbox.isHidden)
    assert not window.inbox_action.isChecked()
    qtbot.keyClick(window.sign_in.username_edit, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: in_front(window.inbox))

    # The same for the other tabs' toggles in the View menu (the trigger view's).
    for dock in window.findChildren(QDockWidget):
        action = dock.toggleViewAction()
        if dock in (window.inbox, window.history_dock) or action not in window.view_menu.actions():
            continue
        window.history_dock.raise_()
        qtbot.waitUntil(lambda d=dock: not in_front(d))
        action.trigger()
        qtbot.waitUntil(lambda d=dock: in_front(d))
        action.trigger()
        qtbot.waitUntil(dock.isHidden)
