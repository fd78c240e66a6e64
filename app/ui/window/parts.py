"""The window's panels, built from the workbench and connected to each other: the sign-in column,
the request column, the result column, History and the inbox at the bottom, and the glue between
them (a chosen profile fills the sign-in form, a sign-in loads the user's attributes, …)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QMenu, QVBoxLayout, QWidget

from app import APP_NAME
from app.core.calls import UserProfile
from app.core.errors import ErrorContext, ServiceError
from app.core.history import HistoryRecord
from app.core.profile_model import Profile
from app.core.validation import CLIENT_METADATA_FIELD
from app.core.visible import shown
from app.ui.history.view import HistoryView
from app.ui.preflight.tools import PreflightTools
from app.ui.request.code_fetch import install_code_fetch
from app.ui.request.hub import RequestHub
from app.ui.request.panel import RequestPanel
from app.ui.request.result_view import ResultView, VerifyBox
from app.ui.request.send_flow import RequestController
from app.ui.request.update_box import UpdateBox
from app.ui.request.update_flow import UpdateController
from app.ui.runs.tab import install_runs_tab
from app.ui.sandbox.actions import SandboxActions
from app.ui.sandbox.inbox_use import use_inbox_message
from app.ui.sandbox.inbox_view import InboxDock
from app.ui.sandbox.mode import SandboxMode
from app.ui.sandbox.sign_in_hint import SandboxSignInHint
from app.ui.settings import LAST_PROFILE
from app.ui.signin.connection_panel import ConnectionPanel
from app.ui.signin.sign_in_panel import SignInPanel
from app.ui.widgets.scrolling import reveal
from app.ui.widgets.status import Banner
from app.ui.widgets.status_line import StatusLine
from app.ui.widgets.style import Tone
from app.ui.window.columns import ColumnsArea, ColumnScroll, PinnedColumn
from app.ui.window.docks import BottomDocks, bring_forward
from app.ui.window.menus import ActionRow
from app.ui.window.sandbox_users import prefill_first_user, sign_in_as
from app.ui.window.switching import SwitchCleaner
from app.ui.workbench import ProfileSaveError, Workbench


class Frame(Protocol):
    """What the panels use of the window's frame: its status bar, settings and window actions."""

    status_label: StatusLine
    session_status: QLabel
    settings: QSettings
    view_menu: QMenu

    def report_failure(
        self, error: BaseException, doing: str | None = None, context: ErrorContext | None = None
    ) -> None: ...

    def close(self) -> bool: ...

    def open_log_folder(self) -> None: ...

    def show_about(self) -> None: ...

    def reset_layout(self) -> None: ...


def _column(name: str, *widgets: QWidget) -> tuple[QWidget, QVBoxLayout]:
    column = QWidget()
    column.setObjectName(name)
    layout = QVBoxLayout(column)
    for widget in widgets:
        layout.addWidget(widget)
    return column, layout


