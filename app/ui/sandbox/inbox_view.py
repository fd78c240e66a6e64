"""The sandbox's inbox as a dock: every message the local pool "delivered", newest first, with its
code, refreshed while visible; plus the seeded test users, to sign in as one with a click."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.request.result_view import copy_text
from app.ui.sandbox.inbox_model import KEYS, WIDE_SAMPLES, InboxModel
from app.ui.sandbox.test_user import TestUserBox
from app.ui.widgets.style import Tone, set_tone

if TYPE_CHECKING:
    from app.sandbox.control import SandboxControl

_log = logging.getLogger(__name__)
POLL_INTERVAL_MS = 1500
# Column widths follow the newest rows, not all of them: with the default (1,000) every change of
# a long-running sandbox's inbox asked the model for 7,000 cells.
RESIZE_PRECISION_ROWS = 50

INBOX_SHOWN = 500  # newest messages fetched per refresh (a long session's inbox stays cheap to poll)


class InboxDock(QDockWidget):
    """`use_message(dict)`: Use code on the selected (or newest) message, whose attribute and
    purpose say where its code goes; `use_user(username, password)` the sign-in form."""

    use_message = Signal(object)
    use_user = Signal(str, str)

    def __init__(self, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__("Sandbox inbox", parent)
        self.setObjectName("inboxDock")
        self.setAccessibleName("Sandbox inbox")
        self._tasks = tasks
        self.control: SandboxControl | None = None
        self._polling = False
        self._users: list[dict[str, Any]] = []
        self._build_controls()
        self._build_layout()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.copy_button.clicked.connect(self._copy_code)
        self.use_button.clicked.connect(self._use_code)
        self.use_user_button.clicked.connect(self._use_user)
        self.users_combo.currentIndexChanged.connect(self._user_chosen)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        # A reset (new sandbox, new messages) drops the selection without currentRowChanged.
        self.model.modelReset.connect(lambda: self._row_changed(self.table.currentIndex(), QModelIndex()))
        self.table.doubleClicked.connect(lambda _index: self._use_code())
        self.visibilityChanged.connect(self._visibility_changed)
        self._update_buttons()

    def _build_controls(self) -> None:
        self.status = QLabel("No sandbox: Sandbox → Start sandbox pool.")
        self.status.setObjectName("inboxStatusLabel")
        self.status.setWordWrap(True)
        set_tone(self.status, Tone.MUTED)
        self.users_combo = QComboBox()
        self.users_combo.setObjectName("sandboxUsersCombo")
        self.users_combo.setAccessibleName("Sandbox test user")
        self.use_user_button = QPushButton("Sign-in form")
        self.use_user_button.setObjectName("useSandboxUserButton")
        self.use_user_button.setAccessibleName("Fill the sign-in form with this test user")
        self.use_user_button.setToolTip("Fill the username and password of this test user")
        self.model = InboxModel(self)
        self.table = QTableView()
        self.table.setObjectName("inboxTable")
        self.table.setAccessibleName("Delivered messages")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(RESIZE_PRECISION_ROWS)
        header.setStretchLastSection(True)
        metrics = self.table.fontMetrics()
        for key, sample in WIDE_SAMPLES.items():
            column = KEYS.index(key)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        self.test_user = TestUserBox()
        self.body = QPlainTextEdit()
        self.body.setObjectName("inboxMessageView")
        self.body.setAccessibleName("Selected message")
        self.body.setReadOnly(True)
        self.body.setPlaceholderText("Select a message to read it.")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("inboxRefreshButton")
        self.refresh_button.setAccessibleName("Refresh the inbox")
        self.copy_button = QPushButton("Copy code")
        self.copy_button.setObjectName("copyInboxCodeButton")
        self.copy_button.setAccessibleName("Copy the selected code")
        self.use_button = QPushButton("Use code")
        self.use_button.setObjectName("useInboxCodeButton")
        self.use_button.setAccessibleName("Use the selected code")
        self.use_button.setToolTip("Put the selected (or newest) code where it belongs: the open sign-in "
                                   "challenge's code field, or the Verify field for its attribute")

    def _build_layout(self) -> None:
        users_label = QLabel("&Test user")  # Alt+U is Username in the sign-in form
        users_label.setBuddy(self.users_combo)
        users_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)  # never cut
        # QLabel is as wide as its text's advance; the final r's arm inks past it, and a label clips
        # what it paints at its edge (the combo starts right there): room for the overhang.
        users_label.setContentsMargins(0, 0, users_label.fontMetrics().horizontalAdvance(" "), 0)
        self.users_combo.setMinimumContentsLength(16)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.copy_button)
        row.addWidget(self.use_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("inboxSplitter")
        split.addWidget(self.table)
        split.addWidget(self.body)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(row)
        user_row = QHBoxLayout()
        user_row.addWidget(users_label)
        user_row.addWidget(self.users_combo)
        user_row.addWidget(self.use_user_button)
        user_row.addWidget(self.test_user, 1)
        layout.addLayout(user_row)
        layout.addWidget(split, 1)
        self.setWidget(body)

    # --- source ---------------------------------------------------------------------------
    def set_control(self, control: SandboxControl | None, users: list[dict[str, Any]] | None = None) -> None:
        old = self.control
        same = control is not None and old is not None and control.endpoint_url == old.endpoint_url
        self.control = control
        self.set_users(list(users or []))
        if same:  # the same pool again (Start sandbox pool twice): keep the rows and the choices
            self.refresh()
            return
        self.model.set_messages([])
        if control is None:
            self.status.setText("No sandbox: Sandbox → Start sandbox pool.")
            self._timer.stop()
        else:
            self.status.setText(f"Sandbox at {control.endpoint_url}")
            self._visibility_changed(self.isVisible())
            self.refresh()
        self._update_buttons()

    def set_users(self, users: list[dict[str, Any]]) -> None:
        """The seeded test users; the one chosen stays chosen (its label follows its state, e.g. a
        changed temporary password drops NEW_PASSWORD_REQUIRED)."""
        chosen = self.users_combo.currentData()
        self._users = users
        self.users_combo.blockSignals(True)
        self.users_combo.clear()
        for user in users:
            notes = [n for n in (user.get("challenge"), "TOTP" if user.get("totp_secret") else None) if n]
            label = str(user.get("username", "?")) + (f"  ({', '.join(notes)})" if notes else "")
            self.users_combo.addItem(label, user.get("username"))
        index = self.users_combo.findData(chosen) if chosen is not None else -1
        self.users_combo.setCurrentIndex(max(index, 0) if users else -1)
        self.users_combo.blockSignals(False)
        self._user_chosen(self.users_combo.currentIndex())
        self._update_buttons()

    def _user_chosen(self, index: int) -> None:
        self.test_user.set_user(self._users[index] if 0 <= index < len(self._users) else None)

    def refresh_users(self) -> None:
        """Read the test users again (after a sign-in changed a password or set up an authenticator)."""
        if self.control is not None:
            self._tasks.spawn(self._read_users(self.control), name="inbox-users")

    async def _read_users(self, control: SandboxControl) -> None:
        try:
            info = await run_blocking(control.info)
        except Exception as error:  # the poll says the sandbox is gone
            _log.info("Could not read the sandbox's users: %s", error)
            return
        if control is self.control:
            self.set_users(list(info.users))

    def _visibility_changed(self, visible: bool) -> None:
        if visible and self.control is not None:
            self._timer.start()
            self.refresh()  # what arrived while it was hidden
        else:
            self._timer.stop()

    def refresh(self) -> None:
        """Read the inbox again now if the dock is in view; otherwise when it next comes into view
        (a send refreshes it: a hidden dock does not fetch and lay out its newest messages each time)."""
        if self.control is None or self._polling or not self.isVisible():
            return
        self._polling = True
        self._tasks.spawn(self._poll(self.control), name="inbox-poll")

    async def _poll(self, control: SandboxControl) -> None:
        try:
            messages = await run_blocking(control.inbox, None, INBOX_SHOWN)
        except Exception as error:  # the sandbox may have stopped: say so, keep polling
            if control is self.control:
                self.status.setText(f"Inbox unavailable: {error}")
                set_tone(self.status, Tone.WARNING)
            return
        finally:
            self._polling = False
        if control is not self.control:
            return
        shown = f"the newest {INBOX_SHOWN}" if len(messages) >= INBOX_SHOWN else f"{len(messages)} message(s)"
        self.status.setText(f"Sandbox at {control.endpoint_url} · {shown}")
        set_tone(self.status, Tone.MUTED)
        current = self._selected_message()
        known = {m.get("id") for m in self.model.messages}
        if self.model.set_messages(messages):
            # A message that just arrived is what the tester waits for: select it. Otherwise keep
            # the message the tester had selected.
            row = 0
            arrived = any(m.get("id") not in known for m in self.model.messages)
            if current is not None and not arrived:
                ids = [m.get("id") for m in self.model.messages]
                row = ids.index(current.get("id")) if current.get("id") in ids else 0
            if self.model.messages:
                self.table.selectRow(row)
        self._update_buttons()

    # --- selection -----------------------------------------------------------------------------
    def _selected_message(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return self.model.message(index.row()) if index.isValid() else None

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        message = self.model.message(current.row()) if current.isValid() else None
        if message is None:
            self.body.clear()
        else:
            lines = [f"To: {message.get('destination')} ({message.get('medium')})",
                     f"Subject: {message.get('subject') or '—'}", ""]
            lines.append(str(message.get("message") or ""))
            if message.get("client_metadata"):
                metadata = json.dumps(message["client_metadata"], ensure_ascii=False, indent=2)
                lines += ["", f"ClientMetadata: {metadata}"]
            if message.get("trigger_error"):
                lines += ["", f"Trigger error: {message['trigger_error']}"]
            self.body.setPlainText("\n".join(lines))
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_code = self._chosen() is not None  # not on a trigger error: it sent no code
        self.copy_button.setEnabled(has_code)
        self.use_button.setEnabled(has_code)
        self.refresh_button.setEnabled(self.control is not None)
        self.use_user_button.setEnabled(bool(self._users))
        self.users_combo.setEnabled(bool(self._users))

    def _chosen(self) -> dict[str, Any] | None:
        message = self._selected_message() or self.model.message(0)
        return message if message and message.get("code") else None

    def _copy_code(self) -> None:
        message = self._chosen()
        if message:
            copy_text(str(message["code"]))

    def _use_code(self) -> None:
        message = self._chosen()
        if message:
            self.use_message.emit(dict(message))

    def _use_user(self) -> None:
        index = self.users_combo.currentIndex()
        if 0 <= index < len(self._users):
            user = self._users[index]
            self.use_user.emit(str(user.get("username", "")), str(user.get("password", "")))
