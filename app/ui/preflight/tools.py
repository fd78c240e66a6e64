"""The delivery preflight in the window: the Preflight tab, a button near Send, and the link from a
failed delivery.

`PreflightTools(host, bench, hub=...)` adds the Preflight tab at the bottom, a "Preflight…" button
with the last run's summary above Send, and a "Why? Run the preflight" link in the result column
shown after a `CodeDeliveryFailureException`. The checks run in the worker pool with the admin
access of the profile (`AdminAccess.for_profile`: the sandbox's endpoint, else the profile's AWS
profile — the one the Trigger tab picks — at the endpoints botocore chooses), can be cancelled, and
run again when the profile, the user or the attribute changes while the tab is in view.

For a code source that waited in vain, `explain_no_code()` (or `explain("no_code")`) brings the tab
forward and runs the checks with the likeliest causes of a silent delivery first.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.history import HistoryStore
from app.core.pool_admin import AdminAccess
from app.core.preflight import (
    AwsReader,
    Check,
    PreflightRequest,
    Situation,
    Status,
    order_for_failure,
    run_preflight,
    worst,
)
from app.core.preflight.command import email_sends_today
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.preflight.panel import STATUS_TONE, PreflightPanel
from app.ui.request.context import RequestContext
from app.ui.widgets.buttons import make_button
from app.ui.widgets.lazy import LazyPanel
from app.ui.widgets.style import Tone, set_tone
from app.ui.window.docks import bring_forward
from app.ui.workbench import WindowHost, Workbench

if TYPE_CHECKING:
    from app.ui.request.hub import RequestHub

DELIVERY_FAILURE = "CodeDeliveryFailureException"
REFRESH_DELAY_MS = 150
HEADLINES: Mapping[Situation, str] = {
    "delivery_failure": "Cognito could not deliver the code ({code}). The likeliest causes first:",
    "no_code": "No code arrived. The likeliest causes of a silent delivery first:",
}


@dataclass(frozen=True)
class Target:
    """What one run checks: the admin access, the pool, the attribute and the user's attributes."""

    access: AdminAccess
    user_pool_id: str
    attribute_name: str | None
    user_attributes: tuple[tuple[str, str], ...] | None
    user_problem: str | None


def target_for(context: RequestContext) -> Target | str:
    """The run for the window's request, or why there is none (a sentence)."""
    profile = context.profile
    if profile is None:
        return "Choose a profile to run the preflight."
    # The saved profile first: an edit of its pool id (profile_changed) counts before a reconnect.
    pool_id = profile.user_pool_id or context.user_pool_id or context.token_user_pool_id
    if not pool_id:
        return ("The profile has no user pool id: add it (File → Edit profile) so the preflight can read "
                "the pool's configuration.")
    attributes: tuple[tuple[str, str], ...] | None = None
    problem = None
    if not context.signed_in:
        problem = "Not signed in: sign in so the preflight can check the attribute's value."
    elif not context.user_attributes:
        problem = "The user's attributes are not loaded yet (GetUser)."
    else:
        attributes = tuple(sorted(context.user_attributes.items()))
    return Target(AdminAccess.for_profile(profile), pool_id, context.attribute_name or None, attributes,
                  problem)


def run_checks(target: Target, history: HistoryStore | None, cancelled: threading.Event) -> list[Check]:
    """Blocking: today's email count from history, then every check for `target`."""
    request = PreflightRequest(
        target.access, target.user_pool_id, target.attribute_name,
        dict(target.user_attributes) if target.user_attributes is not None else None,
        target.user_problem, email_sends_today=email_sends_today(history, target.user_pool_id),
    )
    return run_preflight(request, reader=AwsReader(target.access, cancelled=cancelled.is_set))


def summary(checks: list[Check]) -> tuple[str, Tone]:
    """"2 fail, 1 warning, 5 OK" and the tone of the worst."""
    counts = {status: sum(1 for check in checks if check.status is status) for status in Status}
    names = ((Status.FAIL, "fail"), (Status.UNKNOWN, "not checked"), (Status.WARN, "warning"),
             (Status.OK, "OK"))
    parts = [f"{counts[status]} {name}" for status, name in names if counts[status]]
    return ", ".join(parts) or "no checks", STATUS_TONE[worst(checks)]


