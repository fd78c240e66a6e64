"""The bottom tabs take their room from themselves: bringing the Trigger tab forward never widens
the window, and the local trigger's messages scroll inside the tab instead of pushing Send out of
the request column, at 1280×800 and 1024×768. The Preflight and Runs tabs are built when they first
come forward."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot
from test_trigger_view import show_tab, use_trigger

from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    add_metadata_row,
    click,
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


def _rect_in(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _send_in_view(window: MainWindow) -> bool:
    """Send lies whole inside the request column's visible part, itself inside the window."""
    send = find(window, QPushButton, "sendButton")
    column = find(window, QScrollArea, "requestScroll")
    shown = _rect_in(window, column.viewport()).intersected(window.rect())
    holder = send.parentWidget()
    while holder is not None and holder is not column:
        holder = holder.parentWidget()
    visible = shown if holder is column else window.rect()
    return send.isVisible() and visible.contains(_rect_in(window, send))


@pytest.fixture
def window(event_loop_qt: asyncio.AbstractEventLoop, qtbot: QtBot, sandbox: Any,
           fresh_user: dict[str, str]) -> MainWindow:
    sandbox.control.clear_faults()
    sandbox.control.set_trigger(None)
    save_sandbox_profile(sandbox.info)
    win = open_window(qtbot)
    sign_in(qtbot, win, fresh_user["username"], fresh_user["password"])
    yield win
    tools = win.trigger_tools
    tools.follow.stop("the test ended")
    qtbot.waitUntil(lambda: tools.tasks.running == 0 and win.tasks.running == 0, timeout=30_000)
    sandbox.control.set_trigger(None)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_bringing_the_trigger_tab_forward_never_widens_the_window(
    qtbot: QtBot, window: MainWindow, size: tuple[int, int]
) -> None:
    window.resize(*size)
    window.history_dock.raise_()
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=WAIT_MS)
    minimum = window.minimumSizeHint().width()
    for title in ("Event preview", "Pool configuration", "Log lines", "Local trigger (sandbox)"):
        show_tab(qtbot, window, title)
        qtbot.waitUntil(lambda: not window.trigger_tools.dock.visibleRegion().isEmpty(), timeout=WAIT_MS)
        assert window.minimumSizeHint().width() == minimum, title
        assert (window.width(), window.height()) == size, title
        assert window.trigger_tools.dock.minimumSizeHint().width() < size[0] // 2, title


def test_local_trigger_messages_scroll_in_the_tab_and_send_stays_in_view_at_1280x800(
    qtbot: QtBot, window: MainWindow
) -> None:
    pick_attribute(qtbot, window, "email")
    show_tab(qtbot, window, "Local trigger (sandbox)")
    click(qtbot, window, "demoTriggerButton")
    qtbot.waitUntil(lambda: window.trigger_tools.view.local.active_spec is not None, timeout=WAIT_MS)
    assert _send_in_view(window)
    dock = window.trigger_tools.dock
    heights = []
    for handler in ("echo.py", "garbage.py", "raises.py", "echo.py"):
        use_trigger(qtbot, window, handler)
        press_send(qtbot, window)
        wait_result(qtbot, window)
        qtbot.waitUntil(lambda: window.trigger_tools.view.local.run is not None, timeout=WAIT_MS)
        wait_settled(qtbot, window)  # the layout settles after the run's messages appear
        heights.append(dock.height())
        assert _send_in_view(window), (handler, _rect_in(window, find(window, QPushButton, "sendButton")))
        assert window.size().toTuple() == (1280, 800)
    assert max(heights) == min(heights), f"the dock grew with the messages: {heights}"
    for view in ("sentEventView", "returnedEventView"):  # each caption on one whole line
        caption = next(found for found in dock.findChildren(QLabel) if found.buddy() is find(window, QWidget, view))
        line = caption.fontMetrics().lineSpacing()
        assert line <= caption.height() < 2 * line, (caption.text(), caption.height(), line)


def test_send_stays_in_view_without_scrolling_when_the_grid_and_its_messages_are_tall(
    qtbot: QtBot, window: MainWindow
) -> None:
    pick_attribute(qtbot, window, "email")
    show_tab(qtbot, window, "Local trigger (sandbox)")
    for n in range(5):  # four duplicate keys and an empty one: five problems below the grid
        add_metadata_row(qtbot, window, "campaign", f"spring-{n}")
    add_metadata_row(qtbot, window, "", "orphan")
    editor = window.request_panel.metadata
    qtbot.waitUntil(lambda: "Duplicate key" in editor.message_text(), timeout=WAIT_MS)
    wait_settled(qtbot, window)  # the column lays out the grid's messages
    column = find(window, QScrollArea, "requestScroll")
    column.verticalScrollBar().setValue(0)  # the column as it opens: scrolled to the top
    assert _send_in_view(window), _rect_in(window, find(window, QPushButton, "sendButton"))
    press_send(qtbot, window)  # refused: the problems and Send anyway appear beside Send
    qtbot.waitUntil(lambda: find(window, QPushButton, "sendAnywayButton").isVisible(), timeout=WAIT_MS)
    column.verticalScrollBar().setValue(0)
    wait_settled(qtbot, window)
    assert _send_in_view(window), _rect_in(window, find(window, QPushButton, "sendButton"))
    assert window.size().toTuple() == (1280, 800)


def test_the_preflight_and_runs_panels_are_built_when_their_tab_first_comes_forward(
    qtbot: QtBot, window: MainWindow
) -> None:
    from app.ui.preflight.panel import PreflightPanel
    from app.ui.runs.panel import RunsPanel

    def shown(kind: type[QWidget]) -> bool:
        panel = window.findChild(kind)
        return panel is not None and panel.isVisible()

    assert window.findChild(RunsPanel) is None and window.findChild(PreflightPanel) is None
    find(window, QDockWidget, "runsDock").raise_()
    qtbot.waitUntil(lambda: shown(RunsPanel), timeout=WAIT_MS)
    assert window.findChild(PreflightPanel) is None
    window.menu_actions["preflightAction"].trigger()  # Request → Preflight: the tab comes forward
    qtbot.waitUntil(lambda: shown(PreflightPanel), timeout=WAIT_MS)
    panel = window.findChild(PreflightPanel)
    assert panel is not None
    focused = QApplication.focusWidget()
    assert focused is not None and panel.isAncestorOf(focused), "the keyboard focus is in the new tab"
