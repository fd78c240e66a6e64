"""A suite run in the worker pool; the runner's callbacks come back to the GUI thread as signals."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.history import HistoryStore
from app.core.suites import Case, CaseResult, RunRequest, run_suite_file
from app.ui.async_tools import start_blocking

_log = logging.getLogger(__name__)


class RunJob(QObject):
    """One run of a suite file (all cases, or those named `only`). The signals arrive on the GUI
    thread (the job lives there; the runner emits from its worker thread, so they are queued)."""

    case_started = Signal(object, int, int)  # Case, index, count
    case_finished = Signal(object, int, int)  # CaseResult, index, count
    finished = Signal(int, object)  # exit code, the `--json` object (an invalid suite's problems)
    failed = Signal(str)  # the run could not go on (the log has the details)

    def __init__(self, path: Path, history: HistoryStore, *, only: str | None = None,
                 environ: Mapping[str, str] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path, self.only, self.history, self.environ = path, only, history, environ
        self.cancel_event = threading.Event()
        self.future: asyncio.Future[tuple[int, dict[str, Any]]] | None = None

    def start(self) -> None:
        """Hand the run to the worker pool now (call on the GUI thread, inside the event loop)."""
        self.future = start_blocking(self._run)
        self.future.add_done_callback(self._done)

    def cancel(self) -> None:
        """Stop between cases (and during pauses); the case in flight ends first."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def _run(self) -> tuple[int, dict[str, Any]]:
        return run_suite_file(
            RunRequest(self.path, only=self.only), self.history, environ=self.environ,
            cancel=self.cancel_event, on_case_started=self._started, on_case_finished=self._finished)

    def _started(self, case: Case, index: int, count: int) -> None:
        self.case_started.emit(case, index, count)

    def _finished(self, result: CaseResult, index: int, count: int) -> None:
        self.case_finished.emit(result, index, count)

    def _done(self, future: asyncio.Future[tuple[int, dict[str, Any]]]) -> None:
        if future.cancelled():
            self.failed.emit("The run was stopped.")
            return
        error = future.exception()
        if error is not None:
            _log.error("Suite run of %s failed", self.path, exc_info=error)
            self.failed.emit(f"The run stopped: {type(error).__name__}: {error}")
            return
        code, payload = future.result()
        self.finished.emit(code, payload)
