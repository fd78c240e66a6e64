"""The sandbox inbox stays cheap as it grows: a new message is inserted on top (the rows and column
widths stay), not a reset that re-measures up to 1,000 rows (issue 6: per send the inbox of a
long-running sandbox was reset and re-measured on the GUI thread)."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.ui.inbox_view import RESIZE_PRECISION_ROWS
from app.ui.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    click,
    find,
    open_window,
    pick_attribute,
    save_sandbox_profile,
    sign_in,
    wait_result,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user):  # type: ignore[no-untyped-def]
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    win = open_window(qtbot)
    qtbot.waitUntil(lambda: win.inbox.control is not None, timeout=WAIT_MS)
    sign_in(qtbot, win, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, win, "email")
    return win


def _send(qtbot: QtBot, window: MainWindow) -> None:
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")


def test_a_new_message_is_inserted_on_top_of_a_shown_inbox_not_reset(
    qtbot: QtBot, window: MainWindow, fresh_user: dict[str, str]
) -> None:
    inbox = window.inbox
    inbox.show()
    inbox.raise_()
    _send(qtbot, window)
    qtbot.waitUntil(lambda: any(m.get("username") == fresh_user["username"] for m in inbox.model.messages),
                    timeout=WAIT_MS)
    before = [m.get("id") for m in inbox.model.messages]
    events: list[str] = []
    inbox.model.modelReset.connect(lambda: events.append("reset"))
    inbox.model.rowsInserted.connect(lambda _parent, first, last: events.append(f"inserted {first}-{last}"))
    _send(qtbot, window)
    qtbot.waitUntil(lambda: len(inbox.model.messages) > len(before), timeout=WAIT_MS)
    arrived = len(inbox.model.messages) - len(before)
    assert events == [f"inserted 0-{arrived - 1}"]
    assert [m.get("id") for m in inbox.model.messages][arrived:] == before
    table = find(window, QTableView, "inboxTable")
    assert table.currentIndex().row() == 0  # the message that just arrived is selected
    assert table.horizontalHeader().resizeContentsPrecision() == RESIZE_PRECISION_ROWS
