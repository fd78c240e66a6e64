"""Drive the real main window the way a tester does: click, type, press keys, wait for what shows.

Helpers only read what a person can see (labels, tables, enabled state) plus, where a person would
look elsewhere, the sandbox's inbox and the history store.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QLineEdit, QTableView, QWidget
from pytestqt.qtbot import QtBot

from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.secrets import MemorySecretStore
from app.ui.window.main_window import MainWindow

W = TypeVar("W", bound=QWidget)
PROFILE = "Sandbox"
SEND = "GetUserAttributeVerificationCode"
WAIT_MS = 15_000


def save_sandbox_profile(info: Any, **changes: Any) -> Profile:
    """What `Sandbox → Start sandbox pool` saves, written before the window opens."""
    profile = Profile(
        name=changes.pop("name", PROFILE), region=info.region, client_id=info.client_id,
        endpoint_url=info.endpoint_url, user_pool_id=info.user_pool_id, sandbox=True, **changes,
    )
    return ProfileStore(app_paths().profiles_file).save(profile)


def open_window(qtbot: QtBot, *, keep_size: bool = False, **kwargs: Any) -> MainWindow:
    """A new main window at 1280×800 (or as restored from window.ini with `keep_size`), shown,
    with its saved profile connected."""
    kwargs.setdefault("secrets", MemorySecretStore())
    window = MainWindow(**kwargs)
    qtbot.addWidget(window)
    if not keep_size:
        window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    if ProfileStore(app_paths().profiles_file).list():
        qtbot.waitUntil(lambda: window.session.connection is not None or bool(window.banner.text), timeout=WAIT_MS)
        assert window.session.connection is not None, window.banner.text
    return window


def find(window: QWidget, kind: type[W], name: str) -> W:
    found = window.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name!r}"
    return found


def label(window: QWidget, name: str) -> str:
    return find(window, QLabel, name).text()


def visible_label(window: QWidget, name: str) -> str:
    widget = find(window, QLabel, name)
    return widget.text() if widget.isVisible() else ""


def click(qtbot: QtBot, window: QWidget, name: str) -> None:
    button = find(window, QAbstractButton, name)
    assert button.isVisible(), f"{name} is not visible"
    assert button.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Key by key; non-ASCII characters arrive as key events carrying the text, as an input method
    delivers them."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def type_into(qtbot: QtBot, window: QWidget, name: str, text: str) -> QLineEdit:
    """Click into the named field, select what is there and type over it."""
    edit = find(window, QLineEdit, name)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    type_text(qtbot, edit, text)
    return edit


def sign_in(qtbot: QtBot, window: MainWindow, username: str, password: str) -> None:
    type_into(qtbot, window, "usernameEdit", username)
    type_into(qtbot, window, "passwordEdit", password)
    click(qtbot, window, "signInButton")
    wait_signed_in(qtbot, window)


def wait_signed_in(qtbot: QtBot, window: MainWindow) -> None:
    def done() -> bool:
        problem = visible_label(window, "signInProblemLabel")
        assert not problem, problem
        return window.session.user is not None

    qtbot.waitUntil(done, timeout=WAIT_MS)


def pick_attribute(qtbot: QtBot, window: MainWindow, name: str) -> None:
    combo = find(window, QComboBox, "attributeCombo")
    edit = combo.lineEdit()
    assert edit is not None
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    type_text(qtbot, edit, name)


def cell_editor(qtbot: QtBot, view: QTableView) -> QLineEdit:
    """The line edit Qt opened over the grid's current cell."""
    found: list[QLineEdit] = []

    def opened() -> bool:
        cell = view.visualRect(view.currentIndex())
        found[:] = [
            e for e in view.viewport().findChildren(QLineEdit)
            if e.isVisible() and cell.contains(e.geometry().center())
        ]
        return view.state() == QTableView.State.EditingState and bool(found)

    qtbot.waitUntil(opened)
    return found[0]


def add_metadata_row(qtbot: QtBot, window: MainWindow, key: str, value: str) -> None:
    """Click Add row, type the key, Tab, type the value, Enter."""
    view = find(window, QTableView, "metadataTable")
    click(qtbot, window, "addMetadataRowButton")
    key_edit = cell_editor(qtbot, view)
    type_text(qtbot, key_edit, key)
    qtbot.keyClick(key_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: view.currentIndex().column() == 1)
    value_edit = cell_editor(qtbot, view)
    type_text(qtbot, value_edit, value)
    qtbot.keyClick(value_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != QTableView.State.EditingState)


def choose_combo_text(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick an item of a (non-editable) combo with the keyboard, as a tester does."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    while combo.currentIndex() != index:
        key = Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def table_rows(view: QTableView) -> list[list[str]]:
    """What a table shows, row by row (display text)."""
    model = view.model()
    return [[str(model.index(row, col).data() or "") for col in range(model.columnCount())]
            for row in range(model.rowCount())]


def press_send(qtbot: QtBot, window: MainWindow, focus: QWidget | None = None) -> None:
    """Ctrl+Enter, as a tester sends from wherever the focus is."""
    target = focus or QApplication.focusWidget() or window
    qtbot.keyClick(target, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def settle() -> None:
    """Deliver every event already posted (layout requests, queued signals, deferred repaints)."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def wait_tasks_done(qtbot: QtBot, timeout: int = WAIT_MS) -> None:
    """Wait until no asyncio task of the running loop is pending, then `settle`: whatever the window
    started has finished, so a check that something did not happen is decided, not raced."""
    loop = asyncio.get_event_loop()
    qtbot.waitUntil(lambda: all(task.done() for task in asyncio.all_tasks(loop)), timeout=timeout)
    settle()


DEBOUNCE_MAX_MS = 2_000  # longer single-shot timers (token refresh) are not "settling"


def wait_settled(qtbot: QtBot, window: QObject, timeout: int = WAIT_MS) -> None:
    """Wait until the window's debounce timers (short single-shot QTimers: previews, searches, the
    busy bar) have fired and no asyncio task is pending, then `settle` the layout."""
    def quiet() -> bool:
        return not any(t.isActive() and t.isSingleShot() and t.interval() <= DEBOUNCE_MAX_MS
                       for t in window.findChildren(QTimer))

    qtbot.waitUntil(quiet, timeout=timeout)
    wait_tasks_done(qtbot, timeout)
    qtbot.waitUntil(quiet, timeout=timeout)  # a finished task may have started a preview
    settle()


def wait_result(qtbot: QtBot, window: MainWindow, expected: str | None = None) -> str:
    """Wait until no request is in flight and a result is shown; returns "success" or "error"."""
    qtbot.waitUntil(lambda: not window.controller.in_flight and window.result_view.showing != "empty",
                    timeout=WAIT_MS)
    shown = window.result_view.showing
    if expected is not None:
        details = label(window, "errorCodeLabel") + ": " + label(window, "errorMessageLabel")
        assert shown == expected, details
    return shown
