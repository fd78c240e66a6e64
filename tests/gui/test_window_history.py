"""History in the real window: what was sent shows up, filters narrow it, re-run loads an attempt
back; and a restarted window (same VERIFYDESK_HOME) finds the history, the last profile and the
layout where the tester left them."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QSplitter, QTableView
from pytestqt.qtbot import QtBot

from app.core.history import HistoryFilter
from app.core.models import Outcome
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    SEND,
    WAIT_MS,
    add_metadata_row,
    choose_combo_text,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    press_send,
    save_sandbox_profile,
    sign_in,
    table_rows,
    type_into,
    wait_result,
)

pytestmark = pytest.mark.gui


def _send(qtbot: QtBot, window: MainWindow, attribute: str, metadata: dict[str, str], expected: str) -> None:
    window.request_panel.metadata.set_rows([])  # a fresh grid for each attempt
    pick_attribute(qtbot, window, attribute)
    for key, value in metadata.items():
        add_metadata_row(qtbot, window, key, value)
    press_send(qtbot, window)
    wait_result(qtbot, window, expected)


def _click_row(qtbot: QtBot, view: QTableView, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))


def test_history_filters_by_text_and_outcome_and_rerun_loads_the_attempt_back(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    _send(qtbot, window, "email", {"campaign": "spring"}, "success")
    _send(qtbot, window, "phone_number", {"channel": "sms-test"}, "success")
    sandbox.control.inject_fault(SEND, error_code="LimitExceededException", http_status=400,
                                 message="Attempt limit exceeded, please try after some time.")
    _send(qtbot, window, "email", {"campaign": "autumn", "locale": "fr-FR"}, "error")
    table = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=WAIT_MS)
    newest = table_rows(table)[0]
    assert "email" in newest and "LimitExceededException" in newest

    # Free text: only the attempt whose metadata says "spring".
    type_into(qtbot, window, "historyFilterEdit", "spring")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=WAIT_MS)
    assert any("campaign=spring" in cell for cell in table_rows(table)[0])

    # Outcome: errors only (text cleared first).
    type_into(qtbot, window, "historyFilterEdit", "")
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=WAIT_MS)
    choose_combo_text(qtbot, find(window, QComboBox, "historyOutcomeCombo"), "Error")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=WAIT_MS)
    assert "LimitExceededException" in table_rows(table)[0]

    # Re-run the failed attempt: its attribute and metadata come back into the request.
    pick_attribute(qtbot, window, "phone_number")
    window.request_panel.metadata.set_rows([])
    _click_row(qtbot, table, 0)
    click(qtbot, window, "rerunHistoryButton")
    assert find(window, QComboBox, "attributeCombo").currentText() == "email"
    assert window.request_panel.metadata.metadata() == {"campaign": "autumn", "locale": "fr-FR"}
    assert "Ctrl+Enter" in label(window, "statusLabel")

    before = sandbox.control.request_count(SEND)
    press_send(qtbot, window)  # the fault was used up: this time it is delivered
    wait_result(qtbot, window, "success")
    assert sandbox.control.request_count(SEND) == before + 1
    latest = window.history_store.page(HistoryFilter(), limit=1)[0]
    assert latest.outcome is Outcome.SUCCESS and latest.attribute_name == "email"
    assert dict(latest.client_metadata) == {"campaign": "autumn", "locale": "fr-FR"}


def test_restarted_window_finds_history_last_profile_username_and_layout(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info, name="Another pool")
    save_sandbox_profile(sandbox.info, name="QA pool")
    first = open_window(qtbot)
    choose_combo_text(qtbot, find(first, QComboBox, "profileCombo"), "QA pool  (sandbox)")
    qtbot.waitUntil(lambda: first.profile is not None and first.profile.name == "QA pool", timeout=WAIT_MS)
    sign_in(qtbot, first, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, first, "email")
    add_metadata_row(qtbot, first, "campaign", "restart ✓")
    press_send(qtbot, first)
    wait_result(qtbot, first, "success")
    first.resize(1200, 740)
    splitter = find(first, QSplitter, "topSplitter")
    qtbot.waitUntil(lambda: first.width() == 1200)
    sizes = [330, 560, splitter.width() - 2 * splitter.handleWidth() - 890]  # as if dragged there
    splitter.setSizes(sizes)
    assert splitter.sizes() == sizes
    first.close()

    second = open_window(qtbot, keep_size=True)
    assert (second.width(), second.height()) == (1200, 740)
    assert find(second, QSplitter, "topSplitter").sizes() == sizes
    assert find(second, QComboBox, "profileCombo").currentText().startswith("QA pool")
    assert second.profile is not None and second.profile.name == "QA pool"
    assert find(second, QLineEdit, "usernameEdit").text() == fresh_user["username"]
    assert not second.session.is_signed_in  # tokens were never written anywhere
    table = find(second, QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.model().rowCount() >= 1, timeout=WAIT_MS)
    assert any("campaign=restart ✓" in cell for cell in table_rows(table)[0])
