"""Layout a person notices at 1280×800: messages never grow the window past the screen nor overlap
the grid, sign-in challenges scroll into view, mnemonics are unique, dock toggles bring their tab
forward."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.ui.main_window import MainWindow

from support.window_driver import (
    add_metadata_row,
    click,
    find,
    open_window,
    press_send,
    save_sandbox_profile,
    sign_in,
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
    message = find(window, QWidget, "metadataMessageLabel")
    qtbot.waitUntil(lambda: "Paste refused" in window.request_panel.metadata.message_text())
    QApplication.processEvents()
    assert_fits_the_screen(window, "a refused paste")

    editor = window.request_panel.metadata
    grid = editor.table.viewport()
    assert not rect_in(message, editor).intersects(rect_in(grid, editor)), "the problem box covers the grid"
    assert not overlapping_children(editor), overlapping_children(editor)
    assert not overlapping_children(window.request_panel), overlapping_children(window.request_panel)
    # Scrolled to it, the whole problem box can be read.
    scroll = find(window, QWidget, "requestScroll")
    scroll.ensureWidgetVisible(message)  # type: ignore[attr-defined]
    QApplication.processEvents()
    assert scroll.rect().contains(rect_in(message, scroll)), "the problem box is cut off"
    assert find(window, QPushButton, "sendButton").isVisible()
