"""At 1024×768 the whole window is usable: the result and Verify column stands under the request
column, and every named control lies inside the window, either in view or in a column that scrolls
to it (never cut off sideways, where no scroll bar reaches). Pictures go to VERIFYDESK_SCREENSHOTS
(or a temporary folder), like those of test_window_screenshots."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    add_metadata_row,
    find,
    open_window,
    pick_attribute,
    press_send,
    save_sandbox_profile,
    sign_in,
    wait_result,
    wait_settled,
)

pytestmark = pytest.mark.gui
SMALL = (1024, 768)
CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QPlainTextEdit, QTextEdit)


def _rect_in(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _skipped(widget: QWidget) -> bool:
    """Cell editors of a table, and panels in a bottom tab behind another (a click on their tab
    brings them forward)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        if isinstance(parent, QDockWidget) and parent.visibleRegion().isEmpty():
            return True
        parent = parent.parentWidget()
    return False


def unreachable(window: QWidget) -> list[str]:
    """Visible named controls that a tester cannot bring into view: outside the window, or cut off
    sideways in a scrolling column (its scroll bar is vertical only), or in a column too short to
    scroll through."""
    found = []
    bounds = window.rect()
    for widget in window.findChildren(QWidget):
        name = widget.objectName()
        if (not isinstance(widget, CONTROLS) or not name or name.startswith("qt_") or not widget.isVisible()
                or _skipped(widget)):
            continue
        rect = _rect_in(window, widget)
        scroll = widget.parentWidget()
        while scroll is not None and not isinstance(scroll, QScrollArea):
            scroll = scroll.parentWidget()
        if scroll is None:
            if not bounds.contains(rect):
                found.append(f"{name}: {rect.getRect()} outside the window {bounds.getRect()}")
            continue
        viewport = _rect_in(window, scroll.viewport())
        if not bounds.contains(viewport):
            found.append(f"{name}: its column {scroll.objectName()} {viewport.getRect()} leaves the window")
        elif viewport.height() < 60:
            found.append(f"{name}: its column {scroll.objectName()} is only {viewport.height()}px tall")
        elif rect.left() < viewport.left() - 1 or rect.right() > viewport.right() + 1:
            found.append(f"{name}: {rect.getRect()} cut off sideways in {scroll.objectName()} {viewport.getRect()}")
    return found


def _check(qtbot: QtBot, window: MainWindow, shots: Path, name: str) -> None:
    wait_settled(qtbot, window)  # debounced previews and the inbox poll settle
    assert (window.width(), window.height()) == SMALL, "the window does not fit a 1024×768 screen"
    problems = unreachable(window)
    assert not problems, f"{name}: {problems}"
    assert window.grab().save(str(shots / f"small-{name}.png"), "PNG")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VERIFYDESK_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_control_is_reachable_at_1024x768_with_the_result_under_the_request(
    event_loop_qt: asyncio.AbstractEventLoop, qtbot: QtBot, sandbox, fresh_user, shots: Path  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    window.resize(*SMALL)
    qtbot.waitUntil(lambda: window.columns_area.narrow, timeout=WAIT_MS)
    request, result = find(window, QScrollArea, "requestScroll"), find(window, QScrollArea, "rightScroll")
    assert result.mapTo(window, result.rect().topLeft()).y() > request.mapTo(window, request.rect().topLeft()).y()
    _check(qtbot, window, shots, "signed-out")

    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "spring-launch")
    press_send(qtbot, window, find(window, QAbstractItemView, "metadataTable"))
    wait_result(qtbot, window, "success")
    window.inbox.show()
    window.inbox.raise_()
    _check(qtbot, window, shots, "delivery")
    for dock in (window.history_dock, window.trigger_tools.dock):  # each bottom tab in front in turn
        dock.raise_()
        qtbot.waitUntil(lambda dock=dock: not dock.visibleRegion().isEmpty(), timeout=WAIT_MS)
        _check(qtbot, window, shots, dock.objectName())

    window.resize(1280, 800)  # wide again: three columns side by side, as before
    qtbot.waitUntil(lambda: not window.columns_area.narrow, timeout=WAIT_MS)
    columns = [find(window, QScrollArea, name) for name in ("leftScroll", "requestScroll", "rightScroll")]
    tops = {column.mapTo(window, column.rect().topLeft()).y() for column in columns}
    assert len(tops) == 1, "the three columns stand side by side again"
