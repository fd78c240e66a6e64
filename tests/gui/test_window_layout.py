"""Layout a person notices at 1280×800: messages never grow the window past the screen nor overlap
the grid; sign-in challenges, their errors and focused fields scroll into view."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    add_metadata_row,
    choose_combo_text,
    click,
    find,
    open_window,
    press_send,
    save_sandbox_profile,
    sign_in,
    type_into,
)

pytestmark = pytest.mark.gui

SCREEN_W, SCREEN_H = 1280, 800
ROOM_FOR_FRAME = 80  # a title bar and a desktop panel on an 800-pixel-high screen


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def overlapping_children(parent: QWidget) -> list[str]:
    """Pairs of visible widgets laid out directly in `parent` that cover each other."""
    children = [c for c in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                if c.isVisible() and not c.isWindow()]
    return [f"{a.objectName() or type(a).__name__} over {b.objectName() or type(b).__name__}"
            for a, b in itertools.combinations(children, 2) if a.geometry().intersects(b.geometry())]


def assert_fits_the_screen(window: MainWindow, when: str) -> None:
    size, minimum = window.size(), window.minimumSizeHint()
    assert (size.width(), size.height()) == (SCREEN_W, SCREEN_H), f"{when}: window grew to {size.toTuple()}"
    assert minimum.width() <= SCREEN_W and minimum.height() <= SCREEN_H - ROOM_FOR_FRAME, (
        f"{when}: minimum size {minimum.toTuple()} does not fit a {SCREEN_W}×{SCREEN_H} screen")


def test_grid_problems_banner_and_refused_paste_never_grow_the_window_nor_overlap_the_grid(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    assert_fits_the_screen(window, "signed in")

    QApplication.clipboard().setText("\n".join(f"key{i}=value {i}" for i in range(1, 7)))
    click(qtbot, window, "pasteMetadataButton")
    add_metadata_row(qtbot, window, "key1", "again")  # a duplicate key
    press_send(qtbot, window)  # refused before sending: the problems show under the send bar
    qtbot.waitUntil(lambda: find(window, QWidget, "sendProblemsLabel").isVisible())
    window.report_failure(RuntimeError("the inbox poll could not reach the sandbox " * 4), "Reading the inbox")
    qtbot.waitUntil(lambda: bool(window.banner.text))
    assert_fits_the_screen(window, "grid problems, send problems and a banner")

    click(qtbot, window, "bannerDismissButton")
    QApplication.clipboard().setText("{not json")
    click(qtbot, window, "pasteMetadataButton")
    message = find(window, QWidget, "metadataStatusLabel")
    qtbot.waitUntil(lambda: "Paste refused" in window.request_panel.metadata.message_text())
    editor = window.request_panel.metadata
    grid = editor.table.viewport()
    # Once the layout has settled (one pass of the event loop), nothing covers the grid.
    qtbot.waitUntil(lambda: not rect_in(message, editor).intersects(rect_in(grid, editor)), timeout=1000)
    assert_fits_the_screen(window, "a refused paste")
    assert not overlapping_children(editor), overlapping_children(editor)
    assert not overlapping_children(window.request_panel), overlapping_children(window.request_panel)
    # Scrolled to it, the whole problem box can be read.
    scroll = find(window, QWidget, "requestScroll")
    scroll.ensureWidgetVisible(message)  # type: ignore[attr-defined]
    QApplication.processEvents()
    assert scroll.rect().contains(rect_in(message, scroll)), "the problem box is cut off"
    assert find(window, QPushButton, "sendButton").isVisible()


def in_view(widget: QWidget, column: QScrollArea) -> bool:
    """The whole widget is shown inside the column's viewport (not scrolled away, not cut)."""
    viewport = column.viewport()
    return widget.isVisible() and viewport.rect().contains(rect_in(widget, viewport))


def start_challenge(qtbot: QtBot, window: MainWindow, user: dict[str, str], *, plain: bool) -> None:
    if plain:
        choose_combo_text(qtbot, find(window, QComboBox, "authFlowCombo"),
                          find(window, QComboBox, "authFlowCombo").itemText(1))
    type_into(qtbot, window, "usernameEdit", user["username"])
    type_into(qtbot, window, "passwordEdit", user["password"])
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: find(window, QWidget, "challengeForm").isVisible(), timeout=WAIT_MS)


@pytest.mark.parametrize(("challenge", "field", "plain"), [
    ("NEW_PASSWORD_REQUIRED", "newPasswordEdit", True),
    ("SOFTWARE_TOKEN_MFA", "challengeCodeEdit", False),
])
def test_a_challenge_below_the_fold_is_scrolled_into_view_with_its_error_and_continue(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, challenge: str, field: str, plain: bool,  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    user = sandbox.control.create_user(challenge=challenge)
    window = open_window(qtbot)
    column = find(window, QScrollArea, "leftScroll")
    start_challenge(qtbot, window, user, plain=plain)

    edit = find(window, QLineEdit, field)
    assert QApplication.focusWidget() is edit
    button = find(window, QPushButton, "challengeSubmitButton")
    qtbot.waitUntil(lambda: in_view(edit, column) and in_view(button, column))
    # An incomplete answer: the error shows, in view, with Continue.
    if field == "newPasswordEdit":
        type_into(qtbot, window, field, "Brand-New-Passw0rd!")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    problem = find(window, QLabel, "challengeProblemLabel")
    qtbot.waitUntil(problem.isVisible)
    qtbot.waitUntil(lambda: in_view(problem, column) and in_view(button, column))


def test_after_a_restart_the_token_row_comes_into_view_when_focused(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox,  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    first = open_window(qtbot)
    first.resizeDocks([first.history_dock], [380], Qt.Orientation.Vertical)  # a tall History, kept
    first.close()
    window = open_window(qtbot, keep_size=True)
    column = find(window, QScrollArea, "leftScroll")
    token = find(window, QLineEdit, "accessTokenEdit")
    token.setFocus(Qt.FocusReason.ShortcutFocusReason)
    use = find(window, QPushButton, "useTokenButton")
    qtbot.waitUntil(lambda: in_view(token, column) and in_view(use, column))
    qtbot.keyClicks(token, "not a token")
    qtbot.keyClick(token, Qt.Key.Key_Return)
    problem = find(window, QLabel, "accessTokenProblemLabel")
    qtbot.waitUntil(lambda: in_view(problem, column))

