"""Lambda trigger debugging beside the request: what the Custom Message trigger receives, how the
pool is configured, what the trigger logged, and (sandbox) local trigger runs.

`install_trigger_view(host, bench, ...)` adds the Trigger tab at the bottom, a Trigger box in the
result column (log lines of the last send, the local run's outcome), the "no trigger" warning
above Send, and follows the request through its `RequestHub`; an attribute change (`updates`, the
Change value… flow) gets its trigger run and log shown as a send does. The window works without it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel

from app.core.errors import ServiceError
from app.core.pool_admin import PoolTriggerInfo
from app.core.profile_model import Profile
from app.core.trigger_insight import (
    EventInputs,
    describe_run,
    find_run,
    medium_for,
    preview_event,
    trigger_function_for,
)
from app.core.trigger_logs import FollowSettings
from app.core.visible import shown
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.request.context import RequestContext
from app.ui.settings import bool_key, int_key
from app.ui.trigger.follow import DEFAULT_WINDOW_S, FollowRequest, LogFollowController
from app.ui.trigger.panels import TriggerResultBox, TriggerView
from app.ui.widgets.style import Tone, set_tone
from app.ui.workbench import ProfileSaveError, WindowHost, Workbench

if TYPE_CHECKING:
    from app.core.recording import RecordedUpdate
    from app.sandbox.control import SandboxControl
    from app.ui.request.hub import RequestHub
    from app.ui.request.result_view import ResultView
    from app.ui.request.send_flow import Attempt, RequestController
    from app.ui.request.update_flow import UpdateController
    from app.ui.sandbox.inbox_view import InboxDock
    from app.ui.sandbox.mode import SandboxMode

FOLLOW_WINDOW = int_key("trigger/followWindowS", DEFAULT_WINDOW_S)
FOLLOW_AFTER_SEND = bool_key("trigger/followAfterSend", True)
NO_TRIGGER_WARNING = ("⚠ This pool has no Custom Message trigger: the ClientMetadata you send is not "
                      "used by anything (Trigger tab → Pool configuration).")
PREVIEW_DELAY_MS = 60
SANDBOX_CLOCK_SLACK_S = 0.5  # the sandbox runs on this computer's clock: earlier sends stay out


def _skips_trigger(error: ServiceError | None) -> bool:
    """A 4xx that Cognito answers before it calls the trigger (not a Lambda or delivery error)."""
    if error is None:
        return False
    status = error.http_status or 0
    delivery = error.code == "CodeDeliveryFailureException"
    return 400 <= status < 500 and not error.entry.trigger_related and not delivery


class TriggerTools(QObject):
    """Wires the trigger view into the window through the parts it is given."""

    def __init__(
        self,
        host: WindowHost,
        bench: Workbench,
        *,
        hub: RequestHub,
        controller: RequestController,
        result_view: ResultView,
        sandbox_mode: SandboxMode,
        inbox: InboxDock,
        settings: QSettings,
        updates: UpdateController | None = None,
    ) -> None:
        super().__init__(bench)
        self.bench, self.hub, self.controller, self.updates = bench, hub, controller, updates
        self.result_view, self.sandbox_mode = result_view, sandbox_mode
        self.inbox, self.settings = inbox, settings
        self.tasks = TaskKeeper(on_error=host.report_failure)
        self.follow = LogFollowController(self.tasks, bench.history, self)
        self.view = TriggerView(self.tasks, self.follow)
        self.dock: QDockWidget = host.add_bottom_tab(self.view, "Trigger", "triggerDock")
        self.result_box = TriggerResultBox(self.follow)
        self.result_box.hide()
        # Below Verify, so the code field stays in view; the log takes the rest of the column.
        host.add_result_section(self.result_box, 1)
        self.warning = QLabel(NO_TRIGGER_WARNING)
        self.warning.setObjectName("triggerWarningLabel")
        self.warning.setAccessibleName("Warning: the pool has no Custom Message trigger")
        self.warning.setWordWrap(True)
        set_tone(self.warning, Tone.WARNING)
        self.warning.hide()
        host.add_send_notice(self.warning)
        self._profile_key: tuple[str, bool, str | None, str | None] | None = None
        self._profile_seen = False
        self._sent_inputs: EventInputs | None = None
        self._change: Attempt | None = None  # the attribute change in flight, for its trigger run
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh)
        self._restore_settings()
        self._connect()
        self.refresh()

    def shut_down(self) -> None:
        """The window is closing: stop following and drop background work that would touch it."""
        self.follow.stop("the window closed")
        self.tasks.cancel_all()

    # --- wiring ------------------------------------------------------------------------------
    def _connect(self) -> None:
        view, settings = self.view, self.settings
        self.hub.changed.connect(self._preview_timer.start)
        self.hub.send_started.connect(self._send_started)
        self.hub.send_finished.connect(self._send_finished)
        self.controller.busy_changed.connect(self._busy_changed)
        if self.updates is not None:  # a change's code goes through the trigger too
            self.updates.busy_changed.connect(self._change_busy)
            self.updates.changed.connect(self._change_finished)
        self.result_view.trigger_view_requested.connect(self.open_view)
        self.sandbox_mode.started.connect(lambda _profile, control, _info: self._sandbox(control))
        self.sandbox_mode.attached.connect(lambda control, _info: self._sandbox(control))
        self.follow.status_changed.connect(self._follow_status)
        self.follow.lines_added.connect(lambda _count: self.result_box.show())
        for pane in (view.log_pane, self.result_box.log_pane):
            pane.stop_requested.connect(lambda: self.follow.stop("you pressed Stop"))
        self.result_box.open_button.clicked.connect(self.open_view)
        view.pool.info_changed.connect(self._pool_info)
        view.pool.aws_profile_chosen.connect(self._remember_aws_profile)
        view.local.trigger_changed.connect(lambda _spec, _function: view.pool.load())
        view.window_spin.valueChanged.connect(lambda value: FOLLOW_WINDOW.write(settings, value))
        view.follow_check.toggled.connect(lambda on: FOLLOW_AFTER_SEND.write(settings, on))
        self.dock.visibilityChanged.connect(self._dock_visible)

    def _restore_settings(self) -> None:
        self.view.window_spin.setValue(FOLLOW_WINDOW.read(self.settings))
        self.view.follow_check.setChecked(FOLLOW_AFTER_SEND.read(self.settings))

    def _dock_visible(self, visible: bool) -> None:
        if visible and self.view.pool.listing is None and not self._is_sandbox():
            self.view.pool.reload_aws_profiles()

    def open_view(self) -> None:
        """Bring the Trigger tab forward: the local run when the sandbox has a trigger, else the log."""
        self.dock.show()
        self.dock.raise_()
        view = self.view
        view.tabs.setCurrentWidget(view.local if view.local.run is not None else view.log_tab)

    # --- the current request ---------------------------------------------------------------------
    def _context(self) -> RequestContext:
        return self.hub.context()

    def _is_sandbox(self) -> bool:
        profile = self._context().profile
        return bool(profile and profile.sandbox)

    def _sent_preview(self) -> dict[str, Any] | None:
        """The event the last send's trigger should have received, as the preview builds it."""
        if self._sent_inputs is None:
            return None
        try:
            return preview_event(self._sent_inputs)
        except ValueError:
            return None

    def _inputs(self, context: RequestContext, metadata: dict[str, str] | None) -> EventInputs:
        return EventInputs(
            region=context.region,
            user_pool_id=context.user_pool_id or context.token_user_pool_id,
            client_id=context.token_client_id or context.client_id,
            username=context.cognito_username if context.signed_in else None,
            user_attributes=context.user_attributes,
            client_metadata=metadata,
            change=(context.attribute_name, context.update_value) if context.update_value else None,
        )

    def refresh(self) -> None:
        """Rebuild the preview and the warning; notice a profile change."""
        context = self._context()
        self._profile_changed(context)
        grid_problem = context.client_metadata is None
        metadata = context.grid_metadata
        self.view.preview.show_inputs(
            self._inputs(context, metadata), attribute_name=context.attribute_name, grid_problem=grid_problem)
        self._update_warning(metadata)
        self._update_function_label()

    def _update_warning(self, metadata: dict[str, str] | None = None) -> None:
        if metadata is None:
            metadata = self._context().grid_metadata
        info = self.view.pool.info
        self.warning.setVisible(bool(info is not None and info.custom_message_arn is None and metadata))

    def _profile_changed(self, context: RequestContext) -> None:
        profile = context.profile
        pool_id = self._inputs(context, None).user_pool_id
        key = (profile.name, profile.sandbox, profile.endpoint_url, pool_id) if profile else None
        if key == self._profile_key and self._profile_seen:
            return
        self._profile_seen = True
        self._profile_key = key
        self.view.pool.set_profile(profile, pool_id)
        control = self._matching_control(profile)
        self.view.local.set_control(control)
        if profile is not None and profile.sandbox and pool_id:
            self.view.pool.load()  # the sandbox answers at once, with any credentials

    def _matching_control(self, profile: Profile | None) -> SandboxControl | None:
        control = self.inbox.control
        if profile is None or not profile.sandbox or control is None:
            return None
        same = (control.endpoint_url.rstrip("/") == (profile.endpoint_url or "").rstrip("/"))
        return control if same else None

    def _sandbox(self, control: SandboxControl) -> None:
        """A sandbox started or was attached: local runs use it when the profile points at it."""
        profile = self._context().profile
        if profile is not None and profile.sandbox:
            self.view.local.set_control(self._matching_control(profile) or control)

    def _pool_info(self, info: PoolTriggerInfo | None) -> None:
        self._update_warning()
        self._update_function_label()

    def _remember_aws_profile(self, name: str) -> None:
        profile = self.bench.profile
        if profile is None or profile.sandbox or (profile.aws_profile or "") == name:
            return
        try:
            self.bench.update_profile(profile.name, aws_profile=name or None)
        except ProfileSaveError as error:
            self.view.pool.status.setText(f"Could not remember the AWS profile: {shown(error)}")
            set_tone(self.view.pool.status, Tone.ERROR)

    def _function(self) -> tuple[str | None, str]:
        pool = self.view.pool
        profile = self._context().profile
        return trigger_function_for(
            pool_function=pool.info.custom_message_function if pool.info else None,
            pool_checked=pool.info is not None,
            profile_function=profile.trigger_function if profile else None,
            sandbox_function=self.view.local.active_function,
        )

    def _update_function_label(self) -> None:
        function, origin = self._function()
        label = self.view.function_label
        label.setText(f"/aws/lambda/{shown(function)} ({origin})" if function else origin)

    # --- sends ------------------------------------------------------------------------------------
    def _send_started(self, context: RequestContext) -> None:
        self.follow.stop("a new request was sent")
        # The inputs as they were when the send left; the event is built only if a run is shown.
        sent = self._inputs(context, context.last_send_metadata or {})
        self._sent_inputs = dataclasses.replace(sent, change=None)
        self.result_box.show_run("", Tone.MUTED)
        self.view.local.clear_run("Waiting for the result of the send…")

    def _busy_changed(self, busy: bool) -> None:
        attempt = self.controller.last_attempt
        if not busy and attempt is not None and attempt.cancelled:
            self.view.local.clear_run("You cancelled the send: no trigger run to show for it (history "
                                      "records it if its result still arrives).")

    def _send_finished(self, context: RequestContext) -> None:
        recorded = context.last_send
        if recorded is None or context.last_send_started_at is None or context.last_send_cancelled:
            return
        self._follow_after(context.last_send_started_at, context.last_send_metadata or {},
                           recorded.history_id, recorded.error)
        control = self.view.local.control
        if control is not None:
            run = self._show_local_run(context.last_send_attribute or "", context.last_send_started_at,
                                       context.cognito_username or context.username, control)
            self.tasks.spawn(run, name="trigger-run")

    # --- attribute changes (Change value…): their code's trigger run, as for a send ---------------
    def _change_busy(self, busy: bool) -> None:
        attempt = self.updates.attempt if self.updates is not None else None
        if not busy and self._change is not None and self._change.cancelled:
            self._change = None
            self.view.local.clear_run("You cancelled the change: no trigger run to show for it (history "
                                      "records it if its result still arrives).")
        if not busy or attempt is None:
            return
        self._change = attempt
        self.follow.stop("a new request was sent")
        self.result_box.show_run("", Tone.MUTED)
        self.view.local.clear_run("Waiting for the result of the change…")

    def _change_finished(self, recorded: RecordedUpdate) -> None:
        attempt, self._change = self._change, None
        if attempt is None or attempt.cancelled:
            return
        context = self._context()
        self._sent_inputs = dataclasses.replace(
            self._inputs(context, attempt.metadata), change=(attempt.attribute_name, recorded.new_value))
        self._follow_after(attempt.started_at, attempt.metadata, recorded.history_id, recorded.error)
        control = self.view.local.control
        if control is not None:
            run = self._show_local_run(attempt.attribute_name, attempt.started_at,
                                       context.cognito_username or context.username, control)
            self.tasks.spawn(run, name="trigger-run")

    def _follow_after(self, started_at: datetime, metadata: dict[str, str], history_id: int | None,
                      error: ServiceError | None) -> None:
        if not self.view.follow_check.isChecked():
            self.follow.show_idle("Following the trigger's log after a send is off (Trigger → Log lines).")
            return
        if error is not None and _skips_trigger(error):
            self.follow.show_idle(
                f"The request failed before the trigger ran ({error.code}): no log to follow.")
            self.result_box.show()
            return
        function, origin = self._function()
        access = self.view.pool.access()
        if function is None or access is None:
            self.follow.show_idle(origin if function is None else "Choose a profile first.")
            self.result_box.show()
            return
        self.result_box.show()
        slack = SANDBOX_CLOCK_SLACK_S if self._is_sandbox() else FollowSettings.clock_slack_s
        self.follow.start(FollowRequest(
            function_name=function,
            started_at=started_at,
            metadata=dict(metadata),
            access=access,
            history_id=history_id,
            window_s=float(self.view.window_spin.value()),
            clock_slack_s=slack,
        ))

    def _follow_status(self, text: str, tone: str, following: bool) -> None:
        for pane in (self.view.log_pane, self.result_box.log_pane):
            pane.set_status(text, Tone(tone), following=following)

    async def _show_local_run(self, attribute: str, started: datetime, username: str | None,
                              control: SandboxControl) -> None:
        # The newest event for this user and attribute is the only one find_run could pick.
        entries = await run_blocking(control.trigger_events, username=username, attribute=attribute, limit=1)
        entry = find_run(entries, username=username, attribute=attribute, since=started)
        local = self.view.local
        if entry is None:
            text = ("The sandbox has no trigger: it used the pool's own message template."
                    if local.active_function is None and not self._pool_has_trigger()
                    else "The trigger was not called for this request (the send failed before it).")
            local.clear_run(text)
            self.result_box.show_run("", Tone.MUTED)
            return
        # This send's message is the attribute's newest; a failed trigger left it without a code.
        newest = await run_blocking(control.inbox, username, 1, attribute=attribute)
        code = str(newest[-1]["code"]) if newest and newest[-1].get("code") else None
        run = describe_run(entry, medium_for(attribute), code)
        local.show_run(run, self._sent_preview())
        if run.ok:
            name = shown(run.function_name or "")
            text = f"✓ Trigger {name} answered: {run.medium} message rendered."
            if run.rendered is None:
                text = f"✓ Trigger {name} answered; the pool's template was used."
            self.result_box.show_run(text, Tone.OK)
        else:
            problem = f" — {shown(run.problems[0])}" if run.problems else "."
            more = f" (and {len(run.problems) - 1} more)" if len(run.problems) > 1 else ""
            self.result_box.show_run(f"✗ Trigger failed: {shown(run.error_code)}{problem}{more}", Tone.ERROR)
        self.result_box.show()

    def _pool_has_trigger(self) -> bool:
        info = self.view.pool.info
        return bool(info and info.custom_message_arn)


install_trigger_view = TriggerTools
"""Add the trigger view to the window (see the module docstring)."""