class WindowParts:
    """Every panel of the window and how they answer each other."""

    def __init__(self, window: QMainWindow, bench: Workbench, sandbox_factory: Callable[[], Any] | None,
                 frame: Frame) -> None:
        self.bench, self.session, self.tasks = bench, bench.session, bench.tasks
        self.frame = frame
        status, session_status, settings = frame.status_label, frame.session_status, frame.settings
        self.status, self.session_status, self.settings = status, session_status, settings
        self.closing = False
        self.banner = Banner()
        self.connection_panel = ConnectionPanel(bench.profiles, bench.secrets)
        self.sign_in = SignInPanel(self.session, self.tasks)
        self.request_panel = RequestPanel()
        self.result, self.verify = ResultView(), VerifyBox()
        self.history_view = HistoryView(bench.history_store)
        self.controller = RequestController(
            self.session, bench.history, self.tasks, panel=self.request_panel, result=self.result,
            verify=self.verify, parent=window)
        self.update_box = UpdateBox()
        self.request_panel.add_below_attribute(self.update_box)
        self.updates = UpdateController(
            self.session, bench.history, self.tasks, box=self.update_box, panel=self.request_panel,
            result=self.result, sends=self.controller, profile=lambda: bench.profile, parent=window)
        self.request_hub = RequestHub(
            self.session, self.request_panel, self.controller, lambda: bench.profile, parent=window,
            update_box=self.update_box)
        left, left_layout = _column("leftColumn", self.connection_panel, self.sign_in)
        left_layout.addStretch(1)
        right, self.right_layout = _column("rightColumn")
        self.right_layout.addWidget(self.result, 1)
        self.right_layout.addWidget(self.verify)
        # The request column scrolls too: its messages (grid problems, send problems) may make it
        # taller than the window has room for, and must never raise the window's minimum height;
        # Send stays pinned below the part that scrolls.
        request = PinnedColumn(ColumnScroll(self.request_panel, "requestScroll"), self.request_panel.send_bar)
        self.columns = (ColumnScroll(left, "leftScroll"), request, ColumnScroll(right, "rightScroll"))
        self.columns_area = ColumnsArea(self.columns)
        self.top_splitter = self.columns_area.splitter
        central = QWidget()
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.columns_area, 1)
        window.setCentralWidget(central)
        self.inbox = InboxDock(self.tasks, window)
        self.docks = BottomDocks(window, self.history_view, self.inbox)
        self.history_dock = self.docks.history_dock
        self.sandbox = self.sandbox_mode = SandboxMode(bench.profiles, self.tasks, sandbox_factory, window)
        self.preflight = PreflightTools(self, bench, hub=self.request_hub)  # delivery preflight
        self.runs, self.runs_dock = install_runs_tab(  # suites: run them, save requests as cases
            bench, self.request_hub, self.history_view, settings, show_history=self.show_history,
            add_tab=lambda widget, title, name: self.docks.add_tab(widget, title, name, frame.view_menu))
        self.sandbox_actions = SandboxActions(
            window=window, tasks=self.tasks, session=self.session, form=self.sign_in.challenge_form,
            status=status, control=lambda: self.inbox.control, use=self._use_inbox_message)
        self.sandbox_hint = SandboxSignInHint(bench, self.sign_in)
        self.switch_cleaner = SwitchCleaner(
            self.session, sign_in=self.sign_in, result=self.result, verify=self.verify,
            metadata=self.request_panel.metadata, inbox=self.inbox, status=status, parent=window)
        bench.profile_changed.connect(self.switch_cleaner.profile_changed)
        self._set_tab_order()
        self.code_fetch = install_code_fetch(  # codes from mailboxes; none in time: the preflight says why
            bench, self.controller, self.verify, explain_no_code=self.preflight.explain_no_code)
        self._connect()

    def _set_tab_order(self) -> None:
        sign_in, panel, connection = self.sign_in, self.request_panel, self.connection_panel
        chain: list[QWidget] = [
            connection.combo, connection.new_button, connection.edit_button, connection.delete_button,
            sign_in.username_edit, sign_in.password_edit, sign_in.flow_combo, sign_in.sign_in_button,
            sign_in.token_edit, sign_in.use_token_button, sign_in.refresh_button, sign_in.sign_out_button,
            panel.picker.combo, self.update_box.open_button, self.update_box.value_edit,
            self.update_box.change_button, self.update_box.cancel_button, self.update_box.anyway_button,
            panel.metadata, panel.send_bar.send_button, panel.send_bar.cancel_button,
            panel.send_bar.send_anyway_button, self.verify.code_edit, self.verify.verify_button,
            self.history_view,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def menu_rows(self) -> list[ActionRow]:
        """The menu bar, menu by menu (View's Theme submenu is added by the window)."""
        inbox_action = self.docks.toggle_action(self.inbox)
        inbox_action.setObjectName("inboxAction")
        inbox_action.setText("Show &inbox")
        inbox_action.setShortcut("Ctrl+I")
        connection, sign_in, controller = self.connection_panel, self.sign_in, self.controller
        frame = self.frame
        standard = QKeySequence.StandardKey
        focus = Qt.FocusReason.ShortcutFocusReason
        return [
            ActionRow("&File", "&New profile…", "newProfileAction", connection.new_profile,
                      [standard.New]),
            ActionRow("&File", "&Edit profile…", "editProfileAction", connection.edit_profile),
            ActionRow("&File", "&Delete profile…", "deleteProfileAction", connection.delete_profile),
            ActionRow("&File"),
            ActionRow("&File", "&Quit", "quitAction", frame.close, [standard.Quit],
                      QAction.MenuRole.QuitRole),
            ActionRow("&Session", "Sign &in…", "signInAction", self.focus_sign_in, ["Ctrl+Shift+I"]),
            ActionRow("&Session", "&Refresh tokens", "refreshAction", sign_in.start_refresh, ["Ctrl+R"]),
            ActionRow("&Session", "Sign &out", "signOutAction", sign_in.sign_out),
            ActionRow("Re&quest", "&Send code", "sendAction", lambda: controller.send(False),
                      ["Ctrl+Return", "Ctrl+Enter"]),
            ActionRow("Re&quest", "Send &anyway (skip checks)", "sendAnywayAction",
                      lambda: controller.send(True),
                      ["Ctrl+Shift+Return", "Ctrl+Shift+Enter"]),
            ActionRow("Re&quest", "&Cancel request", "cancelAction", controller.cancel, ["Esc"]),
            ActionRow("Re&quest", "&Preflight: will the code arrive?…", "preflightAction",
                      self.preflight.open, ["Ctrl+Shift+P"]),
            ActionRow("Re&quest"),
            ActionRow("Re&quest", "Go to a&ttribute", "focusAttributeAction",
                      lambda: self.request_panel.picker.combo.setFocus(focus), ["Ctrl+L"]),
            ActionRow("Re&quest", "Go to Client&Metadata", "focusMetadataAction",
                      lambda: self.request_panel.metadata.table.setFocus(focus), ["Ctrl+M"]),
            ActionRow("Re&quest", "Go to &verification code", "focusCodeAction",
                      lambda: self.verify.code_edit.setFocus(focus), ["Ctrl+K"]),
            ActionRow("Re&quest", "Search &history", "focusHistoryAction", self.focus_history_filter,
                      [standard.Find]),
            ActionRow("Sand&box", "&Start sandbox pool", "startSandboxAction", self.sandbox_mode.start),
            ActionRow("Sand&box", action=inbox_action),
            *self.sandbox_actions.rows(),
            ActionRow("&Help", "Open &log folder", "openLogFolderAction", frame.open_log_folder),
            ActionRow("&Help", f"&About {APP_NAME}", "aboutAction", frame.show_about,
                      role=QAction.MenuRole.AboutRole),
            ActionRow("&View", "Show &history", "historyAction", self.show_history, ["Ctrl+H"]),
            ActionRow("&View", "&Reset layout", "resetLayoutAction", frame.reset_layout),
        ]

    def _connect(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        session, connection, sandbox = self.session, self.connection_panel, self.sandbox_mode
        connection.profile_chosen.connect(self.use_profile)
        connection.profile_deleted.connect(self._profile_deleted)
        session.signed_in.connect(self._signed_in)
        session.signed_out.connect(self._signed_out)
        session.user_loaded.connect(self._user_loaded)
        session.failed.connect(
            lambda error: self.frame.report_failure(error, "Refreshing the session", ErrorContext("refresh")))
        self.sign_in.signed_in_as.connect(self._remember_username)
        self.bench.history.row_written.connect(self.history_view.record_changed)
        self.history_view.rerun_requested.connect(self.rerun)
        self.controller.sent.connect(lambda _recorded: self.inbox.refresh())
        self.updates.changed.connect(lambda _recorded: self.inbox.refresh())
        self.inbox.use_message.connect(self._use_inbox_message)
        self.inbox.use_user.connect(
            lambda user, password: sign_in_as(self.session, self.sign_in, user, password))
        sandbox.starting.connect(lambda: self.status.setText("Starting the sandbox pool…"))
        sandbox.started.connect(self._sandbox_started)
        sandbox.attached.connect(lambda control, info: self.inbox.set_control(control, list(info.users)))
        sandbox.failed.connect(
            lambda message: self.banner.show_message(message, Tone.WARNING, topic="sandbox"))
        # Messages clear once their cause is gone: a sandbox that answers, a grid made valid, a send.
        sandbox.started.connect(lambda *_args: self.banner.clear("sandbox"))
        sandbox.attached.connect(lambda *_args: self.banner.clear("sandbox"))
        self.request_panel.metadata.validity_changed.connect(self._metadata_validity)
        self.controller.started.connect(lambda _attempt: self._clear_prompt())
        self.controller.refused.connect(self.status.show_prompt)
        self.controller.started.connect(lambda _attempt: self.request_panel.metadata.clear_status())

    # --- WindowHost, for the add-ons built with the parts ------------------------------------------
    def add_bottom_tab(self, widget: QWidget, title: str, name: str) -> QDockWidget:
        return self.docks.add_tab(widget, title, name, self.frame.view_menu)

    def add_result_section(self, widget: QWidget, stretch: int = 0) -> None:
        self.right_layout.addWidget(widget, stretch)

    def add_send_notice(self, widget: QWidget) -> None:
        self.request_panel.insert_above_send(widget)

    def report_failure(
        self, error: BaseException, doing: str | None = None, context: ErrorContext | None = None
    ) -> None:
        self.frame.report_failure(error, doing, context)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """A control in a column that took the focus (by Tab, a shortcut or the program: a challenge
        field, a field with an error) is scrolled into view."""
        if new is None or self.closing:
            return
        if any(column.content.isAncestorOf(new) for column in self.columns):
            reveal(new)

    def show_startup_notices(self) -> None:
        notices = self.bench.startup_notices()
        if notices:
            self.banner.show_message(" ".join(notices), Tone.WARNING)

    def initial_focus(self) -> None:
        """Where a keyboard user starts: the sign-in form, or New profile when there is none."""
        if self.connection_panel.current_name() is None:
            self.connection_panel.new_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif not self.sign_in.username_edit.text():
            self.sign_in.username_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.sign_in.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- profiles --------------------------------------------------------------------------------
    def use_profile(self, profile: Profile) -> None:
        self.tasks.spawn(self._use_profile(profile), name="use-profile")

    async def _use_profile(self, profile: Profile) -> None:
        secret_missing = await self.bench.open_profile(profile)
        if secret_missing is None:
            return  # another profile was chosen meanwhile
        if secret_missing:
            self.banner.show_message(
                f"The profile {profile.name!r} needs its client secret, which is not in "
                f"{self.bench.secrets.backend_name}: File → Edit profile to enter it again.", Tone.WARNING)
        if not self.session.is_signed_in:
            if profile.last_username and not self.sign_in.username_edit.text():
                self.sign_in.username_edit.setText(profile.last_username)
            self.sign_in.set_flow(profile.auth_flow)
        self.request_panel.metadata.set_presets(self.bench.profiles, profile.name)
        where = profile.endpoint_url or f"AWS {profile.region}"
        note = self.switch_cleaner.take_note()
        self.status.setText(f"Profile {profile.name}: {where}" + (f"; {note}" if note else ""))
        LAST_PROFILE.write(self.settings, profile.name)
        if profile.sandbox and profile.endpoint_url:
            control = self.inbox.control
            if control is None or control.endpoint_url != profile.endpoint_url:
                self.sandbox_mode.attach(profile.endpoint_url)

    def _profile_deleted(self, name: str) -> None:
        if self.bench.drop_profile(name):
            self.request_panel.metadata.set_presets(None, None)

    def _remember_username(self, username: str) -> None:
        profile = self.bench.profile
        if profile is None or profile.last_username == username:
            return
        with contextlib.suppress(ProfileSaveError):  # logged; the username is only a convenience
            self.bench.update_profile(profile.name, last_username=username)

    # --- session ---------------------------------------------------------------------------------
    def _signed_in(self) -> None:
        who = self.session.username or "pasted token"
        self.sign_in.sign_in_problem.hide()  # nor after any sign-in (a pasted token included)
        self.banner.clear("sandbox", "connection")
        self.session_status.setText(f"Signed in: {who}")
        self.inbox.refresh_users()  # a sign-in may have changed a test user (new password, TOTP)
        self.tasks.spawn(self._load_user(), name="get-user")
        self.request_panel.picker.combo.setFocus(Qt.FocusReason.OtherFocusReason)

    async def _load_user(self) -> None:
        try:
            await self.session.load_user()
        except ServiceError as error:
            self.request_panel.picker.info.setText(
                f"Could not load your attributes (GetUser): {shown(error.code)}: {shown(error.message)}")
            if not self.session.username:  # a pasted token GetUser refuses is no sign-in
                self.session_status.setText(f"Token refused by GetUser ({error.code})")

    def _signed_out(self) -> None:
        self.session_status.setText("Signed out")
        self.sign_in.sign_in_problem.hide()  # a refused sign-in says nothing after a sign-out
        self.request_panel.picker.set_user(None)

    def _user_loaded(self, user: UserProfile) -> None:
        self.request_panel.picker.set_user(user)
        if self.session.username:
            self.session_status.setText(f"Signed in: {self.session.username}")

    def focus_sign_in(self) -> None:
        """Session → Sign in: signs in when the form is filled, else goes to its first field."""
        if self.session.is_signed_in:
            self.sign_in.sign_out_button.setFocus()
        elif self.sign_in.username_edit.text().strip() and self.sign_in.password_edit.text():
            self.sign_in.start_sign_in()
        else:
            self.sign_in.username_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- history and the request -----------------------------------------------------------------
    def show_history(self) -> None:
        bring_forward(self.history_dock)

    def focus_history_filter(self) -> None:
        self.show_history()
        self.history_view.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def rerun(self, record: HistoryRecord) -> None:
        """Load an attempt's attribute and metadata back, ready to send again."""
        self.request_panel.picker.set_attribute_name(record.attribute_name)
        self.request_panel.metadata.set_metadata(dict(record.client_metadata))
        self.status.show_prompt(f"Loaded attempt #{record.id} ({record.attribute_name}); press Ctrl+Enter "
                                "to send it again.")
        self.request_panel.send_bar.send_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_prompt(self) -> None:
        """A send started: the prompt to send a loaded attempt has served (unless replaced)."""
        self.status.clear_prompt()

    def _metadata_validity(self, valid: bool) -> None:
        """The grid's problems were fixed: the send problems they caused (and Send anyway) go."""
        bar = self.request_panel.send_bar
        if valid and CLIENT_METADATA_FIELD in bar.problem_fields:
            bar.clear_problems()

    # --- sandbox ---------------------------------------------------------------------------------
    def _sandbox_started(self, profile: Profile, control: Any, info: Any) -> None:
        self.inbox.set_control(control, list(info.users))
        self.inbox.show()
        self.inbox.raise_()
        if self.connection_panel.current_name() != profile.name or self.bench.profile != profile:
            self.connection_panel.reload(select=profile.name)  # not again: it resets the presets
        self.status.setText(f"Sandbox pool running at {info.endpoint_url}")
        prefill_first_user(self.session, self.sign_in, list(info.users))

    def _use_inbox_message(self, message: dict[str, Any]) -> None:
        use_inbox_message(message, session=self.session, form=self.sign_in.challenge_form,
                          picker=self.request_panel.picker, verify=self.verify)

