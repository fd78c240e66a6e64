"""Server text with line breaks, terminal escapes and bidirectional overrides shows in the window as
visible escapes on one line: the result pane, the history table and details and the trigger log never
start a forged line, draw an escape code or reorder the text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QTableView, QTextBrowser
from pytestqt.qtbot import QtBot

from app.core.trigger_logs import LogKind, LogLine, render_text
from app.ui.history.model import ERROR_COLUMN
from app.ui.trigger.log_view import LogLinesModel, trigger_log_html
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    SEND,
    WAIT_MS,
    click,
    find,
    label,
    pick_attribute,
    press_send,
    table_rows,
    type_into,
    wait_result,
)

pytestmark = pytest.mark.gui

FORGED = "<b>Bad</b> things.\r\nNext: fake\x1b[2J\x1b]0;title\x07\u202eevil"
SHOWN = "<b>Bad</b> things.\\r\\nNext: fake\\e[2J\\e]0;title\\x07\\u202eevil"
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

    assert label(window, "errorMessageLabel") == SHOWN
    assert find(window, QLabel, "errorMessageLabel").textFormat() == Qt.TextFormat.PlainText
    assert label(window, "errorNextStepLabel").startswith("Next: ")  # the real next step, once

    table = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.model().rowCount() >= 1, timeout=WAIT_MS)
    newest = table_rows(table)[0]
    assert not any(_has_active(cell) for cell in newest)
    tooltip = table.model().data(table.model().index(0, ERROR_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("<qt>") and "&lt;b&gt;Bad&lt;/b&gt;" in tooltip  # drawn as written
    assert any("note=a\\r\\nfake row\\e]0;title\\x07\\u202e" in cell for cell in newest)

    rect = table.visualRect(table.model().index(0, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    details = find(window, QTextBrowser, "historyDetails")
    qtbot.waitUntil(lambda: "fake" in details.toPlainText(), timeout=WAIT_MS)
    text = details.toPlainText()
    assert SHOWN in text
    assert not _has_active(text.replace("\n", ""))  # the pane's own layout breaks lines, not the server
    assert not any(line.startswith("Next: fake") for line in text.splitlines())


def test_injected_verify_error_shows_escaped_under_the_code_field(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.inject_fault("VerifyUserAttribute", error_code="CodeMismatchException", http_status=400,
                                 message=FORGED)
    pick_attribute(qtbot, window, "email")
    type_into(qtbot, window, "codeEdit", "123456")
    click(qtbot, window, "verifyButton")
    result = find(window, QLabel, "verifyResultLabel")
    qtbot.waitUntil(lambda: "fake" in result.text(), timeout=WAIT_MS)
    first, next_step = result.text().split("\n")  # the message on one line, the real next step below
    assert first == f"CodeMismatchException: {SHOWN}"
    assert next_step.startswith("Next: ") and "fake" not in next_step
    assert result.textFormat() == Qt.TextFormat.PlainText


def test_trigger_log_rows_show_each_lines_escapes_and_keep_one_row_per_log_line(qtbot: QtBot) -> None:
    line = LogLine(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "INFO\tred\x1b[31m\u202etxt\u2028fake",
                   LogKind.OUTPUT, log_stream="stream\x1b]0;t\x07")
    model = LogLinesModel()
    model.append([line])
    index = model.index(0, 0)
    assert str(model.data(index)).endswith("INFO  red\\e[31m\\u202etxt\\u2028fake")
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "stream\\e]0;t\\x07"

    stored = render_text([line, line])
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(trigger_log_html(stored))
    shown_rows = browser.toPlainText().splitlines()
    assert len(shown_rows) == 2
    assert all(not _has_active(row) and "\\u2028fake" in row for row in shown_rows)
