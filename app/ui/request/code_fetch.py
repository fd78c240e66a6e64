"""Fetch the code from where it was delivered, next to the Verify box's code field.

"Fetch code" waits for the newest message to the attribute's real value (GetUser's, not the masked
destination) in the profile's code source; "Verify as soon as the code arrives" starts that wait
right after a successful send and verifies with the code it finds. The wait runs in the worker
pool and stops when its cancel event is set (Cancel, a new send, a sign-out, another profile), so
the window keeps repainting; the elapsed time ticks meanwhile. The code goes into the field and
nowhere else: what is shown and logged is where it came from (date, sender, subject), and the
verify of that code keeps in history the source, the message's date and the wait. When nothing
arrived in time, "Why? Run the preflight" shows the likeliest causes of a silent delivery first.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.core.code_source_settings import SavedCodeSource, open_saved_source, sandbox_default
from app.core.error_catalogue import CANCELLED
from app.core.history import CodeWait as SourceWait
from app.ui.async_tools import start_blocking
from app.ui.widgets.style import Tone, selectable, set_tone

if TYPE_CHECKING:
    from app.core.codes import CodeQuery, CodeSourceError, FoundCode
    from app.core.profile_model import Profile
    from app.core.recording import RecordedSend
    from app.ui.request.result_view import VerifyBox
    from app.ui.request.send_flow import RequestController
    from app.ui.workbench import Workbench

_log = logging.getLogger(__name__)
UNSENT_LOOKBACK = timedelta(minutes=10)
"""How far back Fetch code looks when this window has sent no code to the attribute."""


class CodeFetchBar(QWidget):
    """Fetch code, the opt-in box, and while waiting a busy bar, the elapsed time and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeFetchBar")
        self.fetch_button = QPushButton("Fetch code")
        self.fetch_button.setObjectName("fetchCodeButton")
        self.fetch_button.setAccessibleName("Fetch the code from the profile's code source")
        self.auto_check = QCheckBox("Verify as soon as the code arrives")
        self.auto_check.setObjectName("verifyOnArrivalCheck")
        self.auto_check.setToolTip("After a successful send, wait for the code in the profile's code source "
                                   "and verify with it")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelCodeWaitButton")
        self.cancel_button.setAccessibleName("Stop waiting for the code")
        self.busy = QProgressBar()
        self.busy.setObjectName("codeWaitBusyIndicator")
        self.busy.setAccessibleName("Waiting for the code")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumSize(90, 14)
        self.elapsed = QLabel()
        self.elapsed.setObjectName("codeWaitElapsedLabel")
        self.elapsed.setAccessibleName("Time spent waiting for the code")
        self.status = QLabel()
        self.status.setObjectName("codeWaitStatusLabel")
        self.status.setWordWrap(True)
        selectable(self.status)
        self.status.hide()
        self.why_button = QPushButton("Why? Run the preflight")
        self.why_button.setObjectName("codeWaitWhyButton")
        self.why_button.setAccessibleName("Why did no code arrive? Run the preflight")
        self.why_button.setAutoDefault(False)
        self.why_button.hide()
        # Narrow rows: the result column keeps its width (the box's text wraps, nothing widens it).
        self.elapsed.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.fetch_button)
        top.addStretch(1)
        top.addWidget(self.cancel_button)
        waiting = QHBoxLayout()
        waiting.addWidget(self.busy)
        waiting.addWidget(self.elapsed, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.auto_check)
        layout.addLayout(waiting)
        layout.addWidget(self.status)
        layout.addWidget(self.why_button)
        self.set_waiting(False)

    def set_waiting(self, waiting: bool) -> None:
        self.fetch_button.setEnabled(not waiting)
        for widget in (self.busy, self.cancel_button):
            widget.setVisible(waiting)
        self.elapsed.setVisible(waiting)

    def show_status(self, text: str, tone: Tone = Tone.MUTED) -> None:
        """Say how the wait went; the preflight link goes with the timeout it was shown for."""
        self.why_button.hide()
        self.status.setText(text)
        set_tone(self.status, tone)
        self.status.setVisible(bool(text))


@dataclass
class CodeWait:
    """One wait for a code: for which attribute and address, since when, in which source."""

    attribute: str
    destination: str
    sent_after: datetime
    source: str
    timeout_s: float
    verify: bool
    masked: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "an unknown time"


def provenance_text(found: FoundCode) -> str:
    """Where a code came from, for the tester (never the code itself)."""
    subject = f"“{found.subject}”" if found.subject else "(no subject)"
    sender = found.sender or "an unknown sender"
    return (f"Code filled in from the message of {_when(found.message_date)} from {sender}, {subject} "
            f"({found.source}, after {found.wait_ms / 1000:.1f} s).")


