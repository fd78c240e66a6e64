"""The main window: connection and sign-in on the left, the request in the middle, its result and
Verify on the right, history below; the sandbox inbox as a dock. Menus carry every action with its
shortcut. Layout, geometry and the theme are restored from `window.ini`.

The window is built in two steps so that it appears at once: the frame (geometry, theme, menu titles,
status bar) needs nothing beyond Qt, and `build()` imports and creates the panels. `run_window` shows
the frame, lets it paint, then builds (`MainWindow(deferred=True)`); everyone else gets a built
window from the constructor. This module therefore imports the panels and the core inside `build()`.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QDockWidget,
    QLabel,
    QLayout,
    QLineEdit,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.core.paths import AppPaths, app_paths
from app.ui.settings import confine_qt_settings, read_str, window_settings
from app.ui.style import Theme, Tone, apply_theme, stylesheet

if TYPE_CHECKING:  # imported in build(), after the frame has painted
    from app.core.calls import UserProfile
    from app.core.errors import ErrorContext
    from app.core.history import HistoryRecord, HistoryStore
    from app.core.profiles import Profile, ProfileStore
    from app.core.secrets import SecretStore
    from app.ui.request_context import RequestContext

_log = logging.getLogger(__name__)
DEFAULT_SIZE = (1280, 800)
COLUMN_WIDTHS = (330, 520, 430)  # sign-in, request, result
DOCK_HEIGHT = 235


class _FillHolder(QWidget):
    """Holds a column's content in a `ColumnScroll`. It asks for no more height than its content's
    minimum at the given width, so the column fills the viewport and scrolls only when the
    viewport is shorter than that minimum (word-wrapped labels would otherwise make the scroll
    area size it at its preferred height and scroll at once)."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setObjectName(f"{content.objectName() or 'column'}Holder")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(content)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return super().heightForWidth(width)
        first = layout.itemAt(0)
        content = first.widget() if first is not None else None
        enforced = _enforced_height(content.layout(), width) if content is not None else 0
        return max(layout.totalMinimumHeightForWidth(width), enforced)


def _enforced_height(layout: QLayout | None, width: int) -> int:
    """The height a vertical box layout squeezes its items below: when it lays out items that have
    a height-for-width (wrapped labels, boxes holding them), it takes that height as their minimum,
    which `totalMinimumHeightForWidth` does not count. Less room than this and parts overlap."""
    if not isinstance(layout, QBoxLayout) or layout.direction() not in (
        QBoxLayout.Direction.TopToBottom, QBoxLayout.Direction.BottomToTop
    ):
        return 0
    margins = layout.contentsMargins()
    inner = width - margins.left() - margins.right()
    heights = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None or item.isEmpty():
            continue
        if item.hasHeightForWidth():
            item_width = max(item.minimumSize().width(), min(inner, item.maximumSize().width()))
            heights.append(item.heightForWidth(item_width))
        else:
            heights.append(item.minimumSize().height())
    spacing = max(layout.spacing(), 0) * max(len(heights) - 1, 0)
    return sum(heights) + spacing + margins.top() + margins.bottom()


