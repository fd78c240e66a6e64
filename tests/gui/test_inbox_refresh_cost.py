"""The sandbox inbox stays cheap as it grows: a new message is inserted on top (the rows and column
widths stay), not a reset that re-measures up to 1,000 rows (per send the inbox of a
long-running sandbox was reset and re-measured on the GUI thread)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.ui.sandbox import inbox_view
from app.ui.sandbox.inbox_model import InboxModel
from app.ui.sandbox.inbox_panel import RESIZE_PRECISION_ROWS
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    click,
    find,
    pick_attribute,
    wait_result,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, window: MainWindow) -> MainWindow:
    """The signed-in window (tests/gui/conftest.py) with email picked."""
    pick_attribute(qtbot, window, "email")
    return window


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
    qtbot.waitUntil(lambda: any(m.get("username") == fresh_user["username"] for m in inbox.view.model.messages),
                    timeout=WAIT_MS)
    before = [m.get("id") for m in inbox.view.model.messages]
    events: list[str] = []
    inbox.view.model.modelReset.connect(lambda: events.append("reset"))
    inbox.view.model.rowsInserted.connect(lambda _parent, first, last: events.append(f"inserted {first}-{last}"))
    inbox.view.model.rowsRemoved.connect(lambda _parent, first, last: events.append(f"removed {first}-{last}"))
    _send(qtbot, window)
    qtbot.waitUntil(lambda: inbox.view.model.messages[0].get("id") != before[0], timeout=WAIT_MS)
    after = [m.get("id") for m in inbox.view.model.messages]
    arrived = after.index(before[0])
    # Inserted on top; when the newest-N window slid, the oldest rows went from the bottom first.
    assert events[-1] == f"inserted 0-{arrived - 1}"
    assert all(event.startswith("removed") for event in events[:-1])
    assert after[arrived:] == before[: len(after) - arrived]
    table = find(window, QTableView, "inboxTable")
    assert table.currentIndex().row() == 0  # the message that just arrived is selected
    assert table.horizontalHeader().resizeContentsPrecision() == RESIZE_PRECISION_ROWS


def test_when_the_newest_n_window_slides_old_rows_leave_the_bottom_and_new_ones_enter_the_top(
    qtbot: QtBot,
) -> None:
    model = InboxModel()
    model.set_messages([{"id": i} for i in range(1, 6)])  # sending order: 1..5, shown newest first
    events: list[str] = []
    model.modelReset.connect(lambda: events.append("reset"))
    model.rowsInserted.connect(lambda _parent, first, last: events.append(f"inserted {first}-{last}"))
    model.rowsRemoved.connect(lambda _parent, first, last: events.append(f"removed {first}-{last}"))
    assert model.set_messages([{"id": i} for i in range(3, 8)])  # the newest 5 after two more
    assert events == ["removed 3-4", "inserted 0-1"]
    assert [m["id"] for m in model.messages] == [7, 6, 5, 4, 3]
    assert not model.set_messages([{"id": i} for i in range(3, 8)])


def test_the_inbox_fetches_only_its_newest_messages_and_says_so(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_view, "INBOX_SHOWN", 2)
    for _ in range(3):
        _send(qtbot, window)
    window.inbox.show()
    window.inbox.raise_()
    window.inbox.refresh()
    qtbot.waitUntil(lambda: "the newest 2" in window.inbox.view.status.text(), timeout=WAIT_MS)
    assert len(window.inbox.view.model.messages) == 2


def test_a_hidden_inbox_reads_nothing_after_a_send_and_catches_up_when_shown(
    qtbot: QtBot, window: MainWindow, fresh_user: dict[str, str]
) -> None:
    inbox = window.inbox
    assert not inbox.isVisible()
    _send(qtbot, window)
    _send(qtbot, window)
    qtbot.wait(300)  # room for a refresh a send might have started
    assert inbox.view.model.messages == []
    inbox.show()
    inbox.raise_()
    qtbot.waitUntil(lambda: sum(m.get("username") == fresh_user["username"] for m in inbox.view.model.messages) == 2,
                    timeout=WAIT_MS)