def not_received_text(error: CodeSourceError, wait: CodeWait) -> str:
    """What was searched and what to check next, when no code came in time."""
    details: dict[str, Any] = error.details
    searched = details.get("searched") or wait.source
    since = details.get("since") or _when(wait.sent_after)
    masked = (f"the destination the send reported ({wait.masked}) is this address" if wait.masked
              else "the send's CodeDeliveryDetails name this address")
    lines = [f"{error.code}: {error.message}",
             f"Searched: {searched} ({details.get('source') or wait.source}) for messages to "
             f"{details.get('recipient') or wait.destination} since {since}.",
             f"Check next: that {masked}; the spam or junk folder and any filtering or receipt rules; "
             "the pool's email configuration (Cognito's default sender or SES, and its sending limits)."]
    return "\n".join(lines)


class CodeFetcher(QObject):
    """Runs code waits for the Verify box (see the module notes). `arrived(attribute)` fires once a
    code is in the field; `ended(str)` with "found", "cancelled" or the error code otherwise.
    `explain_no_code` runs the preflight for a wait that found nothing (the link is offered then)."""

    arrived = Signal(str)
    ended = Signal(str)

    def __init__(self, bench: Workbench, controller: RequestController, verify: VerifyBox,
                 bar: CodeFetchBar, explain_no_code: Callable[[], None] | None = None) -> None:
        super().__init__(controller)
        self._bench, self._controller, self._verify, self.bar = bench, controller, verify, bar
        self._explain_no_code = explain_no_code
        self.wait: CodeWait | None = None
        self._found: tuple[str, str, SourceWait] | None = None  # attribute, code (in memory only), origin
        controller.code_origin = self.origin_of
        controller.verified.connect(lambda _attribute: self._forget())
        if explain_no_code is not None:
            bar.why_button.clicked.connect(explain_no_code)
        self._clock = QTimer(self)
        self._clock.setInterval(100)
        self._clock.timeout.connect(self._tick)
        bar.fetch_button.clicked.connect(self.fetch)
        bar.cancel_button.clicked.connect(self.cancel)
        controller.started.connect(lambda _attempt: self._stop("A new send started: stopped waiting."))
        controller.sent.connect(self._sent)
        bench.session.signed_out.connect(lambda: self._stop("Signed out: stopped waiting for the code."))
        bench.profile_changed.connect(self._profile_changed)

    @property
    def waiting(self) -> bool:
        return self.wait is not None

    def origin_of(self, attribute: str, code: str) -> SourceWait | None:
        """Where `code` came from, when this fetcher found it for `attribute` (else None)."""
        found = self._found
        return found[2] if found is not None and found[:2] == (attribute, code) else None

    def _forget(self) -> None:
        self._found = None

    # --- starting -------------------------------------------------------------------------------
    def fetch(self) -> None:
        """Wait for the code of the attribute in the picker (sent by the last send, if it was)."""
        attribute = self._controller.panel.picker.attribute_name()
        attempt, recorded = self._controller.last_attempt, self._controller.last_recorded
        since = datetime.now(UTC) - UNSENT_LOOKBACK
        masked = None
        if attempt is not None and attempt.attribute_name == attribute and not attempt.cancelled:
            since = attempt.started_at
            masked = _masked(recorded)
        self._start(attribute, since, verify=self.bar.auto_check.isChecked(), masked=masked)

    def _sent(self, recorded: RecordedSend) -> None:
        attempt = self._controller.last_attempt
        if recorded.ok and self.bar.auto_check.isChecked() and attempt is not None:
            self._start(attempt.attribute_name, attempt.started_at, verify=True, masked=_masked(recorded))

    def _start(self, attribute: str, since: datetime, *, verify: bool, masked: str | None) -> None:
        self._stop("")
        self._forget()
        profile = self._bench.profile
        saved = _source_of(profile)
        if profile is None or saved is None:
            self.bar.show_status("This profile has no code source: File → Edit profile… → Code source.",
                                 Tone.WARNING)
            return
        user = self._bench.session.user
        value = user.attribute(attribute) if user else None
        if value is None or not value.value:
            why = "your attributes are not loaded yet" if user is None else f"GetUser shows no {attribute!r}"
            self.bar.show_status(f"Cannot fetch the code of {attribute!r}: {why}.", Tone.WARNING)
            return
        try:
            where = str(saved.spec())
        except ValueError as exc:
            self.bar.show_status(f"The profile's code source cannot be used: {exc}", Tone.ERROR)
            return
        wait = CodeWait(attribute, value.value, since, where, saved.wait_s, verify, masked)
        self.wait = wait
        self.bar.set_waiting(True)
        self.bar.show_status(f"Waiting for a message to {wait.destination} in {where}, sent after "
                             f"{_when(since)}…", Tone.MUTED)
        self._tick()
        self._clock.start()
        future = start_blocking(_wait_blocking, saved, profile, self._bench, wait)
        self._bench.tasks.spawn(self._finish(wait, future), name="fetch-code")

    # --- ending ---------------------------------------------------------------------------------
    def cancel(self) -> None:
        self._stop("Stopped waiting for the code.")

    def _stop(self, note: str) -> None:
        self._forget()  # a new send, a sign-out, another profile: the code found is no longer wanted
        wait, self.wait = self.wait, None
        if wait is None:
            return
        wait.cancel.set()  # the worker sees it within a moment and gives up
        self._clock.stop()
        self.bar.set_waiting(False)
        if note:
            self.bar.show_status(note, Tone.INFO)
        self.ended.emit(CANCELLED)

    def _profile_changed(self, profile: Profile | None) -> None:
        if self.wait is not None and (profile is None or _source_of(profile) is None):
            self._stop("The profile changed: stopped waiting for the code.")

    def _tick(self) -> None:
        if self.wait is not None:
            spent = time.monotonic() - self.wait.started
            self.bar.elapsed.setText(f"Waiting… {spent:.1f} s of {self.wait.timeout_s:g} s")

    async def _finish(self, wait: CodeWait, future: asyncio.Future[FoundCode]) -> None:
        from app.core.codes import CodeSourceError

        try:
            found = await future
        except CodeSourceError as error:
            if self.wait is wait:
                self._failed(wait, error)
            return
        except ValueError as error:  # the source's settings (spec, pattern) or the destination
            if self.wait is wait:
                self._end(f"The code could not be fetched: {error}", Tone.ERROR, "CodeSourceError")
            return
        if self.wait is not wait:
            return  # cancelled or replaced meanwhile: the code is not wanted any more
        self._arrived(wait, found)

    def _end(self, text: str, tone: Tone, outcome: str) -> None:
        self.wait = None
        self._clock.stop()
        self.bar.set_waiting(False)
        self.bar.show_status(text, tone)
        self.ended.emit(outcome)

    def _failed(self, wait: CodeWait, error: CodeSourceError) -> None:
        from app.core.codes import CODE_NOT_IN_MESSAGE, CODE_NOT_RECEIVED

        if error.code in (CODE_NOT_RECEIVED, CODE_NOT_IN_MESSAGE):
            self._end(not_received_text(error, wait), Tone.ERROR, error.code)
            if error.code == CODE_NOT_RECEIVED and self._explain_no_code is not None:
                self.bar.why_button.show()  # nothing arrived: a silent delivery is the likeliest cause
        else:
            self._end(f"{error.code}: {error.message}\nNext: {error.entry.next_step}", Tone.ERROR, error.code)
        _log.info("No code from %s for %s: %s", wait.source, wait.attribute, error.code)

    def _arrived(self, wait: CodeWait, found: FoundCode) -> None:
        origin = SourceWait(found.source, found.message_date, round(found.wait_ms, 1))
        self._found = (wait.attribute, found.code, origin)
        self._verify.code_edit.setText(found.code)
        self._end(provenance_text(found), Tone.OK, "found")
        _log.info("Code for %s fetched from %s (message of %s, after %.0f ms)", wait.attribute, found.source,
                  _when(found.message_date), found.wait_ms)
        self.arrived.emit(wait.attribute)
        if not wait.verify:
            self._verify.code_edit.setFocus()
            return
        if self._controller.panel.picker.attribute_name() != wait.attribute:
            self.bar.show_status(provenance_text(found) + f" Not verified: the attribute is no longer "
                                 f"{wait.attribute!r}; press Verify.", Tone.WARNING)
            return
        self._controller.verify(found.code)


