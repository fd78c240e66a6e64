"""What the sandbox inbox dock shows, built the first time the dock comes into view: the delivered
messages newest first, the selected one in full, Copy/Use code, and the seeded test users."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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

from app.ui.request.result_view import copy_text
from app.ui.sandbox.inbox_model import KEYS, WIDE_SAMPLES, InboxModel
from app.ui.sandbox.test_user import TestUserBox
from app.ui.widgets.style import Tone, set_tone

# Column widths follow the newest rows, not all of them: with the default (1,000) every change of
# a long-running sandbox's inbox asked the model for 7,000 cells.
RESIZE_PRECISION_ROWS = 50
NO_SANDBOX = "No sandbox: Sandbox → Start sandbox pool."


class InboxPanel(QWidget):
    """`use_message(dict)`: Use code on the selected (or newest) message; `use_user(username,
    password)`: fill the sign-in form; `refresh_requested()`: the Refresh button."""

    use_message = Signal(object)
    use_user = Signal(str, str)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxPanel")
        self._users: list[dict[str, Any]] = []
        self._has_source = False
        self._build_controls()
        self._build_layout()
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.copy_button.clicked.connect(self._copy_code)
        self.use_button.clicked.connect(self._use_code)
        self.use_user_button.clicked.connect(self._use_user)
        self.users_combo.currentIndexChanged.connect(self._user_chosen)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        # A reset (new sandbox, new messages) drops the selection without currentRowChanged.
        self.model.modelReset.connect(lambda: self._row_changed(self.table.currentIndex(), QModelIndex()))
        self.table.doubleClicked.connect(lambda _index: self._use_code())
        self.update_buttons()

    def _build_controls(self) -> None:
        self.status = QLabel(NO_SANDBOX)
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
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        user_row = QHBoxLayout()
        user_row.addWidget(users_label)
        user_row.addWidget(self.users_combo)
        user_row.addWidget(self.use_user_button)
        user_row.addWidget(self.test_user, 1)
        layout.addLayout(user_row)
        layout.addWidget(split, 1)

    # --- what the dock tells it ---------------------------------------------------------------
    def show_source(self, endpoint_url: str | None) -> None:
        """A new sandbox (or none): its rows go, the status says where the inbox comes from."""
        self._has_source = endpoint_url is not None
        self.model.set_messages([])
        self.show_status(f"Sandbox at {endpoint_url}" if endpoint_url else NO_SANDBOX)

    def show_status(self, text: str, tone: Tone = Tone.MUTED) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)

    def show_messages(self, messages: list[dict[str, Any]]) -> None:
        """The newest messages, in sending order: a message that just arrived is selected (it is what
        the tester waits for); otherwise the selected message stays selected."""
        current = self._selected_message()
        known = {m.get("id") for m in self.model.messages}
        if self.model.set_messages(messages):
            row = 0
            arrived = any(m.get("id") not in known for m in self.model.messages)
            if current is not None and not arrived:
                ids = [m.get("id") for m in self.model.messages]
                row = ids.index(current.get("id")) if current.get("id") in ids else 0
            if self.model.messages:
                self.table.selectRow(row)
        self.update_buttons()

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
        self.update_buttons()

    # --- selection -----------------------------------------------------------------------------
    def _user_chosen(self, index: int) -> None:
        self.test_user.set_user(self._users[index] if 0 <= index < len(self._users) else None)

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
        self.update_buttons()

    def update_buttons(self) -> None:
        has_code = self._chosen() is not None  # not on a trigger error: it sent no code
        self.copy_button.setEnabled(has_code)
        self.use_button.setEnabled(has_code)
        self.refresh_button.setEnabled(self._has_source)
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
