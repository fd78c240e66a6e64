"""The window on a disk that fills up: a send in flight still shows its delivery and says history
could not record it yet, then records it once there is space. (A real tmpfs, mounted as root.)"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.core.models import Outcome
from app.ui.main_window import MainWindow

from support.small_disk import fill, small_disk
from support.window_driver import (
    WAIT_MS,
    click,
    label,
    open_window,
    pick_attribute,
    save_sandbox_profile,
    sign_in,
    visible_label,
    wait_result,
)

SEND = "GetUserAttributeVerificationCode"
IN_FLIGHT_S = 3.0
FILL_AFTER_S = 1.5


@pytest.fixture
def disk(verifydesk_home: Path) -> Iterator[Path]:
    """The window's data folder (history) on a 2 MB tmpfs."""
    with small_disk(verifydesk_home / "data") as mounted:
        yield mounted


@pytest.fixture
def window_on_small_disk(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str],
    disk: Path,
) -> Iterator[MainWindow]:
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    win = open_window(qtbot)
    sign_in(qtbot, win, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, win, "email")
    yield win
    sandbox.control.clear_faults()
    win.history_store.close()


def test_a_send_whose_disk_fills_in_flight_shows_its_delivery_and_is_recorded_once_space_frees(
    qtbot: QtBot, window_on_small_disk: MainWindow, sandbox: Any, disk: Path,
) -> None:
    window = window_on_small_disk
    sandbox.control.inject_fault(SEND, delay_s=IN_FLIGHT_S)
    filler = threading.Thread(target=lambda: (time.sleep(FILL_AFTER_S), fill(disk)), daemon=True)
    click(qtbot, window, "sendButton")
    filler.start()
    wait_result(qtbot, window, "success")
    filler.join()
    assert label(window, "deliveryDestinationLabel") not in ("", "—")
    assert "could not record" in visible_label(window, "resultNoteLabel")
    assert not window.banner.text
    recorded = window.controller.last_recorded
    assert recorded is not None and recorded.history_id is not None
    record = window.history_store.get(recorded.history_id)
    assert record is not None and record.outcome is Outcome.PENDING

    (disk / "filler.bin").unlink()
    qtbot.waitUntil(lambda: window.history_store.unwritten == [], timeout=WAIT_MS)
    record = window.history_store.get(recorded.history_id)
    assert record is not None and record.outcome is Outcome.SUCCESS
    assert record.delivery is not None and record.delivery.destination