def _source_of(profile: Profile | None) -> SavedCodeSource | None:
    if profile is None:
        return None
    return profile.code_source or sandbox_default(profile.sandbox)


def _masked(recorded: RecordedSend | None) -> str | None:
    delivery = recorded.result.delivery if recorded and recorded.result else None
    return delivery.destination if delivery else None


def _wait_blocking(saved: SavedCodeSource, profile: Profile, bench: Workbench, wait: CodeWait) -> FoundCode:
    """In the worker pool: open the source (the keyring may be asked) and wait."""
    from app.core.codes import CodeQuery

    source = open_saved_source(saved, profile_name=profile.name, endpoint_url=profile.endpoint_url,
                               region=profile.region, aws_profile=profile.aws_profile, secrets=bench.secrets)
    query: CodeQuery = CodeQuery(wait.destination, wait.sent_after, wait.timeout_s)
    return source.wait(query, wait.cancel)


def install_code_fetch(bench: Workbench, controller: RequestController, verify: VerifyBox, *,
                       explain_no_code: Callable[[], None] | None = None) -> CodeFetcher:
    """Put Fetch code and its box under the Verify box's code field, and run them; `explain_no_code`
    (the preflight's) is offered when a wait ends with nothing received."""
    bar = CodeFetchBar()
    verify.add_section(bar)
    QWidget.setTabOrder(verify.verify_button, bar.fetch_button)
    QWidget.setTabOrder(bar.fetch_button, bar.auto_check)
    QWidget.setTabOrder(bar.auto_check, bar.cancel_button)
    QWidget.setTabOrder(bar.cancel_button, bar.why_button)
    return CodeFetcher(bench, controller, verify, bar, explain_no_code)