class ColumnScroll(QScrollArea):
    """A vertically scrolling column that is never narrower than its content (no clipped
    buttons): its minimum width follows the content's, e.g. when a challenge form appears.
    Its minimum height is small whatever the content holds (messages, challenge forms), so no
    column raises the window's minimum height. The content fills the viewport, and is as tall
    as its minimum at that width when that is more (then it scrolls): sized here rather than by
    `widgetResizable`, which misses a content whose minimum grew while its size did not change,
    and then squeezes it until its parts overlap."""

    def __init__(self, widget: QWidget, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content = widget
        holder = _FillHolder(widget)
        self.setWidget(holder)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the controls, not the frame
        widget.installEventFilter(self)
        holder.installEventFilter(self)  # the last of a change's layout requests reaches it

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        content = self.widget()
        width = content.minimumSizeHint().width() if content is not None else 0
        return QSize(width + self.verticalScrollBar().sizeHint().width(), 80)

    def fit_content(self) -> None:
        holder = self.widget()
        if holder is None:
            return
        viewport = self.viewport()
        width = max(viewport.width(), holder.minimumSizeHint().width())
        needed = holder.heightForWidth(width) if holder.hasHeightForWidth() else -1
        if needed < 0:
            needed = holder.minimumSizeHint().height()
        size = QSize(width, max(viewport.height(), needed))
        if holder.size() != size:
            holder.resize(size)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LayoutRequest and watched in (self.content, self.widget()):
            self.updateGeometry()
            self.fit_content()  # a message appeared or went: the content's minimum changed
        return super().eventFilter(watched, event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize:
            self.fit_content()
        return super().viewportEvent(event)


class MainWindow(QMainWindow):
    """The VerifyDesk window. Collaborators can be injected (tests); by default they come from
    `app_paths()`: profiles file, history database, the detected secret store.

    For panels beside the request (see `app.ui.request_context`): `request_context()`,
    `request_context_changed`, `send_started`, `send_finished` and `add_bottom_tab()`.

    `deferred=True` (the app's start) creates only the frame; `build()` adds the panels.
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
        self.paths = (paths or app_paths()).ensure()
        confine_qt_settings(self.paths.config_dir)
        self.settings = window_settings()
        self.profile: Profile | None = None
        self.built = False
        self._parts = (profiles, secrets, history, sandbox_factory)
        self._columns_placed = False
        self._docks_restored = False
        self._saved_columns: QByteArray | None = None
        self._extra_docks: list[QDockWidget] = []
        self._profile_generation = 0
        self._closing = False
        self._prompt = ""  # the status line asking to send a loaded attempt, while it holds
        self._build_frame()
        if not deferred:
            self.build()

    # --- building -------------------------------------------------------------------------------
    def _build_frame(self) -> None:
        """What the first paint shows: the restored size and theme, the menu bar's titles, the
        status bar. Qt only; the panels come in `build()`."""
        self._restore_geometry()
        self.theme = self._saved_theme()
        if self.theme is not Theme.SYSTEM:
            self.set_theme(self.theme, save=False)
        else:
            self._restyle()
        bar = self.menuBar()
        self._menus = {title: bar.addMenu(title) for title in (
            "&File", "&Session", "Re&quest", "Sand&box", "&View", "&Help")}
        central = QWidget()
        central.setObjectName("central")
        self.setCentralWidget(central)
        self.status_label = QLabel("Loading…")
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
        from app.core.history import HistoryStore
        from app.core.profiles import ProfileStore
        from app.core.secrets import default_secret_store
        from app.ui.async_tools import TaskKeeper
        from app.ui.password_memory import PasswordMemory
        from app.ui.sandbox_mode import SandboxMode
        from app.ui.send_flow import HistoryNotifier
        from app.ui.session import Session
        from app.ui.trigger_view import install_trigger_view

        profiles, secrets, history, sandbox_factory = self._parts
        self.tasks = TaskKeeper(on_error=self.report_failure)
        self.session = Session(self)
        self.profiles = profiles or ProfileStore(self.paths.profiles_file)
        self.secrets = secrets or default_secret_store()
        self.history_store = history or HistoryStore(self.paths.history_db)
        self.history = HistoryNotifier(self.history_store, self)

        self._build_widgets()
        self.sandbox_mode = SandboxMode(self.profiles, self.tasks, sandbox_factory, self)
        self._build_menus()
        self._connect()
        self._restore_state()
        self.trigger_tools = install_trigger_view(self)  # Lambda trigger debugging (issue 4)
        self.password_memory = PasswordMemory(self)  # opt-in remembered passwords (OS keyring)
        self._show_startup_notices()
        self.status_label.setText("")
        self.connection_panel.reload(select=read_str(self.settings, "lastProfile") or None)
        if self.connection_panel.current_name() is None:
            self.status_label.setText(
                "Create a profile (File → New profile) or start the sandbox (Sandbox menu).")
        self.built = True

    def _build_widgets(self) -> None:
        from app.ui.connection_panel import ConnectionPanel
        from app.ui.history_view import HistoryView
        from app.ui.request_panel import RequestPanel
        from app.ui.result_view import ResultView, VerifyBox
        from app.ui.send_flow import RequestController
        from app.ui.sign_in_panel import SignInPanel
        from app.ui.status import Banner

        self.banner = Banner()
        self.connection_panel = ConnectionPanel(self.profiles, self.secrets)
        self.sign_in = SignInPanel(self.session, self.tasks)
        left = QWidget()
        left.setObjectName("leftColumn")
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.connection_panel)
        left_layout.addWidget(self.sign_in)
        left_layout.addStretch(1)

        self.request_panel = RequestPanel()
        self.result_view = ResultView()
        self.verify_box = VerifyBox()
        right = QWidget()
        right.setObjectName("rightColumn")
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.result_view, 1)
        right_layout.addWidget(self.verify_box)

        self.history_view = HistoryView(self.history_store)
        self.controller = RequestController(
            self.session, self.history, self.tasks, panel=self.request_panel, result=self.result_view,
            verify=self.verify_box, parent=self,
        )

        self._build_layout(left, right)
        self._set_tab_order()

    def _build_layout(self, left: QWidget, right: QWidget) -> None:
        from app.ui.inbox_view import InboxDock

        self.top_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.top_splitter.setObjectName("topSplitter")
        # The request column scrolls too: its messages (grid problems, send problems) may make it
        # taller than the window has room for, and must never raise the window's minimum height.
        self.columns = (ColumnScroll(left, "leftScroll"), ColumnScroll(self.request_panel, "requestScroll"),
                        ColumnScroll(right, "rightScroll"))
        for column in self.columns:
            self.top_splitter.addWidget(column)
        self.top_splitter.setStretchFactor(0, 0)
        self.top_splitter.setStretchFactor(1, 3)
        self.top_splitter.setStretchFactor(2, 2)
        self.top_splitter.setSizes(list(COLUMN_WIDTHS))
        self.top_splitter.setChildrenCollapsible(False)

        central = QWidget()
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.top_splitter, 1)
        self.setCentralWidget(central)

        # History and the sandbox inbox share the bottom area as tabs: both want the full width.
        self.history_dock = QDockWidget("History", self)
        self.history_dock.setObjectName("historyDock")
        feature = QDockWidget.DockWidgetFeature
        self.history_dock.setFeatures(feature.DockWidgetMovable | feature.DockWidgetFloatable)
        history_frame = QWidget()
        history_frame.setObjectName("historyFrame")
        frame_layout = QVBoxLayout(history_frame)
        frame_layout.setContentsMargins(6, 0, 6, 4)
        frame_layout.addWidget(self.history_view)
        self.history_dock.setWidget(history_frame)
        self.inbox = InboxDock(self.tasks, self)
        self.setDockNestingEnabled(True)
        self._dock_bottom()
        self.inbox.hide()

    def _dock_bottom(self) -> None:
        for dock in (self.history_dock, self.inbox):
            dock.setFloating(False)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.tabifyDockWidget(self.history_dock, self.inbox)
        self.resizeDocks([self.history_dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
        self.name_tab_bars()
        QTimer.singleShot(0, self.name_tab_bars)  # Qt may make the bar when it next lays out

    def name_tab_bars(self) -> None:
        """Qt creates the bars of tabbed docks unnamed, when docks are tabified or a state is
        restored: give each a stable objectName and an accessible name."""
        bars = [bar for bar in self.findChildren(QTabBar) if bar.parentWidget() is self]
        for index, bar in enumerate(bars):
            bar.setObjectName("bottomTabBar" if index == 0 else f"dockTabBar{index + 1}")
            bar.setAccessibleName("Bottom panels" if index == 0 else f"Docked panels {index + 1}")
            bar.setAccessibleDescription("History, the sandbox inbox and the trigger tools; "
                                         "Ctrl+H and Ctrl+I bring History and the inbox forward")

    def _set_tab_order(self) -> None:
        sign_in = self.sign_in
        chain: list[QWidget] = [
            self.connection_panel.combo, self.connection_panel.new_button, self.connection_panel.edit_button,
            self.connection_panel.delete_button, sign_in.username_edit, sign_in.password_edit,
            sign_in.flow_combo, sign_in.sign_in_button, sign_in.token_edit, sign_in.use_token_button,
            sign_in.refresh_button, sign_in.sign_out_button, self.request_panel.picker.combo,
            self.request_panel.metadata, self.request_panel.send_bar.send_button,
            self.request_panel.send_bar.cancel_button, self.request_panel.send_bar.send_anyway_button,
            self.verify_box.code_edit, self.verify_box.verify_button, self.history_view,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _action(
        self, text: str, name: str, slot: Callable[[], object], shortcuts: list[QKeySequence] | None = None
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts(shortcuts)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        file_menu = self._menus["&File"]
        self.new_profile_action = self._action(
            "&New profile…", "newProfileAction", self.connection_panel.new_profile,
            [QKeySequence(QKeySequence.StandardKey.New)])
        self.edit_profile_action = self._action(
            "&Edit profile…", "editProfileAction", self.connection_panel.edit_profile)
        self.delete_profile_action = self._action(
            "&Delete profile…", "deleteProfileAction", self.connection_panel.delete_profile)
        quit_action = self._action(
            "&Quit", "quitAction", self.close, [QKeySequence(QKeySequence.StandardKey.Quit)])
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        for action in (self.new_profile_action, self.edit_profile_action, self.delete_profile_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        session_menu = self._menus["&Session"]
        self.sign_in_action = self._action(
            "Sign &in…", "signInAction", self._focus_sign_in, [QKeySequence("Ctrl+Shift+I")])
        self.refresh_action = self._action(
            "&Refresh tokens", "refreshAction", self.sign_in.start_refresh, [QKeySequence("Ctrl+R")])
        self.sign_out_action = self._action("Sign &out", "signOutAction", self.sign_in.sign_out)
        for action in (self.sign_in_action, self.refresh_action, self.sign_out_action):
            session_menu.addAction(action)

        request_menu = self._menus["Re&quest"]
        self.send_action = self._action(
            "&Send code", "sendAction", lambda: self.controller.send(False),
            [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.send_anyway_action = self._action(
            "Send &anyway (skip checks)", "sendAnywayAction", lambda: self.controller.send(True),
            [QKeySequence("Ctrl+Shift+Return"), QKeySequence("Ctrl+Shift+Enter")])
        self.cancel_action = self._action(
            "&Cancel request", "cancelAction", self.controller.cancel, [QKeySequence("Esc")])
        self.cancel_action.setEnabled(False)
        self.focus_attribute_action = self._action(
            "Go to a&ttribute", "focusAttributeAction",
            lambda: self.request_panel.picker.combo.setFocus(Qt.FocusReason.ShortcutFocusReason),
            [QKeySequence("Ctrl+L")])
        self.focus_metadata_action = self._action(
            "Go to Client&Metadata", "focusMetadataAction",
            lambda: self.request_panel.metadata.table.setFocus(Qt.FocusReason.ShortcutFocusReason),
            [QKeySequence("Ctrl+M")])
        self.focus_code_action = self._action(
            "Go to &verification code", "focusCodeAction",
            lambda: self.verify_box.code_edit.setFocus(Qt.FocusReason.ShortcutFocusReason),
            [QKeySequence("Ctrl+K")])
        self.focus_history_action = self._action(
            "Search &history", "focusHistoryAction",
            self._focus_history_filter,
            [QKeySequence(QKeySequence.StandardKey.Find)])
        for action in (self.send_action, self.send_anyway_action, self.cancel_action):
            request_menu.addAction(action)
        request_menu.addSeparator()
        for action in (self.focus_attribute_action, self.focus_metadata_action, self.focus_code_action,
                       self.focus_history_action):
            request_menu.addAction(action)

        self._build_more_menus()

    def _build_more_menus(self) -> None:
        sandbox_menu = self._menus["Sand&box"]
        self.start_sandbox_action = self._action(
            "&Start sandbox pool", "startSandboxAction", self.start_sandbox)
        self.inbox_action = self._bring_forward_toggle(self.inbox)
        self.inbox_action.setObjectName("inboxAction")
        self.inbox_action.setText("Show &inbox")
        self.history_action = self._action(
            "Show &history", "historyAction", self._show_history, [QKeySequence("Ctrl+H")])
        self.inbox_action.setShortcut(QKeySequence("Ctrl+I"))
        sandbox_menu.addAction(self.start_sandbox_action)
        sandbox_menu.addAction(self.inbox_action)

        view_menu = self._menus["&View"]
        self.view_menu = view_menu
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[Theme, QAction] = {}
        for theme, label in ((Theme.SYSTEM, "&System"), (Theme.LIGHT, "&Light"), (Theme.DARK, "&Dark")):
            action = QAction(label, self, checkable=True)
            action.setObjectName(f"theme{theme.value.title()}Action")
            action.triggered.connect(lambda _checked=False, t=theme: self.set_theme(t))
            self.theme_group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[theme] = action
        view_menu.addAction(self.history_action)
        view_menu.addAction(self._action("&Reset layout", "resetLayoutAction", self.reset_layout))

        help_menu = self._menus["&Help"]
        help_menu.addAction(self._action("Open &log folder", "openLogFolderAction", self.open_log_folder))
        about = self._action(f"&About {APP_NAME}", "aboutAction", self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)

    def _connect(self) -> None:
        from app.core.errors import ErrorContext

        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self.connection_panel.profile_chosen.connect(self.use_profile)
        self.connection_panel.profile_deleted.connect(self._profile_deleted)
        self.session.signed_in.connect(self._signed_in)
        self.session.signed_out.connect(self._signed_out)
        self.session.user_loaded.connect(self._user_loaded)
        self.session.failed.connect(
            lambda error: self.report_failure(error, "Refreshing the session", ErrorContext("refresh")))
        self.sign_in.signed_in_as.connect(self._remember_username)
        self.history.row_written.connect(self.history_view.record_changed)
        self.history_view.rerun_requested.connect(self.rerun)
        self.controller.busy_changed.connect(self.cancel_action.setEnabled)
        self.controller.sent.connect(lambda _recorded: self.inbox.refresh())
        self._connect_context()
        self.inbox.use_message.connect(self._use_inbox_message)
        self.inbox.use_user.connect(self._use_sandbox_user)
        self.sandbox_mode.starting.connect(lambda: self.status_label.setText("Starting the sandbox pool…"))
        self.sandbox_mode.started.connect(self._sandbox_started)
        self.sandbox_mode.attached.connect(self._sandbox_attached)
        self.sandbox_mode.failed.connect(
            lambda message: self.banner.show_message(message, Tone.WARNING, topic="sandbox"))
        # Messages clear once their cause is gone: a sandbox that answers, a grid made valid, a send.
        self.sandbox_mode.started.connect(lambda *_args: self.banner.clear("sandbox"))
        self.sandbox_mode.attached.connect(lambda *_args: self.banner.clear("sandbox"))
        self.request_panel.metadata.validity_changed.connect(self._metadata_validity)
        self.controller.started.connect(lambda _attempt: self._clear_prompt())

    def _connect_context(self) -> None:
        def changed() -> None:
            if not self._closing:  # signing out on close is no change anyone needs to follow
                self.request_context_changed.emit()

        for signal in (self.session.connection_changed, self.session.signed_in, self.session.signed_out,
                       self.session.user_loaded, self.request_panel.picker.attribute_changed,
                       self.request_panel.metadata.changed, self.controller.busy_changed):
            signal.connect(lambda *_args: changed())
        self.controller.started.connect(lambda _attempt: self.send_started.emit(self.request_context()))
        self.controller.sent.connect(lambda _recorded: self.send_finished.emit(self.request_context()))

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """A control in a column that took the focus (by Tab, a shortcut or the program: a challenge
        field, a field with an error) is scrolled into view."""
        from app.ui.scrolling import reveal

        if new is None or self._closing:
            return
        if any(column.content.isAncestorOf(new) for column in self.columns):
            reveal(new)

    # --- extension points ------------------------------------------------------------------------
    def request_context(self) -> RequestContext:
        """A snapshot of the connection, the signed-in user and the request built or last sent."""
        from app.ui.request_context import RequestContext

        session = self.session
        user = session.user
        attempt = self.controller.last_attempt
        return RequestContext(
            profile=self.profile,
            settings=session.connection.settings if session.connection else None,
            username=session.username or (user.username if user else None),
            signed_in=session.is_signed_in,
            user_attributes=dict(user.attribute_map) if user else {},
            attribute_name=self.request_panel.picker.attribute_name(),
            client_metadata=self.request_panel.metadata.metadata(),
            last_send_attribute=attempt.attribute_name if attempt else None,
            last_send_metadata=dict(attempt.metadata) if attempt else None,
            last_send_started_at=attempt.started_at if attempt else None,
            last_send_in_flight=attempt is not None and self.controller.attempt is attempt,
            last_send_cancelled=bool(attempt and attempt.cancelled),
            last_send=self.controller.last_recorded,
        )

    def add_bottom_tab(self, widget: QWidget, title: str, name: str) -> QDockWidget:
        """Add a panel as a tab beside History at the bottom; `name` is its dock's objectName
        (stable, so the layout is restored). Returns the dock; `raise_()` it to bring it forward."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        feature = QDockWidget.DockWidgetFeature
        dock.setFeatures(feature.DockWidgetMovable | feature.DockWidgetFloatable | feature.DockWidgetClosable)
        dock.setWidget(widget)
        self._extra_docks.append(dock)
        self.view_menu.addAction(self._bring_forward_toggle(dock))
        # Where the tester left it last time, if the restored window state has it; else beside History.
        if not self.restoreDockWidget(dock):
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.tabifyDockWidget(self.history_dock, dock)
            dock.show()
        self.history_dock.raise_()
        self.name_tab_bars()
        return dock

    # --- state ---------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        width, height = DEFAULT_SIZE
        if available is not None:
            width, height = min(width, available.width()), min(height, available.height())
        self.resize(width, height)

    def _saved_theme(self) -> Theme:
        theme_name = read_str(self.settings, "theme", Theme.SYSTEM.value)
        return Theme(theme_name) if theme_name in {t.value for t in Theme} else Theme.SYSTEM

    def _restore_state(self) -> None:
        """The docks and columns as they were left (the geometry and theme came with the frame)."""
        settings = self.settings
        state = settings.value("windowState")
        self._docks_restored = isinstance(state, QByteArray) and self.restoreState(state)
        self.name_tab_bars()
        value = settings.value("topSplitter")
        # Applied once the window has its restored size (see showEvent): applied now, the columns
        # would be squeezed into the unsized window and come back a few pixels off.
        self._saved_columns = value if isinstance(value, QByteArray) else None
        self.theme_actions[self.theme].setChecked(True)

    def save_state(self) -> None:
        settings = self.settings
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("windowState", self.saveState())
        settings.setValue("topSplitter", self.top_splitter.saveState())
        settings.setValue("lastProfile", self.connection_panel.current_name() or "")
        settings.sync()

    def _fit_columns(self) -> None:
        """Column widths in the default proportions of the splitter's actual width (sizes that add
        up to the width stay put; others are redistributed whenever a column's minimum changes)."""
        total = self.top_splitter.width() - self.top_splitter.handleWidth() * 2
        scale = total / sum(COLUMN_WIDTHS)
        sizes = [round(width * scale) for width in COLUMN_WIDTHS]
        sizes[1] += total - sum(sizes)
        self.top_splitter.setSizes(sizes)

    def _fit_docks(self) -> None:
        """The bottom tabs at their default height (set before the window had its size, Qt gives
        them whatever the central area does not claim)."""
        docks = [d for d in (self.history_dock, self.inbox, *self._extra_docks) if not d.isFloating()]
        self.resizeDocks(docks, [DOCK_HEIGHT] * len(docks), Qt.Orientation.Vertical)

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
        self._initial_focus()
        saved, self._saved_columns = self._saved_columns, None
        if saved is None or not self.top_splitter.restoreState(saved):
            QTimer.singleShot(0, self._fit_columns)
        if not self._docks_restored:
            QTimer.singleShot(0, self._fit_docks)

    def _initial_focus(self) -> None:
        """Where a keyboard user starts: the sign-in form, or New profile when there is none."""
        if self.connection_panel.current_name() is None:
            self.connection_panel.new_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif not self.sign_in.username_edit.text():
            self.sign_in.username_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.sign_in.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset_layout(self) -> None:
        self.resize(*DEFAULT_SIZE)
        QTimer.singleShot(0, self._fit_columns)
        QTimer.singleShot(0, self._fit_docks)
        inbox_visible = self.inbox.isVisible()
        self._dock_bottom()
        self.inbox.setVisible(inbox_visible)
        for dock in self._extra_docks:
            dock.setFloating(False)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.tabifyDockWidget(self.history_dock, dock)
        self.history_dock.raise_()

    def set_theme(self, theme: Theme, *, save: bool = True) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.theme = theme
        if self.built:
            self.theme_actions[theme].setChecked(True)
        if save:
            self.settings.setValue("theme", theme.value)

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

    def _show_startup_notices(self) -> None:
        notices = []
        if self.history_store.recovered_from is not None:
            notices.append(f"The history file could not be read; it was moved to "
                           f"{self.history_store.recovered_from} and a new one started.")
        if self.profiles.notice:
            notices.append(self.profiles.notice)
        if notices:
            self.banner.show_message(" ".join(notices), Tone.WARNING)

    # --- failures --------------------------------------------------------------------------------
    def report_failure(
        self, error: BaseException, doing: str | None = None, context: ErrorContext | None = None
    ) -> None:
        """A background task failed: shown in the banner (the traceback is already in the log)."""
        from app.ui.status import describe_failure

        if self._closing or not self.built:
            return
        self.banner.show_message(describe_failure(error, doing, context), Tone.ERROR)

    # --- profiles and connection -------------------------------------------------------------------
    def use_profile(self, profile: Profile) -> None:
        self._profile_generation += 1
        self.tasks.spawn(self._use_profile(profile, self._profile_generation), name="use-profile")

    async def _use_profile(self, profile: Profile, generation: int) -> None:
        from app.core.secrets import SecretKind
        from app.ui.async_tools import run_blocking

        secret = None
        if profile.has_client_secret:
            secret = await run_blocking(self.secrets.get, SecretKind.CLIENT_SECRET, profile.name)
        if generation != self._profile_generation:
            return  # another profile was chosen meanwhile
        self.profile = profile
        self.session.set_connection(profile.to_settings(secret))
        if profile.has_client_secret and not secret:
            self.banner.show_message(
                f"The profile {profile.name!r} needs its client secret, which is not in "
                f"{self.secrets.backend_name}: File → Edit profile to enter it again.", Tone.WARNING)
        if not self.session.is_signed_in:
            if profile.last_username and not self.sign_in.username_edit.text():
                self.sign_in.username_edit.setText(profile.last_username)
            self.sign_in.set_flow(profile.auth_flow)
        self.request_panel.metadata.set_presets(self.profiles, profile.name)
        where = profile.endpoint_url or f"AWS {profile.region}"
        self.status_label.setText(f"Profile {profile.name}: {where}")
        self.settings.setValue("lastProfile", profile.name)
        if profile.sandbox and profile.endpoint_url:
            control = self.inbox.control
            if control is None or control.endpoint_url != profile.endpoint_url:
                self.sandbox_mode.attach(profile.endpoint_url)

    def _profile_deleted(self, name: str) -> None:
        if self.profile is not None and self.profile.name == name:
            self.profile = None
            self.session.sign_out()
            self.session.connection = None
            self.request_panel.metadata.set_presets(None, None)

    def _remember_username(self, username: str) -> None:
        from app.core.profiles import ProfileError

        profile = self.profile
        if profile is None or profile.last_username == username:
            return
        try:
            self.profile = self.profiles.save(replace(profile, last_username=username))
        except (ProfileError, OSError) as error:
            _log.warning("Could not remember the username: %s", error)

    # --- session -----------------------------------------------------------------------------------
    def _signed_in(self) -> None:
        who = self.session.username or "pasted token"
        self.sign_in.sign_in_problem.hide()  # nor after any sign-in (a pasted token included)
        self.banner.clear("sandbox", "connection")
        self.session_status.setText(f"Signed in: {who}")
        self.tasks.spawn(self._load_user(), name="get-user")
        self.request_panel.picker.combo.setFocus(Qt.FocusReason.OtherFocusReason)

    async def _load_user(self) -> None:
        from app.core.errors import ServiceError

        try:
            await self.session.load_user()
        except ServiceError as error:
            self.request_panel.picker.info.setText(
                f"Could not load your attributes (GetUser): {error.code}: {error.message}")

    def _signed_out(self) -> None:
        self.session_status.setText("Signed out")
        self.sign_in.sign_in_problem.hide()  # a refused sign-in says nothing after a sign-out
        self.request_panel.picker.set_user(None)

    def _user_loaded(self, user: UserProfile) -> None:
        self.request_panel.picker.set_user(user)
        if self.session.username:
            self.session_status.setText(f"Signed in: {self.session.username}")

    def _focus_sign_in(self) -> None:
        if self.session.is_signed_in:
            self.sign_in.sign_out_button.setFocus()
        else:
            self.sign_in.username_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- history --------------------------------------------------------------------------------------
    def _show_history(self) -> None:
        self.bring_forward(self.history_dock)

    def _bring_forward_toggle(self, dock: QDockWidget) -> QAction:
        """The dock's toggle action, changed so that a dock behind another bottom tab is brought
        forward rather than hidden (Qt's toggle hides it: the tester sees nothing happen)."""
        action = dock.toggleViewAction()
        action.triggered.disconnect()  # Qt's own hide/show toggle
        action.triggered.connect(lambda _checked=False: self.toggle_dock(dock))
        return action

    def toggle_dock(self, dock: QDockWidget) -> None:
        """Hide the dock when it is the tab in front; else show it, bring it forward, focus it."""
        in_front = dock.isVisible() and not dock.visibleRegion().isEmpty()
        if in_front:
            dock.hide()
        else:
            self.bring_forward(dock)
        dock.toggleViewAction().setChecked(not dock.isHidden())

    def bring_forward(self, dock: QDockWidget) -> None:
        """Show the dock as the tab in front, with the keyboard focus on its first control."""
        dock.show()
        dock.raise_()
        for widget in dock.widget().findChildren(QWidget):
            if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible()
                    and widget.isEnabled() and not widget.objectName().startswith("qt_")):
                widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return

    def _focus_history_filter(self) -> None:
        self._show_history()
        edit = self.history_view.findChild(QLineEdit, "historyFilterEdit")
        if edit is not None:
            edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def rerun(self, record: HistoryRecord) -> None:
        """Load an attempt's attribute and metadata back, ready to send again."""
        self.request_panel.picker.set_attribute_name(record.attribute_name)
        self.request_panel.metadata.set_metadata(dict(record.client_metadata))
        self._prompt = (f"Loaded attempt #{record.id} ({record.attribute_name}); press Ctrl+Enter to send it "
                        "again.")
        self.status_label.setText(self._prompt)
        self.request_panel.send_bar.send_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_prompt(self) -> None:
        """A send started: the prompt to send a loaded attempt has served."""
        if self._prompt and self.status_label.text() == self._prompt:
            self.status_label.clear()
        self._prompt = ""

    def _metadata_validity(self, valid: bool) -> None:
        """The grid's problems were fixed: the send problems they caused (and Send anyway) go."""
        bar = self.request_panel.send_bar
        if valid and "ClientMetadata" in bar.problems.text():
            bar.clear_problems()

    # --- sandbox ---------------------------------------------------------------------------------------
    def start_sandbox(self) -> None:
        self.sandbox_mode.start()

    def _sandbox_started(self, profile: Profile, control: Any, info: Any) -> None:
        self.inbox.set_control(control, list(info.users))
        self.inbox.show()
        self.inbox.raise_()
        self.connection_panel.reload(select=profile.name)
        self.status_label.setText(f"Sandbox pool running at {info.endpoint_url}")
        if not self.session.is_signed_in and info.users and not self.sign_in.username_edit.text():
            first = info.users[0]
            self.sign_in.username_edit.setText(str(first.get("username", "")))
            self.sign_in.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _sandbox_attached(self, control: Any, info: Any) -> None:
        self.inbox.set_control(control, list(info.users))

    def _use_inbox_message(self, message: dict[str, Any]) -> None:
        from app.ui.inbox_use import use_inbox_message

        use_inbox_message(self, message)

    def _use_sandbox_user(self, username: str, password: str) -> None:
        if self.session.is_signed_in:
            self.session.sign_out()
        self.sign_in.username_edit.setText(username)
        self.sign_in.password_edit.setText(password)
        self.sign_in.sign_in_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- help ----------------------------------------------------------------------------------------
    def show_about(self) -> None:
        from app.ui.about import show_about

        show_about(self)

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.log_dir)))
        self.status_label.setText(f"Log file: {self.paths.log_file}")

    # --- closing ---------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self._closing = True
        if not self.built:  # closed while the frame was painting: nothing to save or stop
            super().closeEvent(event)
            return
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
