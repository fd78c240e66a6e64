"""The connection box: pick a profile, create, edit or delete one, and see where secrets live."""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.secrets import SecretStore
from app.ui.signin.profile_dialog import ProfileDialog
from app.ui.widgets.buttons import make_button
from app.ui.widgets.style import Tone, selectable, set_tone

_log = logging.getLogger(__name__)


def _short(identifier: str, keep: int = 24) -> str:
    """Long ids elided in the middle (the full text is in the tooltip)."""
    if len(identifier) <= keep:
        return identifier
    return f"{identifier[: keep - 7]}…{identifier[-6:]}"


def describe_profile(profile: Profile, *, short: bool = False) -> str:
    """Where a profile connects, one fact per line."""
    shorten = _short if short else (lambda text: text)
    lines = [profile.endpoint_url or f"AWS {profile.region}"]
    ids = f"client {shorten(profile.client_id)}"
    if profile.user_pool_id:
        ids += f" · pool {shorten(profile.user_pool_id)}"
    lines.append(ids)
    attempts = "no retries" if profile.max_attempts == 1 else f"{profile.max_attempts} attempts"
    secret = " · client secret" if profile.has_client_secret else ""
    lines.append(f"timeout {profile.read_timeout_s:g} s · {attempts}{secret}")
    return "\n".join(lines)


class ConnectionPanel(QGroupBox):
    """`profile_chosen(Profile)` fires when the tester picks (or saves) a profile."""

    profile_chosen = Signal(object)
    profile_deleted = Signal(str)

    def __init__(self, store: ProfileStore, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__("Connection", parent)
        self.setObjectName("connectionPanel")
        self.store = store
        self.secrets = secrets
        self._dialog: ProfileDialog | None = None
        self._confirm: QMessageBox | None = None

        self.combo = QComboBox()
        self.combo.setObjectName("profileCombo")
        self.combo.setAccessibleName("Profile")
        self.combo.setToolTip("The saved connection to use")
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.setPlaceholderText("No profile yet: create one")
        self.new_button = self._button("newProfileButton", "New…", "New profile")
        self.edit_button = self._button("editProfileButton", "Edit…", "Edit profile")
        self.delete_button = self._button("deleteProfileButton", "Delete", "Delete profile")
        self.summary = QLabel()
        self.summary.setObjectName("connectionSummaryLabel")
        self.summary.setWordWrap(True)
        selectable(self.summary)
        set_tone(self.summary, Tone.MUTED)
        self.secret_notice = QLabel()
        self.secret_notice.setObjectName("secretNoticeLabel")
        self.secret_notice.setWordWrap(True)

        label = QLabel("&Profile")
        label.setBuddy(self.combo)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.secret_notice)

        self.combo.currentIndexChanged.connect(self._index_changed)
        self.new_button.clicked.connect(self.new_profile)
        self.edit_button.clicked.connect(self.edit_profile)
        self.delete_button.clicked.connect(self.delete_profile)
        self._show_secret_notice()

    def _button(self, name: str, text: str, accessible: str) -> QPushButton:
        return make_button(name, text, accessible)

    def _show_secret_notice(self) -> None:
        notice = self.secrets.notice
        self.secret_notice.setVisible(bool(notice))
        if notice:
            # One line in the panel; the whole explanation on hover and in the profile dialog.
            self.secret_notice.setText("⚠ Client secrets are kept in memory only until VerifyDesk closes.")
            self.secret_notice.setToolTip(notice)
            self.secret_notice.setAccessibleDescription(notice)
            set_tone(self.secret_notice, Tone.WARNING)

    # --- the list ---------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """Re-read the store; keep (or move to) `select`, else the current profile."""
        wanted = select or self.current_name()
        profiles = self.store.list()
        self.combo.blockSignals(True)
        self.combo.clear()
        for profile in profiles:
            label = f"{profile.name}  (sandbox)" if profile.sandbox else profile.name
            self.combo.addItem(label, profile.name)
        index = self.combo.findData(wanted) if wanted else -1
        if index < 0 and profiles:
            index = 0
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        self._index_changed(index)

    def current_name(self) -> str | None:
        data = self.combo.currentData()
        return data if isinstance(data, str) else None

    def current_profile(self) -> Profile | None:
        name = self.current_name()
        return self.store.get(name) if name else None

    def _index_changed(self, _index: int) -> None:
        profile = self.current_profile()
        self.edit_button.setEnabled(profile is not None)
        self.delete_button.setEnabled(profile is not None)
        empty = "Create a profile to connect to a user pool."
        self.summary.setText(describe_profile(profile, short=True) if profile else empty)
        self.summary.setToolTip(describe_profile(profile) if profile else "")
        if profile is not None:
            self.profile_chosen.emit(profile)

    # --- dialogs ------------------------------------------------------------------------------
    def new_profile(self) -> None:
        self._open_dialog(None)

    def edit_profile(self) -> None:
        profile = self.current_profile()
        if profile is not None:
            self._open_dialog(profile)

    def _open_dialog(self, profile: Profile | None) -> None:
        dialog = ProfileDialog(self.store, self.secrets, profile, self.window())
        dialog.saved.connect(self._saved)
        dialog.finished.connect(dialog.deleteLater)
        self._dialog = dialog
        dialog.open()

    @property
    def dialog(self) -> ProfileDialog | None:
        return self._dialog

    def _saved(self, profile: Profile) -> None:
        self.reload(select=profile.name)
        # The same name may have changed settings: tell the window even when the index did not move.
        if self.current_name() == profile.name:
            self.profile_chosen.emit(self.store.get(profile.name) or profile)

    def delete_profile(self) -> None:
        profile = self.current_profile()
        if profile is None:
            return
        name = profile.name
        stored = [what for what, has in (("client secret", profile.has_client_secret),
                                         ("remembered password", profile.remember_password)) if has]
        also = f" and its stored {' and '.join(stored)}" if stored else ""
        box = QMessageBox(
            QMessageBox.Icon.Question, "Delete profile",
            f"Delete the profile {name!r}{also}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.window(),
        )
        box.setObjectName("deleteProfileConfirm")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def finished(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes.value:
                self._delete(name)
            box.deleteLater()

        box.finished.connect(finished)
        self._confirm = box
        box.open()

    def _delete(self, name: str) -> None:
        try:
            self.store.delete(name)
            self.secrets.delete_profile(name)  # client secret and remembered password
        except OSError as error:
            self.summary.setText(f"Could not delete {name!r}: {error}")
            return
        self.profile_deleted.emit(name)
        self.reload()
