"""Sending and verifying through the real window against the sandbox over HTTP: the grid, Ctrl+Enter,
delivery details, the code from the inbox, errors with guidance, slow responses, cancel, no overlap."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from app.core.error_catalogue import lookup
from app.core.history import HistoryFilter
from app.core.models import Outcome
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    SEND,
    WAIT_MS,
    add_metadata_row,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    press_send,
    save_sandbox_profile,
    sign_in,
    type_into,
    visible_label,
    wait_result,
)

pytestmark = pytest.mark.gui


def test_send_with_unicode_metadata_then_verify_with_the_delivered_code(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "printemps ☀ 春")
    add_metadata_row(qtbot, window, "emoji", "✅ 🚀")
    before = sandbox.control.request_count(SEND)

    press_send(qtbot, window, find(window, QTableView, "metadataTable"))  # Ctrl+Enter from the grid
    wait_result(qtbot, window, "success")

    assert sandbox.control.request_count(SEND) == before + 1
    assert label(window, "deliveryAttributeLabel") == "email"
    assert label(window, "deliveryMediumLabel") == "EMAIL"
    destination = label(window, "deliveryDestinationLabel")
    assert destination.startswith(fresh_user["username"][0]) and "***@" in destination
    assert label(window, "attemptsLabel") == "1"
    assert label(window, "latencyLabel").endswith("ms")
    assert label(window, "requestIdLabel") not in ("", "—")
    message = sandbox.control.inbox(fresh_user["username"])[-1]
    assert message["client_metadata"] == {"campaign": "printemps ☀ 春", "emoji": "✅ 🚀"}

    code = sandbox.control.latest_code(fresh_user["username"], "email")
    code_edit = type_into(qtbot, window, "codeEdit", code)
    qtbot.keyClick(code_edit, Qt.Key.Key_Return)  # Enter verifies
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    # GetUser was reloaded: the badge says verified now.
    assert label(window, "attributeBadgeLabel") == "✓ verified"
    assert code_edit.text() == ""


def test_a_wrong_code_is_explained_in_the_verify_box(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "phone_number")
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")
    assert label(window, "deliveryMediumLabel") == "SMS"
    code = sandbox.control.latest_code(fresh_user["username"], "phone_number")
    wrong = "000000" if code != "000000" else "111111"
    type_into(qtbot, window, "codeEdit", wrong)
    click(qtbot, window, "verifyButton")
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel").startswith("CodeMismatchException"),
                    timeout=WAIT_MS)
    assert lookup("CodeMismatchException").next_step in label(window, "verifyResultLabel")
    assert label(window, "attributeBadgeLabel") == "not verified"


def test_duplicate_key_blocks_the_send_until_the_tester_sends_anyway(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "spring")
    add_metadata_row(qtbot, window, "campaign", "autumn")
    before = sandbox.control.request_count(SEND)

    click(qtbot, window, "sendButton")
    problems = visible_label(window, "sendProblemsLabel")
    assert "ClientMetadata" in problems and "Duplicate key 'campaign'" in problems
    assert sandbox.control.request_count(SEND) == before  # nothing left the machine
    assert window.result_view.showing == "empty"

    click(qtbot, window, "sendAnywayButton")  # the tester insists: the first of the duplicates wins
    wait_result(qtbot, window, "success")
    assert sandbox.control.request_count(SEND) == before + 1
    assert sandbox.control.inbox(fresh_user["username"])[-1]["client_metadata"] == {"campaign": "spring"}
    assert visible_label(window, "sendProblemsLabel") == ""


def test_invalid_attribute_name_is_explained_under_the_field_and_the_server_can_judge_it(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "custom name")
    assert "space" in visible_label(window, "attributeProblemLabel")
    before = sandbox.control.request_count(SEND)
    press_send(qtbot, window)
    assert "Attribute:" in visible_label(window, "sendProblemsLabel")
    assert sandbox.control.request_count(SEND) == before

    pick_attribute(qtbot, window, "nickname")  # valid name, not verifiable: Cognito's call
    assert visible_label(window, "attributeProblemLabel") == ""
    assert "Not one of your attributes" in label(window, "attributeValueLabel")
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "InvalidParameterException"
    assert sandbox.control.request_count(SEND) == before + 1


def test_limit_exceeded_shows_the_code_status_explanation_and_next_step_without_retrying(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.inject_fault(
        SEND, error_code="LimitExceededException", http_status=400,
        message="Attempt limit exceeded, please try after some time.",
    )
    before = sandbox.control.request_count(SEND)
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")

    entry = lookup("LimitExceededException")
    assert label(window, "errorCodeLabel") == "LimitExceededException"
    assert label(window, "errorMessageLabel") == "Attempt limit exceeded, please try after some time."
    assert label(window, "errorHttpStatusLabel") == "HTTP 400"
    assert entry.explanation in label(window, "errorExplanationLabel")
    assert entry.next_step in label(window, "errorNextStepLabel")
    assert "attempts 1" in label(window, "errorDetailsLabel")
    assert sandbox.control.request_count(SEND) == before + 1  # never retried by default
    assert find(window, QLabel, "errorCodeLabel").isVisible()
    records = window.history_store.page(HistoryFilter(error_code="LimitExceededException"), limit=5)
    assert records and records[0].attempts == 1


def test_slow_response_keeps_the_window_repainting_with_elapsed_time(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.inject_fault(SEND, delay_s=2.0)
    pick_attribute(qtbot, window, "email")
    click(qtbot, window, "sendButton")
    assert find(window, QPushButton, "cancelButton").isEnabled()
    # The busy bar waits a moment (a quick answer does not flash it), then shows while in flight.
    busy = find(window, QProgressBar, "busyIndicator")
    assert not busy.isVisible()
    qtbot.waitUntil(busy.isVisible, timeout=WAIT_MS)
    assert not find(window, QPushButton, "sendButton").isEnabled()
    # A blocked event loop would show one text for the whole delay: three different ones, each while
    # the request is still in flight, prove the loop ran (the longest stall is a bench figure).
    shown: set[str] = set()

    def ticked_in_flight() -> bool:
        text = label(window, "elapsedLabel")
        assert window.controller.in_flight, f"answered after only {sorted(shown)}"
        if text.startswith("Sending… "):
            shown.add(text)
        return len(shown) >= 3

    qtbot.waitUntil(ticked_in_flight, timeout=WAIT_MS)
    wait_result(qtbot, window, "success")
    assert not find(window, QProgressBar, "busyIndicator").isVisible()
    assert label(window, "elapsedLabel").startswith("Done in")


def test_cancel_frees_the_window_and_the_late_result_is_recorded_as_cancelled(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.inject_fault(SEND, delay_s=1.5)
    pick_attribute(qtbot, window, "email")
    click(qtbot, window, "sendButton")
    qtbot.waitUntil(lambda: find(window, QPushButton, "cancelButton").isEnabled())
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # Esc cancels

    assert not window.controller.in_flight
    assert find(window, QPushButton, "sendButton").isEnabled()
    assert label(window, "errorCodeLabel") == "Cancelled"
    assert "history records it" in label(window, "resultNoteLabel")

    def recorded_cancelled() -> bool:
        rows = window.history_store.page(HistoryFilter(), limit=1)
        return bool(rows) and rows[0].outcome is Outcome.SUCCESS and rows[0].cancelled

    qtbot.waitUntil(recorded_cancelled, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "marked cancelled" in label(window, "resultNoteLabel"), timeout=WAIT_MS)
    assert window.history_store.page(HistoryFilter(), limit=1)[0].delivery is not None


def test_sending_twice_quickly_sends_one_request(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.inject_fault(SEND, delay_s=0.8)
    pick_attribute(qtbot, window, "email")
    before = sandbox.control.request_count(SEND)
    edit = find(window, QLineEdit, "attributeNameEdit")
    press_send(qtbot, window, edit)
    press_send(qtbot, window, edit)
    window.controller.send(False)  # and the menu action, while the first is in flight
    wait_result(qtbot, window, "success")
    assert sandbox.control.request_count(SEND) == before + 1


def test_the_profiles_timeout_and_attempts_are_honoured(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info, read_timeout_s=1.0, max_attempts=2)
    window = open_window(qtbot)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    assert label(window, "requestLimitsLabel") == "timeout 1 s · up to 2 attempts"
    pick_attribute(qtbot, window, "email")

    # Throttled once, then answered: the second attempt succeeds and the count is the real one.
    sandbox.control.inject_fault(SEND, error_code="TooManyRequestsException", http_status=400, count=1)
    before = sandbox.control.request_count(SEND)
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    assert label(window, "attemptsLabel") == "2"
    assert sandbox.control.request_count(SEND) == before + 2

    # Slower than the 1 s read timeout, twice: a Timeout after both attempts, long before the first
    # delayed answer (wait_result gives up after WAIT_MS, shorter than the delay).
    sandbox.control.inject_fault(SEND, delay_s=WAIT_MS / 1000 + 5, count=2)
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "Timeout"
    sandbox.control.clear_faults()


def test_an_expired_access_token_is_refreshed_once_automatically(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "email")
    old_token = window.session.access_token
    sandbox.control.expire_access_tokens(fresh_user["username"])
    before = sandbox.control.request_count(SEND)
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    assert window.session.access_token != old_token
    assert sandbox.control.request_count(SEND) == before + 2  # refused once, then sent again
    first, second = reversed(window.history_store.page(HistoryFilter(), limit=2))
    assert first.error_code == "NotAuthorizedException" and second.outcome is Outcome.SUCCESS
