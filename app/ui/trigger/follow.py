"""Following the trigger's log group after a send, off the GUI thread, one request at a time.

Each poll (`LogFollower.poll`, one FilterLogEvents round) runs in the worker pool; between polls the
coroutine waits on a stop event, so Stop (or a new send) ends following at once. New lines go into
the shared `LogLinesModel`, and the lines so far are stored in the request's history record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from app.core.errors import ServiceError
from app.core.pool_admin import AdminAccess
from app.core.trigger_insight import history_log_text
from app.core.trigger_logs import FollowSettings, LogFollower, LogKind, open_follower
from app.core.visible import shown
from app.core.wording import plural
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.request.send_flow import HistoryNotifier
from app.ui.trigger.log_view import LogLinesModel
from app.ui.widgets.style import Tone

_log = logging.getLogger(__name__)
DEFAULT_WINDOW_S = 30
POLL_INTERVAL_S = 1.0


@dataclass
class FollowRequest:
    """What to follow: whose log, from when, for which request."""

    function_name: str
    started_at: datetime
    metadata: dict[str, str]
    access: AdminAccess
    history_id: int | None
    window_s: float = DEFAULT_WINDOW_S
    clock_slack_s: float = FollowSettings.clock_slack_s
    """Read from this long before the request's start (AWS's clock may differ; the sandbox's does not)."""


@dataclass
class _Job:
    request: FollowRequest
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    reason: str | None = None
    follower: LogFollower | None = None
    done: bool = False


def _plural(count: int, noun: str) -> str:
    return f"{count} {plural(count, noun)}"


class LogFollowController(QObject):
    """Starts and stops following; `status_changed(text, tone, following)` describes where it is."""

    status_changed = Signal(str, str, bool)
    function_changed = Signal(str)  # the function whose log group is followed now
    lines_added = Signal(int)  # how many lines the model holds now

    def __init__(
        self, tasks: TaskKeeper, history: HistoryNotifier | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._history = history
        self.model = LogLinesModel()
        self.model.setParent(self)
        self._job: _Job | None = None
        self.poll_interval_s = POLL_INTERVAL_S

    @property
    def following(self) -> bool:
        return self._job is not None and not self._job.done

    def start(self, request: FollowRequest) -> None:
        """Follow for this request; a follow still running for an earlier one stops first."""
        self.stop("a new request was sent")
        self.model.clear()
        job = _Job(request)
        self._job = job
        self.function_changed.emit(request.function_name)
        self._status(job, f"Following for up to {request.window_s:g} s…", Tone.INFO, following=True)
        self._tasks.spawn(self._follow(job), name="follow-trigger-log")

    def stop(self, reason: str = "stopped") -> None:
        job = self._job
        if job is not None and not job.done and not job.stop.is_set():
            job.reason = reason
            job.stop.set()

    def show_idle(self, text: str, tone: Tone = Tone.MUTED) -> None:
        """No following for the latest request (no function known, not a send, ...): say why."""
        self.stop("a new request was sent")
        self._job = None
        self.model.clear()
        self.status_changed.emit(text, tone.value, False)

    def _status(self, job: _Job, text: str, tone: Tone, *, following: bool) -> None:
        if job is self._job:
            self.status_changed.emit(text, tone.value, following)

    async def _follow(self, job: _Job) -> None:
        request = job.request
        try:
            job.follower = await run_blocking(
                open_follower, request.function_name, request.started_at, metadata=request.metadata,
                settings=FollowSettings(window_s=request.window_s, poll_interval_s=self.poll_interval_s,
                                        clock_slack_s=request.clock_slack_s),
                **request.access.kwargs(),
            )
            await self._poll_until_done(job)
        except ServiceError as error:
            job.done = True
            self._status(job, f"Reading /aws/lambda/{shown(request.function_name)} failed — "
                              f"{shown(error.code)}: {shown(error.message)} {error.entry.next_step}",
                         Tone.ERROR, following=False)
            await self._save(job)
            return
        job.done = True
        self._status(job, self._summary(job), Tone.MUTED if job.reason else Tone.OK, following=False)
        await self._save(job)

    async def _poll_until_done(self, job: _Job) -> None:
        follower = job.follower
        assert follower is not None
        while not job.stop.is_set():
            batch = await run_blocking(follower.poll)
            if job.stop.is_set():
                return
            if job is self._job and batch.lines:
                self.model.append(batch.lines)
                self.lines_added.emit(self.model.rowCount())
            if batch.lines or batch.notes:
                await self._save(job)
            if batch.finished:
                return
            self._status(job, self._progress(job), Tone.INFO, following=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.stop.wait(), timeout=self.poll_interval_s)

    def _progress(self, job: _Job) -> str:
        follower = job.follower
        count = len(follower.lines) if follower else 0
        note = f" {follower.notes[-1]}" if follower and follower.notes else ""
        return f"Following for up to {job.request.window_s:g} s… {_plural(count, 'line')} so far.{note}"

    def _summary(self, job: _Job) -> str:
        follower = job.follower
        lines = follower.lines if follower else []
        mentions = sum(1 for line in lines if line.mentions_metadata)
        errors = sum(1 for line in lines if line.kind is LogKind.ERROR)
        parts = [_plural(len(lines), "line")]
        if mentions:
            parts.append(f"{mentions} {plural(mentions, 'mentions', 'mention')} your ClientMetadata")
        if errors:
            parts.append(_plural(errors, "error line"))
        if job.reason:
            parts.append(f"stopped: {job.reason}")
        elif follower and follower.reason == "report":
            parts.append("REPORT arrived")
        if follower and follower.notes:
            parts.append(follower.notes[-1])
        return " · ".join(parts)

    async def _save(self, job: _Job) -> None:
        history, row_id, follower = self._history, job.request.history_id, job.follower
        if history is None or row_id is None or follower is None:
            return
        text = history_log_text(follower.result())
        if job.reason:
            text = f"{text}\n# Following stopped: {job.reason}."
        try:
            await run_blocking(history.store.set_trigger_log, row_id, text)
        except Exception as error:  # unknown row, closed or busy store: the view keeps the lines
            _log.warning("Could not store the trigger log with history row %s: %s", row_id, error)
            return
        history.row_written.emit(row_id)