class PreflightTools(QObject):
    """Runs the preflight for the window's request and shows it (see the module docstring).

    `finished(list[Check])` after each completed run, in the order shown."""

    finished = Signal(object)

    def __init__(self, host: WindowHost, bench: Workbench, *, hub: RequestHub) -> None:
        super().__init__(bench)
        self.bench, self.hub = bench, hub
        self.tasks = TaskKeeper(on_error=host.report_failure)
        # The tab's panel is built when the tester first opens it (or a run needs it).
        self.holder = LazyPanel(self._make_panel, "preflightHolder")
        self.dock = host.add_bottom_tab(self.holder, "Preflight", "preflightDock")
        self.holder.follow(self.dock)
        self.situation: Situation | None = None
        self._failure_code = DELIVERY_FAILURE
        self._ran_for: Target | None = None
        self._cancel: threading.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._generation = 0
        self._build_notices(host)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._follow_request)
        hub.changed.connect(self._timer.start)
        bench.profile_changed.connect(lambda _profile: self._timer.start())
        hub.send_started.connect(lambda _context: self.link.hide())
        hub.send_finished.connect(self._send_finished)
        self.dock.visibilityChanged.connect(self._dock_visible)

    def _make_panel(self) -> PreflightPanel:
        panel = PreflightPanel()
        panel.run_requested.connect(self.run)
        panel.cancel_requested.connect(self.cancel)
        return panel

    @property
    def panel(self) -> PreflightPanel:
        """The Preflight tab's panel (built now if the tab was never opened)."""
        panel = self.holder.panel()
        assert isinstance(panel, PreflightPanel)
        return panel

    def _build_notices(self, host: WindowHost) -> None:
        row = QWidget()
        row.setObjectName("preflightSendRow")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.open_button = make_button(
            "openPreflightButton", "Preflight…", "Open the delivery preflight",
            tip="Will the code arrive? The pool's email, SMS, message and trigger settings", slot=self.open,
            auto_default=False)
        self.summary_label = QLabel("Not run yet")
        self.summary_label.setObjectName("preflightSummaryLabel")
        self.summary_label.setAccessibleName("Preflight result")
        set_tone(self.summary_label, Tone.MUTED)
        layout.addWidget(self.open_button)
        layout.addWidget(self.summary_label, 1)
        host.add_send_notice(row)
        self.link = QFrame()
        self.link.setObjectName("preflightLink")
        self.link.setProperty("banner", True)
        set_tone(self.link, Tone.WARNING)
        self.link_label = QLabel("Cognito could not deliver the code.")
        self.link_label.setObjectName("preflightLinkLabel")
        self.link_label.setWordWrap(True)
        self.link_button = make_button(
            "preflightWhyButton", "Why? Run the preflight", "Why was the code not delivered? Run the "
            "preflight", slot=lambda: self.explain("delivery_failure"), auto_default=False)
        link_layout = QVBoxLayout(self.link)
        link_layout.addWidget(self.link_label)
        link_layout.addWidget(self.link_button)
        self.link.hide()
        host.add_result_section(self.link)

    # --- opening ---------------------------------------------------------------------------------
    def open(self) -> None:
        """Bring the Preflight tab forward and run the checks for the current request."""
        self.situation = None
        bring_forward(self.dock)
        self.run()

    def explain(self, situation: Situation) -> None:
        """Bring the tab forward and run the checks, failing ones and the likeliest causes of
        `situation` ("delivery_failure": Cognito's CodeDeliveryFailureException; "no_code": the send
        succeeded but no code arrived) first."""
        self.situation = situation
        bring_forward(self.dock)
        self.run()

    def explain_no_code(self) -> None:
        """A code source waited and no code arrived: show why it may not have been delivered."""
        self.explain("no_code")

    # --- running ---------------------------------------------------------------------------------
    def run(self) -> None:
        """Run the checks now (a run in progress is cancelled first)."""
        self.cancel(quiet=True)
        found = target_for(self.hub.context())
        if isinstance(found, str):
            self._ran_for = None
            self.panel.show_checks([])
            self.panel.show_headline(found, Tone.WARNING)
            self.summary_label.setText("Not run")
            set_tone(self.summary_label, Tone.MUTED)
            return
        self._generation += 1
        self._cancel = threading.Event()
        self._ran_for = found
        self._task = self.tasks.spawn(self._run(found, self._cancel, self._generation), name="preflight")

    def cancel(self, *, quiet: bool = False) -> None:
        """Stop the run in progress: its calls not yet made are skipped and its result is dropped."""
        if self._cancel is not None:
            self._cancel.set()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            if not quiet:
                self._ran_for = None  # a later change or Run starts it again
                self.panel.set_busy(False, "Preflight cancelled.")
                self.summary_label.setText("Cancelled")
        self._task = None

    async def _run(self, target: Target, cancelled: threading.Event, generation: int) -> None:
        self.panel.set_busy(True, f"Checking {target.user_pool_id} with "
                                  f"{AwsReader(target.access).who}…")
        self.summary_label.setText("Checking…")
        set_tone(self.summary_label, Tone.MUTED)
        try:
            checks = await run_blocking(run_checks, target, self.bench.history_store, cancelled)
        finally:
            if generation == self._generation:
                self.panel.set_busy(False)
        if generation != self._generation or cancelled.is_set():
            return
        self._show(checks)

    def _show(self, checks: list[Check]) -> None:
        text, tone = summary(checks)
        if self.situation is not None:
            checks = order_for_failure(checks, self.situation)
            self.panel.show_headline(HEADLINES[self.situation].format(code=self._failure_code), tone)
        else:
            self.panel.show_headline(f"Preflight: {text}.", tone)
        self.panel.show_checks(checks)
        self.summary_label.setText(text)
        set_tone(self.summary_label, tone)
        self.finished.emit(checks)

    # --- following the request -------------------------------------------------------------------
    def _follow_request(self) -> None:
        """The profile, user or attribute may have changed: run again when the tab is in view."""
        found = target_for(self.hub.context())
        if found == self._ran_for:
            return
        self.situation = None  # the failure explained was about another request
        if self._visible():
            self.run()
        else:
            self.cancel(quiet=True)
            self._ran_for = None
            self.summary_label.setText("Not run for this request yet")
            set_tone(self.summary_label, Tone.MUTED)

    def _visible(self) -> bool:
        """The tab is on screen (a tab behind History is "visible" to Qt, with nothing shown)."""
        return self.holder.on_screen()

    def _dock_visible(self, visible: bool) -> None:
        if visible and self._ran_for is None and not (self.holder.is_built and self.panel.busy):
            self._timer.start()

    def _send_finished(self, context: RequestContext) -> None:
        recorded = context.last_send
        error = recorded.error if recorded else None
        if error is None or error.code != DELIVERY_FAILURE:
            return
        self._failure_code = error.code
        self.link_label.setText(f"Cognito could not deliver the code ({error.code}): the preflight checks "
                                "the pool's email and SMS settings for the likely cause.")
        self.link.show()

    def shut_down(self) -> None:
        """The window is closing: stop the run in progress."""
        self.cancel(quiet=True)
        self.tasks.cancel_all()
