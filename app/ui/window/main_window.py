"""The main window: sign-in, the request, its result and Verify side by side (the result under the
request when narrow), the bottom tabs below; layout, geometry and theme restored from `window.ini`.

The window is built in two steps so that it appears at once: the frame (geometry, theme, menu titles,
status bar) needs nothing beyond Qt, and `build()` imports and creates the panels. `run_window` shows
the frame, lets it paint, then builds (`MainWindow(deferred=True)`); everyone else gets a built
window from the constructor; so the panels and the core are imported inside `build()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QShowEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QWidget

from app import APP_NAME
from app.core.paths import AppPaths, app_paths
from app.ui.settings import LAST_PROFILE, THEME, confine_qt_settings, window_settings
from app.ui.widgets.style import Theme, Tone, apply_theme, stylesheet
from app.ui.window.menus import MENU_TITLES
from app.ui.window.state import DEFAULT_SIZE, restore_geometry, saved_theme

if TYPE_CHECKING:  # imported in build(), after the frame has painted
    from app.core.errors import ErrorContext
    from app.core.history import HistoryRecord, HistoryStore
    from app.core.profile_model import Profile
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretStore
    from app.ui.request.context import RequestContext


class MainWindow(QMainWindow):
    """The VerifyDesk window. Collaborators can be injected (tests); by default they come from
    `app_paths()`: profiles file, history database, the detected secret store.

    The state lives in `workbench` (app.ui.workbench); panels beside the request use
    `request_context()`, `request_context_changed`, `send_started`, `send_finished` and the
    `WindowHost` methods (`add_bottom_tab`, `add_result_section`, `add_send_notice`,
    `report_failure`). `deferred=True` (the app's start) creates only the frame; `build()` adds
    the panels.
    """

    request_context_changed = Signal()
    send_started = Signal(object)  # RequestContext as the send leaves
    send_finished = Signal(object)  # RequestContext with `last_send` set (not for cancelled sends)

    def __init__(
        self,
        *,
        paths: AppPaths | None = None,
        profiles: ProfileStore | None = None,
        secrets: SecretStore | None = None,
        history: HistoryStore | None = None,
        sandbox_factory: Callable[[], Any] | None = None,
        deferred: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        self.paths = paths or app_paths()
        self.path_problems = self.paths.unwritable()  # shown once built; the window runs regardless
        confine_qt_settings(self.paths.config_dir)
        self.settings = window_settings()
        self.built = False
        self._parts = (profiles, secrets, history, sandbox_factory)
        self._columns_placed = False
        self._docks_restored = False
        self._saved_columns: QByteArray | None = None
        self._closing = False
        self._build_frame()
        if not deferred:
            self.build()

    def _build_frame(self) -> None:
        """What the first paint shows: the restored size and theme, the menu bar's titles, the
        status bar. Qt only; the panels come in `build()`."""
        restore_geometry(self, self.settings)
        self.theme = saved_theme(self.settings)
        if self.theme is not Theme.SYSTEM:
            self.set_theme(self.theme, save=False)
        else:
            self._restyle()
        bar = self.menuBar()
        self._menus = {title: bar.addMenu(title) for title in MENU_TITLES}
        self.view_menu = self._menus["&View"]
        central = QWidget()
        central.setObjectName("central")
        self.setCentralWidget(central)
        from app.ui.widgets.status_line import StatusLine

        self.status_label = StatusLine("Loading…")
        self.status_label.setObjectName("statusLabel")
        self.session_status = QLabel("Signed out")
        self.session_status.setObjectName("sessionStatusLabel")
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.session_status)

    def build(self) -> None:
        """Import and create the panels, menus and docks, connect them and restore the layout."""
        if self.built:
            return
        from app.runtime.heap import long_lived

        with long_lived():  # modules and widgets for the window's life: out of the GC's passes
            self._build()
        if self.isVisible():  # shown as a frame: show and lay out the panels, place columns and focus
            central = self.centralWidget()
            if central is not None:
                central.show()  # Qt would show it a moment later, after the columns' sizes were set
            layout = self.layout()
            if layout is not None:
                layout.activate()
            self._place_columns()

    def _build(self) -> None:
        from app.ui.signin.password_memory import PasswordMemory
        from app.ui.trigger.view import install_trigger_view
        from app.ui.window.parts import WindowParts
        from app.ui.workbench import Workbench

        profiles, secrets, history, sandbox_factory = self._parts
        self.workbench = bench = Workbench(
            self.paths, profiles=profiles, secrets=secrets, history=history, on_error=self.report_failure,
            path_problems=self.path_problems, parent=self)
        self.tasks, self.session, self.profiles = bench.tasks, bench.session, bench.profiles
        self.secrets, self.history_store, self.history = bench.secrets, bench.history_store, bench.history
        parts = self.parts = WindowParts(self, bench, sandbox_factory, self)
        self.banner, self.connection_panel, self.sign_in = parts.banner, parts.connection_panel, parts.sign_in
        self.request_panel, self.result_view, self.inbox = parts.request_panel, parts.result, parts.inbox
        self.controller, self.history_view, self.docks = parts.controller, parts.history_view, parts.docks
        self.sandbox_mode, self.history_dock = parts.sandbox, parts.history_dock
        self.columns_area = parts.columns_area
        self.request_hub = hub = parts.request_hub
        hub.changed.connect(self.request_context_changed)
        hub.send_started.connect(self.send_started)
        hub.send_finished.connect(self.send_finished)
        self._build_menus()
        self._restore_state()
        self.trigger_tools = install_trigger_view(  # Lambda trigger debugging
            self, bench, hub=hub, controller=parts.controller, result_view=parts.result, inbox=parts.inbox,
            sandbox_mode=parts.sandbox_mode, settings=self.settings, updates=parts.updates)
        self.password_memory = PasswordMemory(bench, self.sign_in, self.connection_panel)
        parts.show_startup_notices()
        self.status_label.setText("")
        self.connection_panel.reload(select=LAST_PROFILE.read(self.settings) or None)
        if self.connection_panel.current_name() is None:
            self.status_label.setText(
                "Create a profile (File → New profile) or start the sandbox (Sandbox menu).")
        self.built = True

    def _build_menus(self) -> None:
        from app.ui.window.menus import install, theme_menu

        self.menu_actions = install(self, self._menus, self.parts.menu_rows())
        actions = self.menu_actions
        self.inbox_action, self.cancel_action = actions["inboxAction"], actions["cancelAction"]
        self.cancel_action.setEnabled(False)
        self.controller.busy_changed.connect(self.cancel_action.setEnabled)
        self.theme_group, self.theme_actions = theme_menu(self, self.view_menu, self.set_theme)
        for name in ("historyAction", "resetLayoutAction"):  # after the Theme submenu
            self.view_menu.addAction(self.menu_actions[name])

    @property
    def profile(self) -> Profile | None:
        return self.workbench.profile if self.built else None

    # --- WindowHost ------------------------------------------------------------------------------
    def request_context(self) -> RequestContext:
        """A snapshot of the connection, the signed-in user and the request built or last sent."""
        return self.request_hub.context()

    def add_bottom_tab(self, widget: QWidget, title: str, name: str) -> QDockWidget:
        """Add a panel as a tab beside History at the bottom; `name` is its dock's objectName
        (stable, so the layout is restored). Returns the dock; `raise_()` it to bring it forward."""
        return self.docks.add_tab(widget, title, name, self.view_menu)

    def add_result_section(self, widget: QWidget, stretch: int = 0) -> None:
        """Add a section to the result column, below Verify."""
        self.parts.right_layout.addWidget(widget, stretch)

    def add_send_notice(self, widget: QWidget) -> None:
        """Add a notice to the request column, just above Send."""
        self.request_panel.insert_above_send(widget)

    def report_failure(
        self, error: BaseException, doing: str | None = None, context: ErrorContext | None = None
    ) -> None:
        """A background task failed: shown in the banner (the traceback is already in the log)."""
        from app.ui.widgets.status import describe_failure

        if self._closing or not self.built:
            return
        self.banner.show_message(describe_failure(error, doing, context), Tone.ERROR)

    # --- actions ---------------------------------------------------------------------------------
    def rerun(self, record: HistoryRecord) -> None:
        """Load an attempt's attribute and metadata back, ready to send again."""
        self.parts.rerun(record)

    def start_sandbox(self) -> None:
        self.sandbox_mode.start()

    def show_about(self) -> None:
        from app.ui.window.about import show_about

        show_about(self)

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.log_dir)))
        self.status_label.setText(f"Log file: {self.paths.log_file}")

    # --- layout and state ------------------------------------------------------------------------
    def _restore_state(self) -> None:
        """The docks and columns as they were left (the geometry and theme came with the frame)."""
        from app.ui.window.state import restore_docks, saved_columns

        self._docks_restored = restore_docks(self, self.settings)
        self.docks.name_tab_bars()
        # Applied once the window has its restored size (see showEvent): applied now, the columns
        # would be squeezed into the unsized window and come back a few pixels off.
        self._saved_columns = saved_columns(self.settings)
        self.theme_actions[self.theme].setChecked(True)

    def save_state(self) -> None:
        from app.ui.window.state import save_state

        columns = None if self.columns_area.narrow else self.columns_area.splitter.saveState()
        save_state(self, self.settings, columns, self.connection_panel.current_name() or "")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.built:
            self._place_columns()

    def _place_columns(self) -> None:
        """Once, when the built window is first shown: saved column widths (or the defaults) and
        the initial focus."""
        if self._columns_placed:
            return
        self._columns_placed = True
        self.parts.initial_focus()
        saved, self._saved_columns = self._saved_columns, None
        if saved is None or self.columns_area.narrow or not self.columns_area.splitter.restoreState(saved):
            QTimer.singleShot(0, self.columns_area.fit)
        if not self._docks_restored:
            QTimer.singleShot(0, self.docks.fit)

    def reset_layout(self) -> None:
        self.resize(*DEFAULT_SIZE)
        QTimer.singleShot(0, self.columns_area.fit)
        QTimer.singleShot(0, self.docks.fit)
        self.docks.reset()

    def set_theme(self, theme: Theme, *, save: bool = True) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.theme = theme
        if self.built:
            self.theme_actions[theme].setChecked(True)
        if save:
            THEME.write(self.settings, theme.value)

    def _restyle(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setStyleSheet(stylesheet(app.palette()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        actions = getattr(self, "theme_actions", None)  # changeEvent fires during construction
        system = actions is not None and actions[Theme.SYSTEM].isChecked()
        if event.type() == QEvent.Type.ApplicationPaletteChange and system:
            # The platform switched between dark and light: tone colours follow.
            QTimer.singleShot(0, self._restyle)
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self._closing = True
        if not self.built:  # closed while the frame was painting: nothing to save or stop
            super().closeEvent(event)
            return
        self.request_hub.quiet = self.parts.closing = True  # the sign-out below is no change to follow
        self.trigger_tools.shut_down()
        self.parts.preflight.shut_down()  # a run in progress stops
        self.save_state()
        self.session.sign_out()
        self.sandbox_mode.stop()
        self.inbox.set_control(None)
        if self.tasks.running == 0:
            self.history_store.close()  # else a late result still needs it; the process exit closes it
        for timer in self.findChildren(QTimer):  # countdowns, polls, debounced previews: nothing is
            timer.stop()  # left to fire into a closed window (or after the event loop has gone)
        from app.runtime.heap import thaw

        thaw()  # what the window froze out of the GC's passes is collectable again
        super().closeEvent(event)

