"""Lambda trigger debugging beside the request: what the Custom Message trigger receives, how the
pool is configured, what the trigger logged, and (sandbox) local trigger runs.

`install_trigger_view(window)` adds the Trigger tab at the bottom, a Trigger box in the result pane
(log lines of the last send, the local run's outcome), the "no trigger" warning above Send, and
connects the window's request context and send signals. The window keeps working without it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QDockWidget,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ServiceError
from app.core.pool_admin import PoolTriggerInfo
from app.core.profiles import Profile, ProfileError
from app.core.trigger_insight import (
    EventInputs,
    describe_run,
    find_run,
    medium_for,
    preview_event,
    trigger_function_for,
)
from app.core.trigger_logs import FollowSettings
from app.core.validation import metadata_from_rows
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.request_context import RequestContext
from app.ui.style import Tone, selectable, set_tone
from app.ui.trigger_follow import DEFAULT_WINDOW_S, FollowRequest, LogFollowController
from app.ui.trigger_local import LocalTriggerPanel
from app.ui.trigger_log_view import TriggerLogPane
from app.ui.trigger_pool import PoolTriggerPanel
from app.ui.trigger_preview import EventPreviewPanel

if TYPE_CHECKING:
    from app.sandbox.control import SandboxControl
    from app.ui.main_window import MainWindow

_log = logging.getLogger(__name__)
WINDOW_KEY = "trigger/followWindowS"
FOLLOW_KEY = "trigger/followAfterSend"
NO_TRIGGER_WARNING = ("⚠ This pool has no Custom Message trigger: the ClientMetadata you send is not "
                      "used by anything (Trigger tab → Pool configuration).")
PREVIEW_DELAY_MS = 60
SANDBOX_CLOCK_SLACK_S = 0.5  # the sandbox runs on this computer's clock: earlier sends stay out


class TriggerView(QWidget):
    """The Trigger tab: event preview, pool configuration, log lines, local trigger runs."""

    def __init__(self, tasks: TaskKeeper, follow: LogFollowController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("triggerView")
        self.setAccessibleName("Lambda trigger debugging")
        self.preview = EventPreviewPanel()
        self.pool = PoolTriggerPanel(tasks)
        self.local = LocalTriggerPanel(tasks)
        self.log_pane = TriggerLogPane(follow.model, "triggerLogPane")
        self.window_spin = QSpinBox()
        self.window_spin.setObjectName("followWindowSpin")
        self.window_spin.setAccessibleName("Follow the trigger's log for this many seconds after a send")
        self.window_spin.setRange(5, 900)
        self.window_spin.setSuffix(" s")
        self.window_spin.setValue(DEFAULT_WINDOW_S)
        self.follow_check = QCheckBox("Follow the trigger's log after each send, for")
        self.follow_check.setObjectName("followLogsCheck")
        self.follow_check.setChecked(True)
        self.function_label = QLabel()
        self.function_label.setObjectName("followFunctionLabel")
        self.function_label.setWordWrap(True)
        self.function_label.setMinimumWidth(60)
        selectable(self.function_label)
        set_tone(self.function_label, Tone.MUTED)
        log_tab = QWidget()
        settings_row = QHBoxLayout()
        settings_row.addWidget(self.follow_check)
        settings_row.addWidget(self.window_spin)
        settings_row.addWidget(self.function_label, 1)
        log_layout = QVBoxLayout(log_tab)
        log_layout.addLayout(settings_row)
        log_layout.addWidget(self.log_pane, 1)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("triggerTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.preview, "Event preview")
        self.tabs.addTab(self.pool, "Pool configuration")
        self.tabs.addTab(log_tab, "Log lines")
        self.tabs.addTab(self.local, "Local trigger (sandbox)")
        self.log_tab = log_tab
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)


class TriggerResultBox(QGroupBox):
    """In the result pane, under Verify: the last send's local trigger run in one line, where
    following the log stands, and the log lines (compact: the Trigger tab has the full view)."""

    def __init__(self, follow: LogFollowController, parent: QWidget | None = None) -> None:
        super().__init__("Trigger log", parent)
        self.setObjectName("triggerResultBox")
        self.run_label = QLabel()
        self.run_label.setObjectName("triggerRunResultLabel")
        self.run_label.setWordWrap(True)
        self.run_label.setMinimumWidth(60)
        selectable(self.run_label)
        self.run_label.hide()
        self.open_button = QPushButton("Trigger view")
        self.open_button.setObjectName("showTriggerViewButton")
        self.open_button.setAccessibleName("Show the trigger view")
        self.log_pane = TriggerLogPane(follow.model, "resultTriggerLog", compact=True)
        self.log_pane.view.setMinimumHeight(64)
        follow.function_changed.connect(lambda name: self.setTitle(f"Trigger log — {name}"))
        head = QHBoxLayout()
        head.addWidget(self.run_label, 1)
        head.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.log_pane, 1)

    def show_run(self, text: str, tone: Tone) -> None:
        self.run_label.setText(text)
        set_tone(self.run_label, tone)
        self.run_label.setVisible(bool(text))


def _insert_before(layout: QLayout | None, anchor: QWidget, widget: QWidget, stretch: int = 0) -> bool:
    if not isinstance(layout, QBoxLayout):
        return False
    index = layout.indexOf(anchor)
    if index < 0:
        return False
    layout.insertWidget(index, widget, stretch)
    return True


def _insert_after(layout: QLayout | None, anchor: QWidget, widget: QWidget, stretch: int = 0) -> bool:
    if not isinstance(layout, QBoxLayout):
        return False
    index = layout.indexOf(anchor)
    if index < 0:
        return False
    layout.insertWidget(index + 1, widget, stretch)
    return True


def _skips_trigger(error: ServiceError | None) -> bool:
    """A 4xx that Cognito answers before it calls the trigger (not a Lambda or delivery error)."""
    if error is None:
        return False
    status = error.http_status or 0
    delivery = error.code == "CodeDeliveryFailureException"
    return 400 <= status < 500 and not error.entry.trigger_related and not delivery


class TriggerTools(QObject):
    """Wires the trigger view into the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.tasks = TaskKeeper(on_error=window.report_failure)
        self.follow = LogFollowController(self.tasks, window.history, self)
        self.view = TriggerView(self.tasks, self.follow)
        self.dock: QDockWidget = window.add_bottom_tab(self.view, "Trigger", "triggerDock")
        self.result_box = TriggerResultBox(self.follow)
        self.result_box.hide()
        # Below Verify, so the code field stays in view; the log takes the rest of the column.
        right = window.result_view.parentWidget()
        if not _insert_after(right.layout() if right else None, window.verify_box, self.result_box, 1):
            _log.warning("The result pane has no verify box to put the trigger box under")
        self.warning = QLabel(NO_TRIGGER_WARNING)
        self.warning.setObjectName("triggerWarningLabel")
        self.warning.setAccessibleName("Warning: the pool has no Custom Message trigger")
        self.warning.setWordWrap(True)
        set_tone(self.warning, Tone.WARNING)
        self.warning.hide()
        panel = window.request_panel
        _insert_before(panel.layout(), panel.send_bar, self.warning)
        self._profile_key: tuple[str, bool, str | None, str | None] | None = None
        self._profile_seen = False
        self._sent_inputs: EventInputs | None = None
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh)
        self._restore_settings()
        self._connect()
        window.installEventFilter(self)
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shut_down()
        return False

    def shut_down(self) -> None:
        """The window is closing: stop following and drop background work that would touch it."""
        self.follow.stop("the window closed")
        self.tasks.cancel_all()

    # --- wiring ------------------------------------------------------------------------------
    def _connect(self) -> None:
        window, view = self.window, self.view
        window.request_context_changed.connect(self._preview_timer.start)
        window.send_started.connect(self._send_started)
        window.send_finished.connect(self._send_finished)
        window.controller.busy_changed.connect(self._busy_changed)
        window.result_view.trigger_view_requested.connect(self.open_view)
        window.sandbox_mode.started.connect(lambda _profile, control, _info: self._sandbox(control))
        window.sandbox_mode.attached.connect(lambda control, _info: self._sandbox(control))
        self.follow.status_changed.connect(self._follow_status)
        self.follow.lines_added.connect(lambda _count: self.result_box.show())
        for pane in (view.log_pane, self.result_box.log_pane):
            pane.stop_requested.connect(lambda: self.follow.stop("you pressed Stop"))
        self.result_box.open_button.clicked.connect(self.open_view)
        view.pool.info_changed.connect(self._pool_info)
        view.pool.aws_profile_chosen.connect(self._remember_aws_profile)
        view.local.trigger_changed.connect(lambda _spec, _function: view.pool.load())
        view.window_spin.valueChanged.connect(lambda value: window.settings.setValue(WINDOW_KEY, value))
        view.follow_check.toggled.connect(lambda on: window.settings.setValue(FOLLOW_KEY, on))
        self.dock.visibilityChanged.connect(self._dock_visible)

    def _restore_settings(self) -> None:
        settings = self.window.settings
        value = settings.value(WINDOW_KEY, DEFAULT_WINDOW_S)
        try:
            self.view.window_spin.setValue(int(str(value)))
        except ValueError:
            self.view.window_spin.setValue(DEFAULT_WINDOW_S)
        follow = settings.value(FOLLOW_KEY, True)
        self.view.follow_check.setChecked(follow not in (False, "false", "0"))

    def _dock_visible(self, visible: bool) -> None:
        if visible and self.view.pool.listing is None and not self._is_sandbox():
            self.view.pool.reload_aws_profiles()

    def open_view(self) -> None:
        """Bring the Trigger tab forward: the local run when the sandbox has a trigger, else the log."""
        self.dock.show()
        self.dock.raise_()
        view = self.view
        has_run = bool(view.local.sent_view.toPlainText())
        view.tabs.setCurrentWidget(view.local if has_run else view.log_tab)

    # --- the current request ---------------------------------------------------------------------
    def _context(self) -> RequestContext:
        return self.window.request_context()

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
        session = self.window.session
        token = session.token_info
        user = session.user
        return EventInputs(
            region=context.region,
            user_pool_id=context.user_pool_id or (token.user_pool_id if token else None),
            client_id=(token.client_id if token and token.client_id else None) or context.client_id,
            username=user.username if user and context.signed_in else None,
            user_attributes=context.user_attributes,
            client_metadata=metadata,
        )

    def refresh(self) -> None:
        """Rebuild the preview and the warning; notice a profile change."""
        context = self._context()
        self._profile_changed(context)
        metadata = context.client_metadata
        grid_problem = metadata is None
        if metadata is None:
            metadata = metadata_from_rows(self.window.request_panel.metadata.rows())
        self.view.preview.show_inputs(
            self._inputs(context, metadata), attribute_name=context.attribute_name, grid_problem=grid_problem)
        self._update_warning(metadata)
        self._update_function_label()

    def _update_warning(self, metadata: dict[str, str] | None = None) -> None:
        if metadata is None:
            context = self._context()
            metadata = context.client_metadata
            if metadata is None:
                metadata = metadata_from_rows(self.window.request_panel.metadata.rows())
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
        control = self.window.inbox.control
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
        window = self.window
        profile = window.profile
        if profile is None or profile.sandbox or (profile.aws_profile or "") == name:
            return
        try:
            window.profile = window.profiles.save(replace(profile, aws_profile=name or None))
        except (ProfileError, OSError) as error:
            self.view.pool.status.setText(f"Could not remember the AWS profile: {error}")
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
        label.setText(f"/aws/lambda/{function} ({origin})" if function else origin)

    # --- sends ------------------------------------------------------------------------------------
    def _send_started(self, context: RequestContext) -> None:
        self.follow.stop("a new request was sent")
        # The inputs as they were when the send left; the event is built only if a run is shown.
        self._sent_inputs = self._inputs(context, context.last_send_metadata or {})
        self.result_box.show_run("", Tone.MUTED)
        self.view.local.clear_run("Waiting for the result of the send…")

    def _busy_changed(self, busy: bool) -> None:
        attempt = self.window.controller.last_attempt
        if not busy and attempt is not None and attempt.cancelled:
            self.view.local.clear_run("You cancelled the send: no trigger run to show for it (history "
                                      "records it if its result still arrives).")

    def _send_finished(self, context: RequestContext) -> None:
        recorded = context.last_send
        if recorded is None or context.last_send_started_at is None or context.last_send_cancelled:
            return
        self._follow_after(context)
        control = self.view.local.control
        if control is not None:
            self.tasks.spawn(self._show_local_run(context, control), name="trigger-run")

    def _follow_after(self, context: RequestContext) -> None:
        recorded = context.last_send
        assert recorded is not None
        assert context.last_send_started_at is not None
        if not self.view.follow_check.isChecked():
            self.follow.show_idle("Following the trigger's log after a send is off (Trigger → Log lines).")
            return
        if _skips_trigger(recorded.error):
            error = recorded.error
            assert error is not None
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
            started_at=context.last_send_started_at,
            metadata=dict(context.last_send_metadata or {}),
            access=access,
            history_id=recorded.history_id,
            window_s=float(self.view.window_spin.value()),
            clock_slack_s=slack,
        ))

    def _follow_status(self, text: str, tone: str, following: bool) -> None:
        for pane in (self.view.log_pane, self.result_box.log_pane):
            pane.set_status(text, Tone(tone), following=following)

    async def _show_local_run(self, context: RequestContext, control: SandboxControl) -> None:
        attribute = context.last_send_attribute or ""
        started = context.last_send_started_at
        user = self.window.session.user
        username = user.username if user else context.username
        assert started is not None
        entries = await run_blocking(control.trigger_events)
        entry = find_run(entries, username=username, attribute=attribute, since=started)
        local = self.view.local
        if entry is None:
            text = ("The sandbox has no trigger: it used the pool's own message template."
                    if local.active_function is None and not self._pool_has_trigger()
                    else "The trigger was not called for this request (the send failed before it).")
            local.clear_run(text)
            self.result_box.show_run("", Tone.MUTED)
            return
        inbox = await run_blocking(control.inbox, username)
        code = next((str(m.get("code")) for m in reversed(inbox) if m.get("attribute") == attribute
                     and m.get("code")), None)
        run = describe_run(entry, medium_for(attribute), code)
        local.show_run(run, self._sent_preview())
        if run.ok:
            text = f"✓ Trigger {run.function_name or ''} answered: {run.medium} message rendered."
            if run.rendered is None:
                text = f"✓ Trigger {run.function_name or ''} answered; the pool's template was used."
            self.result_box.show_run(text, Tone.OK)
        else:
            problem = f" — {run.problems[0]}" if run.problems else "."
            more = f" (and {len(run.problems) - 1} more)" if len(run.problems) > 1 else ""
            self.result_box.show_run(f"✗ Trigger failed: {run.error_code}{problem}{more}", Tone.ERROR)
        self.result_box.show()

    def _pool_has_trigger(self) -> bool:
        info = self.view.pool.info
        return bool(info and info.custom_message_arn)


def install_trigger_view(window: MainWindow) -> TriggerTools:
    """Add the trigger view to a main window (see the module docstring)."""
    return TriggerTools(window)
