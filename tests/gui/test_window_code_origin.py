"""The code source's wait, past the Verify box: the verify of a fetched code keeps in history where
the code came from (shown in the History tab's details, no file holding the code), a code typed in
keeps nothing, and a wait that received nothing links to the preflight's silent-delivery causes."""

from __future__ import annotations

import asyncio
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDockWidget, QPushButton
from pytestqt.qtbot import QtBot

from app.core.code_source_settings import SavedCodeSource
from app.core.history import HistoryRecord
from app.core.models import VERIFY_OPERATION
from app.core.preflight import Check, order_for_failure
from app.ui.window.main_window import MainWindow

from support.secret_scan import files_under, find_secrets
from support.window_driver import (
    WAIT_MS,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    save_sandbox_profile,
    sign_in,
    wait_result,
)

pytestmark = pytest.mark.gui


def _verifies(window: MainWindow) -> list[HistoryRecord]:
    return [r for r in window.parts.bench.history_store.page() if r.operation == VERIFY_OPERATION]


def _details_of(qtbot: QtBot, window: MainWindow, record: HistoryRecord) -> str:
    view = window.parts.history_view
    qtbot.waitUntil(lambda: view.select_record(record.id), timeout=WAIT_MS)
    return view.details.toPlainText()


def _send_email(qtbot: QtBot, window: MainWindow) -> None:
    pick_attribute(qtbot, window, "email")
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")


def test_the_verify_of_an_arrived_code_keeps_its_source_date_and_wait_and_no_file_holds_the_code(
    qtbot: QtBot, window: MainWindow, sandbox: Any, fresh_user: dict[str, str], verifydesk_home: Path,
    tmp_path: Path,
) -> None:
    qtbot.mouseClick(find(window, QCheckBox, "verifyOnArrivalCheck"), Qt.MouseButton.LeftButton)
    _send_email(qtbot, window)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    code = sandbox.control.latest_code(fresh_user["username"], "email")
    qtbot.waitUntil(lambda: len(_verifies(window)) == 1 and _verifies(window)[0].finished_at is not None,
                    timeout=WAIT_MS)
    record = _verifies(window)[0]
    wait = window.parts.bench.history_store.code_waits([record.id])[record.id]
    assert wait.source == f"sandbox {sandbox.info.endpoint_url}"
    assert wait.message_date is not None  # the message's own date, a moment before the verify
    assert abs((record.started_at - wait.message_date).total_seconds()) < 60
    assert wait.wait_ms is not None and wait.wait_ms >= 0
    details = _details_of(qtbot, window, record)
    assert (f"Code from: sandbox {sandbox.info.endpoint_url}, message of "
            f"{wait.message_date.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, waited {wait.wait_ms / 1000:.1f} s") in details
    assert code not in details
    window.close()
    written = files_under(verifydesk_home, tmp_path)
    assert any(path.suffix in (".sqlite", ".db", ".sqlite3") for path in written), written
    assert find_secrets(written, {"code": code, "password": fresh_user["password"]}) == []


def test_a_typed_in_code_keeps_no_code_source_with_its_verify(
    qtbot: QtBot, window: MainWindow, sandbox: Any, fresh_user: dict[str, str]
) -> None:
    _send_email(qtbot, window)
    window.parts.verify.code_edit.setText(sandbox.control.latest_code(fresh_user["username"], "email"))
    click(qtbot, window, "verifyButton")
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(_verifies(window)) == 1 and _verifies(window)[0].finished_at is not None,
                    timeout=WAIT_MS)
    record = _verifies(window)[0]
    assert window.parts.bench.history_store.code_waits([record.id]) == {}
    assert "Code from:" not in _details_of(qtbot, window, record)


def test_a_wait_that_received_nothing_links_to_the_preflight_with_the_silent_delivery_causes_first(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str]
) -> None:
    save_sandbox_profile(sandbox.info, code_source=SavedCodeSource(wait_s=1.0))
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.inbox.control is not None, timeout=WAIT_MS)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    why = find(window, QPushButton, "codeWaitWhyButton")
    with qtbot.waitSignal(window.parts.code_fetch.ended, timeout=WAIT_MS) as ended:
        click(qtbot, window, "fetchCodeButton")  # nothing was sent: nothing arrives
    assert ended.args == ["CodeNotReceived"]
    assert label(window, "codeWaitStatusLabel").startswith("CodeNotReceived: ")
    assert why.isVisible() and why.text() == "Why? Run the preflight"
    dock = find(window, QDockWidget, "preflightDock")
    with qtbot.waitSignal(window.parts.preflight.finished, timeout=WAIT_MS) as run:
        qtbot.mouseClick(why, Qt.MouseButton.LeftButton)
    assert dock.isVisible() and not dock.visibleRegion().isEmpty()  # its tab in front
    assert window.parts.preflight.situation == "no_code"
    assert label(window, "preflightHeadline").startswith("No code arrived")
    shown: list[Check] = run.args[0]
    assert shown == order_for_failure(shown, "no_code")
    ids = [check.id for check in shown]
    assert ids.index("trigger.custom_sender") < ids.index("attribute.present")

    # A new wait takes the link away: it was about the one that ended.
    click(qtbot, window, "fetchCodeButton")
    assert not why.isVisible()
    click(qtbot, window, "cancelCodeWaitButton")
    assert not why.isVisible()
