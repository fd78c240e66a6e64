"""GUI test fixtures: a qasync event loop installed over pytest-qt's QApplication."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.settings import confine_qt_settings
from app.ui.window.main_window import MainWindow

from support.window_driver import WAIT_MS, open_window, save_sandbox_profile, sign_in


@pytest.fixture(autouse=True)
def qt_settings_in_home(verifydesk_home: Path) -> None:
    """Widgets tested alone (a file dialog in the history pane) keep Qt's own settings in the test's
    home, as the window does."""
    confine_qt_settings(verifydesk_home / "config")


@pytest.fixture
def event_loop_qt(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop as the running loop, so `asyncSlot`s and tasks run while qtbot waits."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        for _ in range(3):  # let the cancellations run
            qapp.processEvents()
        # pytest-qt closed this test's windows and dropped them (its deleteLater() never runs in a
        # nested wait loop); the tasks that held them are done. Collect them now, on this thread:
        # left to Python's cyclic GC they die on whichever thread collects (a worker, the sandbox
        # server), their active QTimers stay registered here, and a later test segfaults in
        # QTimerInfoList::activateTimers.
        gc.collect()
        # Not loop.stop(): it calls QApplication.exit(), which leaves Qt's quitNow flag set, so every
        # later QEventLoop.exec() (pytest-qt's waits) returns at once and no timer or queued event runs
        # in the tests that follow. Mark qasync's loop stopped directly instead.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def window(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str]
) -> Iterator[MainWindow]:
    """The window on the shared sandbox's profile, its inbox attached, signed in as a fresh user;
    no injected faults before or after. Modules may override it (and build on it)."""
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    win = open_window(qtbot)
    qtbot.waitUntil(lambda: win.inbox.control is not None, timeout=WAIT_MS)
    sign_in(qtbot, win, fresh_user["username"], fresh_user["password"])
    yield win
    sandbox.control.clear_faults()
