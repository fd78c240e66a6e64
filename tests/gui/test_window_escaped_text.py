"""Server text with line breaks, terminal escapes and bidirectional overrides shows in the window as
visible escapes on one line: the result pane, the history table and the history details never start
a forged line, draw an escape code or reorder the text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTableView, QTextBrowser
from pytestqt.qtbot import QtBot

from app.ui.window.main_window import MainWindow

from support.window_driver import (
    SEND,
    WAIT_MS,
    find,
    label,
    pick_attribute,
    press_send,
    table_rows,
    wait_result,
)

pytestmark = pytest.mark.gui

FORGED = "Bad things.\r\nNext: fake\x1b[2J\x1b]0;title\x07\u202eevil"
SHOWN = "Bad things.\\r\\nNext: fake\\e[2J\\e]0;title\\x07\\u202eevil"
ACTIVE = ("\r", "\n", "\x1b", "\x07", "\u202e", "\u2029")


def _has_active(text: str) -> bool:
    return any(char in text for char in ACTIVE)


def test_injected_error_message_shows_escaped_in_result_pane_history_table_and_details(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.inject_fault(SEND, error_code="CodeDeliveryFailureException", http_status=400,
                                 message=FORGED)
    pick_attribute(qtbot, window, "email")
    # As a metadata file could hold it: the summary cell shows it escaped too.
    window.request_panel.metadata.set_metadata({"note": "a\r\nfake row\x1b]0;title\x07\u202e"})
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")

    message = label(window, "errorMessageLabel")
    assert message == SHOWN
    assert label(window, "errorNextStepLabel").startswith("Next: ")  # the real next step, once

    table = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.model().rowCount() >= 1, timeout=WAIT_MS)
    newest = table_rows(table)[0]
    assert not any(_has_active(cell) for cell in newest)
    assert any("note=a\\r\\nfake row\\e]0;title\\x07\\u202e" in cell for cell in newest)

    rect = table.visualRect(table.model().index(0, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    details = find(window, QTableView, "historyTable").window().findChild(QTextBrowser, "historyDetails")
    assert details is not None
    qtbot.waitUntil(lambda: "fake" in details.toPlainText(), timeout=WAIT_MS)
    text = details.toPlainText()
    assert SHOWN in text
    assert not _has_active(text.replace("\n", ""))  # the pane's own layout breaks lines, not the server
    assert not any(line.startswith("Next: fake") for line in text.splitlines())
