"""Changing an email through the real window against the sandbox over HTTP: the pool keeping the
original (active and pending shown, the code going to the new value, verify applying it) or not, the
new value checked at its field, Send anyway meeting the server's refusal, and the trigger preview
naming the source of the call about to be made."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from app.core.history import HistoryFilter
from app.core.models import UPDATE_OPERATION, ValueState
from app.ui.history.model import HEADERS
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    add_metadata_row,
    choose_combo_text,
    click,
    find,
    label,
    pick_attribute,
    table_rows,
    type_into,
    visible_label,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def keep_original(sandbox: Any) -> Iterator[Any]:
    """Set the sandbox pool's keep-original attributes for one test; restored afterwards."""
    before = sandbox.control.keep_original()
    yield sandbox.control.set_keep_original
    sandbox.control.set_keep_original(before)


def new_email() -> str:
    return f"new-{uuid.uuid4().hex[:8]}@example.com"


def change_value(qtbot: QtBot, window: MainWindow, attribute: str, value: str) -> None:
    """Pick the attribute, open Change value…, type the value and press Enter."""
    pick_attribute(qtbot, window, attribute)
    if not window.parts.update_box.is_open:
        click(qtbot, window, "changeValueButton")
    edit = type_into(qtbot, window, "newValueEdit", value)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def wait_changed(qtbot: QtBot, window: MainWindow, expected: str = "success") -> None:
    updates = window.parts.updates
    qtbot.waitUntil(lambda: updates.last_recorded is not None and not updates.in_flight, timeout=WAIT_MS)
    shown = window.result_view.showing
    assert shown == expected, label(window, "errorCodeLabel") + ": " + label(window, "errorMessageLabel")


def test_keep_original_shows_active_and_pending_then_verify_applies_the_new_email(
    qtbot: QtBot, window: MainWindow, sandbox: Any, fresh_user: dict[str, str], keep_original: Any
) -> None:
    keep_original(["email"])
    username, old = fresh_user["username"], window.session.user.attribute("email").value  # type: ignore[union-attr]
    value = new_email()
    add_metadata_row(qtbot, window, "flow", "change-email")
    change_value(qtbot, window, "email", value)
    wait_changed(qtbot, window)

    assert label(window, "resultTitleLabel").startswith("email pending")
    assert label(window, "deliveryAttributeLabel") == "email"
    assert label(window, "requestIdLabel") not in ("", "—")
    qtbot.waitUntil(lambda: bool(visible_label(window, "attributePendingLabel")), timeout=WAIT_MS)
    pending = label(window, "attributePendingLabel")
    assert f"Pending: {value}" in pending and f"Active: {old}" in pending
    assert label(window, "attributeValueLabel") == old  # what GetUser returns, sign-in still uses
    message = sandbox.control.inbox(username)[-1]
    assert message["destination"] == value and message["client_metadata"] == {"flow": "change-email"}
    record = window.history_store.get(window.parts.updates.last_recorded.history_id)  # type: ignore[union-attr]
    assert record.operation == UPDATE_OPERATION and record.value_state == ValueState.PENDING
    assert (record.old_value, record.new_value) == (old, value)

    type_into(qtbot, window, "codeEdit", sandbox.control.latest_code(username, "email"))
    click(qtbot, window, "verifyButton")
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    assert label(window, "attributeValueLabel") == value
    assert label(window, "attributeBadgeLabel") == "✓ verified"
    assert not find(window, QLabel, "attributePendingLabel").isVisible()


def test_without_keep_original_the_new_email_is_active_and_unverified_at_once(
    qtbot: QtBot, window: MainWindow, sandbox: Any, fresh_user: dict[str, str], keep_original: Any
) -> None:
    keep_original([])
    value = new_email()
    change_value(qtbot, window, "email", value)
    wait_changed(qtbot, window)

    assert label(window, "resultTitleLabel").startswith("email applied")
    qtbot.waitUntil(lambda: label(window, "attributeValueLabel") == value, timeout=WAIT_MS)
    assert label(window, "attributeBadgeLabel") == "not verified"
    assert not find(window, QLabel, "attributePendingLabel").isVisible()
    assert sandbox.control.inbox(fresh_user["username"])[-1]["destination"] == value


