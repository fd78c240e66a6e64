"""Send and verify from the window: checks first, then the recorded call off the GUI thread.

One request at a time: a second Send while one is in flight is ignored, so nothing overlaps or
duplicates. Cancel stops waiting; the call itself cannot be recalled, so its late result is still
written to history, marked cancelled. An expired access token is refreshed once, automatically.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.core.auth import SignInInputError
from app.core.connection import CognitoConnection
from app.core.error_catalogue import CANCELLED
from app.core.errors import ErrorContext, ServiceError
from app.core.history import AttemptCompletion, AttemptStart, CodeWait, HistoryStore, HistoryWriteError
from app.core.recording import RecordedSend, RecordedVerify, send_recorded, verify_recorded
from app.core.validation import (
    ATTRIBUTE_NAME_FIELD,
    FieldError,
    code_problem,
    metadata_sent_anyway,
    request_warnings,
    validate_send,
)
from app.core.visible import shown
from app.ui.async_tools import TaskKeeper
from app.ui.request.panel import RequestPanel, describe_limits
from app.ui.request.refusal import refusal_lines, reveal_refusal, status_text
from app.ui.request.result_view import ResultView, VerifyBox, format_latency
from app.ui.session import Session, StartedCall
from app.ui.widgets.style import Tone

_log = logging.getLogger(__name__)


class HistoryNotifier(QObject):
    """Wraps the store for recording and announces written rows on the GUI thread (`row_written`).

    `begin`/`complete` run in the worker thread. The announcements wait for what the tester is
    looking at: a pending row is announced only while its request is still in flight after
    `PENDING_DELAY_MS` (a quick request appears once, completed), and completed rows are announced
    together `COMPLETED_DELAY_MS` later, so the result of a send paints before the history table
    repaints (measured: repainting the table first, and during the call, added ~7 ms per send).
    """

    row_written = Signal(int)
    _begun = Signal(int)  # queued from the worker thread
    _completed = Signal(int)
    _unwritten = Signal()  # a completion waits in memory for the file to take it

    PENDING_DELAY_MS = 250
    COMPLETED_DELAY_MS = 30
    RETRY_UNWRITTEN_MS = 2000

    def __init__(self, store: HistoryStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._in_flight: set[int] = set()
        self._completed_ids: list[int] = []
        self._announce_timer = QTimer(self)
        self._announce_timer.setSingleShot(True)
        self._announce_timer.setInterval(self.COMPLETED_DELAY_MS)
        self._announce_timer.timeout.connect(self._announce_completed)
        self._begun.connect(self._row_begun)
        self._completed.connect(self._row_completed)
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.setInterval(self.RETRY_UNWRITTEN_MS)
        self._retry_timer.timeout.connect(self._retry_unwritten)
        self._unwritten.connect(self._retry_timer.start)

    def begin(self, start: AttemptStart) -> int:
        row_id = self.store.begin(start)
        self._begun.emit(row_id)
        return row_id

    def complete(self, row_id: int, completion: AttemptCompletion) -> object:
        try:
            record = self.store.complete(row_id, completion)
        except HistoryWriteError:
            self._unwritten.emit()
            raise
        self._completed.emit(row_id)
        return record

    def _retry_unwritten(self) -> None:
        """Write completions the file refused (a full disk) once it takes them, and show them."""
        for row_id in self.store.flush_unwritten():
            self._row_completed(row_id)
        if self.store.unwritten and not self._retry_timer.isActive():
            self._retry_timer.start()

    def _row_begun(self, row_id: int) -> None:
        self._in_flight.add(row_id)
        QTimer.singleShot(self.PENDING_DELAY_MS, self, lambda: self._still_pending(row_id))

    def _still_pending(self, row_id: int) -> None:
        if row_id in self._in_flight:
            self.row_written.emit(row_id)

    def _row_completed(self, row_id: int) -> None:
        self._in_flight.discard(row_id)
        self._completed_ids.append(row_id)
        if not self._announce_timer.isActive():
            self._announce_timer.start()

    def _announce_completed(self) -> None:
        ids, self._completed_ids = self._completed_ids, []
        for row_id in ids:
            self.row_written.emit(row_id)


@dataclass
class Attempt:
    """One send the window is waiting for."""

    attribute_name: str
    metadata: dict[str, str]
    cancelled: bool = False
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def is_cancelled(self) -> bool:
        return self.cancelled


def _expired(result: RecordedSend | RecordedVerify) -> bool:
    return result.error is not None and result.error.offers_refresh


class RequestController(QObject):
    """Connects the request panel, the result view and the verify box to the session."""

    started = Signal(object)  # Attempt: attribute, metadata, started_at (UTC)
    sent = Signal(object)  # RecordedSend shown to the tester (not cancelled)
    verified = Signal(str)  # attribute name
    busy_changed = Signal(bool)
    refused = Signal(str)  # a send VerifyDesk's checks refused: one line for the status bar

    def __init__(
        self,
        session: Session,
        history: HistoryNotifier,
        tasks: TaskKeeper,
        *,
        panel: RequestPanel,
        result: ResultView,
        verify: VerifyBox,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.history = history
        self.tasks = tasks
        self.panel = panel
        self.result = result
        self.verify_box = verify
        self.attempt: Attempt | None = None
        self.last_attempt: Attempt | None = None  # the latest send started, even when cancelled
        self.last_recorded: RecordedSend | None = None  # its outcome once it arrived
        # (attribute, code) → the code source wait that found the code, kept with the verify's row
        self.code_origin: Callable[[str, str], CodeWait | None] | None = None
        self._last: tuple[str, dict[str, str]] | None = None
        self._verifying = False
        self._anyway_note: tuple[Attempt | None, str] | None = None  # what Send anyway could not send
        bar = panel.send_bar
        bar.send_clicked.connect(self.send)
        bar.cancel_clicked.connect(self.cancel)
        result.refresh_requested.connect(self.refresh_and_resend)
        verify.verify_requested.connect(self.verify)
        panel.picker.attribute_changed.connect(lambda _text: bar.clear_problems())
        session.signed_in.connect(self._update_enabled)
        session.signed_out.connect(self._update_enabled)
        session.connection_changed.connect(self._connection_changed)
        self._update_enabled()

    # --- state --------------------------------------------------------------------------------
    @property
    def in_flight(self) -> bool:
        return self.attempt is not None

    def _update_enabled(self) -> None:
        signed_in = self.session.is_signed_in
        bar = self.panel.send_bar
        bar.send_button.setEnabled(signed_in and not self.in_flight)
        bar.send_button.setToolTip(
            "GetUserAttributeVerificationCode (Ctrl+Enter)" if signed_in
            else "Sign in or paste an access token first"
        )
        self.verify_box.verify_button.setEnabled(signed_in and not self._verifying)

    def _connection_changed(self) -> None:
        conn = self.session.connection
        self.panel.send_bar.limits.setText(describe_limits(conn.settings if conn else None))

    def _set_in_flight(self, attempt: Attempt | None) -> None:
        self.attempt = attempt
        self.panel.send_bar.set_in_flight(attempt is not None)
        self._update_enabled()
        self.busy_changed.emit(attempt is not None)

    # --- sending ------------------------------------------------------------------------------
    @Slot(bool)
    def send(self, anyway: bool = False) -> None:
        """Check, then send; ignored while a request is in flight."""
        if self.in_flight or not self.session.is_signed_in:
            return
        bar = self.panel.send_bar
        attribute = self.panel.picker.attribute_name()
        editor = self.panel.metadata
        rows = editor.rows()
        if not anyway:
            problems = validate_send(self.session.access_token or "", attribute, rows)
            if problems:
                self._show_problems(problems)
                return
        bar.clear_problems()
        metadata, dropped = metadata_sent_anyway(rows) if anyway else (editor.metadata() or {}, [])
        note = f"Sent anyway; {'; '.join(dropped)}: a JSON object cannot carry a key twice." * bool(dropped)
        warned = [f"Warning: {w.message}" for w in request_warnings(attribute, metadata)]
        self._start(Attempt(attribute, metadata), " ".join([note, *warned]).strip())

    def _show_problems(self, problems: list[FieldError]) -> None:
        for problem in problems:
            if problem.field == ATTRIBUTE_NAME_FIELD:
                self.panel.picker.show_problem(problem.message)
        bar = self.panel.send_bar
        bar.show_problems(refusal_lines(problems, self.panel.metadata.rows()), offer_anyway=True,
                          fields=[problem.field for problem in problems])
        reveal_refusal(bar)
        self.refused.emit(status_text(problems))

    def _start(self, attempt: Attempt, note: str) -> None:
        """Show the in-flight state, then hand the call to the worker: the window's own updates
        never compete with the worker for the interpreter while the request is out."""
        self._last = (attempt.attribute_name, attempt.metadata)
        self.last_attempt, self.last_recorded = attempt, None
        self._anyway_note = (attempt, note) if note else None
        self._set_in_flight(attempt)
        self.result.show_note(note, Tone.WARNING)
        self.verify_box.show_result("", Tone.NONE)  # an earlier verify says nothing about this code
        self.started.emit(attempt)
        call = self._send_call(attempt)
        self.tasks.spawn(self._send(attempt, call, self.session.start_call(call)), name="send")

    def _send_call(self, attempt: Attempt) -> Callable[[CognitoConnection, str], RecordedSend]:
        username = self.session.username
        history = self.history

        def call(conn: CognitoConnection, token: str) -> RecordedSend:
            return send_recorded(
                conn, history, access_token=token, username=username,
                attribute_name=attempt.attribute_name, client_metadata=attempt.metadata,
                is_cancelled=attempt.is_cancelled,
            )

        return call

    async def _send(
        self, attempt: Attempt, call: Callable[[CognitoConnection, str], RecordedSend],
        started: StartedCall[RecordedSend],
    ) -> None:
        try:
            recorded = await self.session.call_with_refresh(call, is_expired=_expired, started=started)
        except ServiceError as error:  # refreshing failed, or no connection
            recorded = RecordedSend(None, error=error)
        except SignInInputError as problem:
            recorded = RecordedSend(None, error=ServiceError("NotAuthorizedException", problem.message))
        finally:
            if self.attempt is attempt:
                self._set_in_flight(None)
        self._finished(attempt, recorded)

    def _finished(self, attempt: Attempt, recorded: RecordedSend) -> None:
        if self.last_attempt is attempt:
            self.last_recorded = recorded
        bar = self.panel.send_bar
        if attempt.cancelled:
            code = recorded.error.code if recorded.error else ""
            outcome = "succeeded" if recorded.ok else f"failed ({code})"
            self.result.show_note(
                f"The cancelled request to {attempt.attribute_name!r} {outcome} later; "
                "history has it, marked cancelled.", Tone.INFO)
            return
        if recorded.result is not None:
            bar.set_finished_text(f"Done in {format_latency(recorded.result.latency_ms)}")
            self.result.show_success(recorded.result, note=self._notes(attempt, recorded))
        elif recorded.error is not None:
            error = recorded.error
            bar.set_finished_text(f"Failed after {format_latency(error.latency_ms)}")
            self.result.show_error(error, can_refresh=self.session.can_refresh,
                                   note=self._notes(attempt, recorded))
        self.sent.emit(recorded)

    def _notes(self, attempt: Attempt, recorded: RecordedSend) -> str:
        """What the result pane adds: what Send anyway dropped, and why history could not record it."""
        return " ".join(note for note in (self._note_for(attempt), recorded.history_problem or "") if note)

    def _note_for(self, attempt: Attempt) -> str:
        if self._anyway_note is None or self._anyway_note[0] is not attempt:
            return ""
        return self._anyway_note[1]

    @Slot()
    def cancel(self) -> None:
        attempt = self.attempt
        if attempt is None:
            return
        attempt.cancelled = True
        self._set_in_flight(None)
        self.panel.send_bar.set_finished_text("Cancelled")
        error = ServiceError(CANCELLED, "You cancelled the request before its result arrived.")
        self.result.show_error(
            error, can_refresh=False,
            note="If the response still arrives, history records it, marked cancelled.")

    @Slot()
    def refresh_and_resend(self) -> None:
        if self._last is None or self.in_flight:
            return
        attribute, metadata = self._last
        self.tasks.spawn(self._refresh_then(attribute, metadata), name="refresh-and-send")

    async def _refresh_then(self, attribute: str, metadata: dict[str, str]) -> None:
        try:
            await self.session.refresh()
        except ServiceError as error:
            failed = f"{shown(error.code)}: {shown(error.message)}"
            self.result.show_note(f"Refreshing failed — {failed}. Sign in again.", Tone.ERROR)
            return
        except SignInInputError as problem:
            self.result.show_note(f"Refreshing failed — {problem.message}. Sign in again.", Tone.ERROR)
            return
        self._start(Attempt(attribute, metadata), "")

    # --- verifying ----------------------------------------------------------------------------
    @Slot(str)
    def verify(self, code: str) -> None:
        if self._verifying or not self.session.is_signed_in:
            return
        attribute = self.panel.picker.attribute_name()
        problem = code_problem(code)
        if problem:
            self.verify_box.show_result(problem, Tone.ERROR)
            self.verify_box.code_edit.setFocus()
            return
        attribute_problem = self.panel.picker.problem_text()
        if attribute_problem:
            self.panel.picker.show_problem(attribute_problem)
            return
        self._verifying = True
        self.verify_box.set_busy(True)
        self.verify_box.show_result(f"Verifying {attribute}…", Tone.MUTED)
        origin = self.code_origin(attribute, code) if self.code_origin else None
        self.tasks.spawn(self._verify(attribute, code, origin), name="verify")

    async def _verify(self, attribute: str, code: str, origin: CodeWait | None) -> None:
        username = self.session.username
        history = self.history

        def call(conn: CognitoConnection, token: str) -> RecordedVerify:
            return verify_recorded(conn, history, access_token=token, username=username,
                                   attribute_name=attribute, code=code, code_wait=origin)

        try:
            recorded = await self.session.call_with_refresh(call, is_expired=_expired)
        except ServiceError as error:
            recorded = RecordedVerify(None, error=error)
        finally:
            self._verifying = False
            self.verify_box.set_busy(False)
            self._update_enabled()
        if recorded.error is not None:
            failure = recorded.error
            context = ErrorContext("verify", attribute_name=attribute, can_refresh=self.session.can_refresh)
            failed = f"{shown(failure.code)}: {shown(failure.message)}"
            self.verify_box.show_result(f"{failed}\nNext: {failure.entry_in(context).next_step}", Tone.ERROR)
            return
        note = f"\n{recorded.history_problem}" if recorded.history_problem else ""
        self.verify_box.show_result(f"✓ {attribute} verified. Reloading your attributes…{note}", Tone.OK)
        self.verify_box.code_edit.clear()
        self.verified.emit(attribute)
        try:
            await self.session.load_user()
        except ServiceError as error:
            self.verify_box.show_result(
                f"✓ {attribute} verified, but reloading the attributes failed: {error.code}", Tone.WARNING)
            return
        self.verify_box.show_result(f"✓ {attribute} verified.", Tone.OK)
