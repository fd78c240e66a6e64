"""The window on a full or read-only disk (a real tmpfs, mounted as root): it opens, says what it
cannot write and where, and works without it; a send in flight when the disk fills still shows its
delivery, says history could not record it yet, and is recorded once there is space."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.core.models import Outcome
from app.core.secrets import MemorySecretStore
from app.ui.window.main_window import MainWindow

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

pytestmark = pytest.mark.linux_only  # a tmpfs mount

SEND = "GetUserAttributeVerificationCode"
IN_FLIGHT_S = 3.0


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
    requests_before = sandbox.control.request_count(SEND)
    click(qtbot, window, "sendButton")
    # The request is at the server (held there IN_FLIGHT_S), its pending row written: fill the disk now.
    qtbot.waitUntil(lambda: sandbox.control.request_count(SEND) > requests_before, timeout=WAIT_MS)
    assert window.controller.in_flight
    fill(disk)
    wait_result(qtbot, window, "success")
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


PROBE = Path(__file__).resolve().parents[1] / "support" / "window_probe.py"


def _start_window_process(home: Path) -> dict[str, Any]:
    """`verifydesk` (the real start: run_window) over `home`; what its built window shows."""
    env = {**os.environ, "VERIFYDESK_HOME": str(home)}
    done = subprocess.run([sys.executable, str(PROBE), "cli"], capture_output=True, text=True, timeout=120,
                          check=False, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    report: dict[str, Any] = json.loads(lines[-1].removeprefix("PROBE "))
    return report


def test_the_window_opens_on_a_read_only_home_and_says_what_it_cannot_write(tmp_path: Path) -> None:
    with small_disk(tmp_path / "home", read_only=True) as home:
        report = _start_window_process(home)
    assert report["ready"] and report["exit_code"] == 0
    assert "Read-only file system" in report["banner"]
    assert str(home / "data") in report["banner"] and str(home / "logs") in report["banner"]
    assert "VERIFYDESK_HOME" in report["banner"]
    assert not report["history_file"].startswith(str(home))  # a session-only history elsewhere


def test_the_window_opens_on_a_full_home_and_says_so(tmp_path: Path) -> None:
    with small_disk(tmp_path / "home") as home:
        fill(home)
        report = _start_window_process(home)
    assert report["ready"] and report["exit_code"] == 0
    assert "No space left on device" in report["banner"]
    assert str(home / "data") in report["banner"]


@pytest.fixture
def full_home_window(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str],
    verifydesk_home: Path,
) -> Iterator[MainWindow]:
    """A window whose whole home is a full disk (its sandbox profile saved just before it filled)."""
    with small_disk(verifydesk_home) as home:
        sandbox.control.clear_faults()
        save_sandbox_profile(sandbox.info)
        fill(home)
        win = MainWindow(secrets=MemorySecretStore())
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        qtbot.waitExposed(win)
        qtbot.waitUntil(lambda: win.session.connection is not None, timeout=WAIT_MS)
        yield win
        win.history_store.close()


def test_a_window_on_a_full_home_still_sends_and_keeps_this_sessions_history(
    qtbot: QtBot, full_home_window: MainWindow, fresh_user: dict[str, str], verifydesk_home: Path,
) -> None:
    window = full_home_window
    banner = window.banner.text
    assert "No space left on device" in banner and str(verifydesk_home / "data") in banner
    assert "session" in banner  # the history it keeps instead, and for how long
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")
    table = window.findChild(QTableView, "historyTable")
    assert table is not None
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=WAIT_MS)
    newest = window.history_store.page(limit=1)[0]
    assert newest.outcome is Outcome.SUCCESS