def test_an_invalid_email_is_refused_at_the_field_and_send_anyway_gets_the_servers_refusal(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    before = sandbox.control.request_count(UPDATE_OPERATION)
    change_value(qtbot, window, "email", "not-an-email")
    problem = visible_label(window, "newValueProblemLabel")
    assert problem.startswith("New value: ") and "email address" in problem
    assert sandbox.control.request_count(UPDATE_OPERATION) == before
    assert window.parts.updates.last_recorded is None

    click(qtbot, window, "updateAnywayButton")
    wait_changed(qtbot, window, "error")
    assert sandbox.control.request_count(UPDATE_OPERATION) == before + 1
    assert label(window, "errorCodeLabel") == "InvalidParameterException"
    assert "email" in label(window, "errorMessageLabel").lower()


def test_the_trigger_preview_names_the_source_of_the_call_about_to_be_made(
    qtbot: QtBot, window: MainWindow
) -> None:
    editor = find(window, QPlainTextEdit, "eventPreviewEdit")

    def source() -> str | None:
        text = editor.toPlainText()
        return json.loads(text)["triggerSource"] if text else None

    pick_attribute(qtbot, window, "email")
    qtbot.waitUntil(lambda: source() == "CustomMessage_VerifyUserAttribute", timeout=WAIT_MS)
    value = new_email()
    click(qtbot, window, "changeValueButton")
    type_into(qtbot, window, "newValueEdit", value)
    qtbot.waitUntil(lambda: source() == "CustomMessage_UpdateUserAttribute", timeout=WAIT_MS)
    attributes = json.loads(editor.toPlainText())["request"]["userAttributes"]
    assert attributes["email"] == value and attributes["email_verified"] == "false"
    click(qtbot, window, "changeValueButton")  # closed: the next call is a code request again
    qtbot.waitUntil(lambda: source() == "CustomMessage_VerifyUserAttribute", timeout=WAIT_MS)


def test_history_shows_the_change_and_filters_by_call(
    qtbot: QtBot, window: MainWindow, keep_original: Any
) -> None:
    keep_original(["email"])
    old = window.session.user.attribute("email").value  # type: ignore[union-attr]
    value = new_email()
    change_value(qtbot, window, "email", value)
    wait_changed(qtbot, window)
    click(qtbot, window, "sendButton")  # a code request for the pending value
    qtbot.waitUntil(lambda: window.controller.last_recorded is not None, timeout=WAIT_MS)
    table = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: len(table_rows(table)) >= 2, timeout=WAIT_MS)
    change = f"email: {old} → {value} (pending)"
    attribute = HEADERS.index("Attribute")

    choose_combo_text(qtbot, find(window, QComboBox, "historyOperationCombo"), "Update")
    qtbot.waitUntil(lambda: {row[2] for row in table_rows(table)} == {"Update"}, timeout=WAIT_MS)
    assert change in [row[attribute] for row in table_rows(table)]
    choose_combo_text(qtbot, find(window, QComboBox, "historyOperationCombo"), "Send")
    qtbot.waitUntil(lambda: {row[2] for row in table_rows(table)} == {"Send"}, timeout=WAIT_MS)
    assert change not in [row[attribute] for row in table_rows(table)]


def test_a_refused_change_is_explained_from_the_catalogue_for_an_update(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    sandbox.control.inject_fault(UPDATE_OPERATION, error_code="AliasExistsException",
                                 message="An account with the given email already exists.")
    change_value(qtbot, window, "email", new_email())
    wait_changed(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "AliasExistsException"
    assert "sign-in alias" in label(window, "errorExplanationLabel")
    assert label(window, "errorNextStepLabel").startswith("Next: Use another value")
    assert not find(window, QLabel, "attributePendingLabel").isVisible()


def test_cancel_stops_waiting_for_a_slow_change_and_history_keeps_its_late_result(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    sandbox.control.inject_fault(UPDATE_OPERATION, delay_s=2.0)
    updates = window.parts.updates
    change_value(qtbot, window, "email", new_email())
    qtbot.waitUntil(lambda: updates.in_flight, timeout=WAIT_MS)
    assert find(window, QPushButton, "updateCancelButton").isEnabled()
    click(qtbot, window, "updateCancelButton")
    assert not updates.in_flight and window.result_view.showing == "error"
    assert label(window, "errorCodeLabel") == "Cancelled"
    assert find(window, QPushButton, "updateButton").isEnabled()  # the window is usable at once
    qtbot.waitUntil(lambda: "later; history has it" in visible_label(window, "resultNoteLabel"),
                    timeout=WAIT_MS)
    records = window.history_store.page(HistoryFilter(operation=UPDATE_OPERATION), limit=5)
    assert [record.cancelled for record in records] == [True]
