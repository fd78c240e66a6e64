"""What a send repaints, and in which order: the result the tester waits for comes before the history
table's update; a quick send enters history once, completed; a slow one shows its pending row while
it is in flight (every repaint of the table during or before the result cost the send time)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.core.history import HistoryFilter
from app.ui.history.cells import outcome_state
from app.ui.history.model import RECORD_ROLE
from app.ui.request.send_flow import HistoryNotifier
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    SEND,
    WAIT_MS,
    click,
    find,
    pick_attribute,
    settle,
    wait_result,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, window: MainWindow) -> MainWindow:
    """The signed-in window (tests/gui/conftest.py) with email picked."""
    pick_attribute(qtbot, window, "email")
    return window


def _watch(window: MainWindow) -> list[str]:
    """Events in order: 'result' when the controller has shown a result, and the state of every row
    the history table gains or changes."""
    seen: list[str] = []
    model = find(window, QTableView, "historyTable").model()

    def row_state(first: int, last: int) -> None:
        for row in range(first, last + 1):
            record = model.index(row, 0).data(RECORD_ROLE)
            if record is not None:
                seen.append(outcome_state(record))

    model.rowsInserted.connect(lambda _parent, first, last: row_state(first, last))
    model.dataChanged.connect(lambda top, bottom, *_: row_state(top.row(), bottom.row()))
    window.controller.sent.connect(lambda _recorded: seen.append("result"))
    return seen


def test_a_quick_send_shows_its_result_then_one_completed_history_row(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    rows_before = find(window, QTableView, "historyTable").model().rowCount(QModelIndex())
    seen = _watch(window)
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")
    qtbot.waitUntil(lambda: "success" in seen, timeout=WAIT_MS)
    assert seen == ["result", "success"]  # no pending row flashed, the table after the result
    assert find(window, QTableView, "historyTable").model().rowCount(QModelIndex()) == rows_before + 1


def test_a_slow_send_shows_its_pending_row_while_in_flight(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.inject_fault(SEND, delay_s=1.5)
    seen = _watch(window)
    click(qtbot, window, "sendButton")
    qtbot.waitUntil(lambda: "pending" in seen, timeout=HistoryNotifier.PENDING_DELAY_MS + 1000)
    assert "result" not in seen  # still in flight
    wait_result(qtbot, window, "success")
    qtbot.waitUntil(lambda: "success" in seen, timeout=WAIT_MS)
    assert seen == ["pending", "result", "success"]


def test_the_request_leaves_from_the_click_handler_not_after_the_event_loop_turns(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    store = window.history_store
    rows_before = store.count(HistoryFilter())
    requests_before = sandbox.control.request_count(SEND)
    window.controller.send(False)  # what the Send button runs; no Qt or asyncio event runs below
    deadline = time.monotonic() + 5
    while sandbox.control.request_count(SEND) == requests_before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sandbox.control.request_count(SEND) == requests_before + 1
    assert store.count(HistoryFilter()) == rows_before + 1  # written by the worker meanwhile
    wait_result(qtbot, window, "success")


def test_the_request_grid_keeps_its_geometry_while_a_request_is_in_flight(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    """The busy bar and elapsed text must not re-wrap the send bar into a taller one: the grid
    above would be laid out and repainted whole at the start and end of every send."""
    sandbox.control.inject_fault(SEND, delay_s=2.0)
    grid, bar = window.request_panel.metadata, window.request_panel.send_bar
    idle = (grid.geometry(), bar.geometry())
    click(qtbot, window, "sendButton")
    qtbot.waitUntil(lambda: bar.busy.isVisible() and bar.elapsed.text().startswith("Sending… "), timeout=WAIT_MS)
    first = bar.elapsed.text()
    # the elapsed text has changed at least once while in flight (not one particular tick)
    qtbot.waitUntil(lambda: bar.elapsed.text() != first, timeout=WAIT_MS)
    assert bar.elapsed.text().startswith("Sending… "), "the answer came before the elapsed text ticked"
    settle()
    assert (grid.geometry(), bar.geometry()) == idle
    wait_result(qtbot, window, "success")
    settle()
    assert (grid.geometry(), bar.geometry()) == idle
