"""Create or edit a connection profile; the client secret goes to the secret store, never a file.
Renaming a profile moves its secrets (client secret, remembered password) to the new name.

Opened with `open()` (never `exec()`): the event loop keeps running. Problems are shown under the
field they are about; the dialog stays open until the profile saves.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.auth import AuthFlow
from app.core.connection import (
    ATTEMPTS_RANGE,
    CONNECT_TIMEOUT_RANGE,
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_READ_TIMEOUT_S,
    READ_TIMEOUT_RANGE,
)
from app.core.profile_model import Profile, ProfileError
from app.core.profiles import ProfileStore
from app.core.secrets import SecretKind, SecretStore
from app.core.validation import region_mismatch_warning
from app.ui.signin.code_source_form import CodeSourceForm, ProbeTarget
from app.ui.widgets.style import Tone, set_tone

_log = logging.getLogger(__name__)
FIELD_MIN_WIDTH = 300
FLOW_LABELS = {
    AuthFlow.USER_SRP_AUTH.value: "SRP (USER_SRP_AUTH)",
    AuthFlow.USER_PASSWORD_AUTH.value: "Plain password (USER_PASSWORD_AUTH)",
}


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    set_tone(label, Tone.ERROR)
    label.hide()
    return label


class ProfileDialog(QDialog):
    """The profile form. `saved(Profile)` fires once the profile and its secret are stored."""

    saved = Signal(object)

    def __init__(
        self,
        store: ProfileStore,
        secrets: SecretStore,
        existing: Profile | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("profileDialog")
        self.setWindowTitle("Edit profile" if existing else "New profile")
        self.setAccessibleName(self.windowTitle())
        self._store = store
        self._secrets = secrets
        self._existing = existing
        self._errors: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}
        self._build_fields()
        form = QFormLayout()
        self._form = form
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._add_row(form, "&Name", self.name_edit, "name")
        self._add_row(form, "&Region", self.region_edit, "region")
        self._add_row(form, "&Endpoint URL", self.endpoint_edit, "endpoint_url")
        self._add_row(form, "User &pool id", self.pool_edit, "user_pool_id")
        self._add_row(form, "App &client id", self.client_id_edit, "client_id")
        self._add_row(form, "Client &secret", self.secret_edit, "client_secret")
        form.addRow("", self.remove_secret_check)
        self._add_row(form, "Read &timeout", self.read_timeout_spin, "read_timeout_s")
        self._add_row(form, "C&onnect timeout", self.connect_timeout_spin, "connect_timeout_s")
        self._add_row(form, "&Attempts", self.attempts_spin, "max_attempts")
        self._add_row(form, "Sign-in &flow", self.flow_combo, "auth_flow")
        self._build_footer(form)
        self.setMinimumWidth(FIELD_MIN_WIDTH + 160)
        self.resize(560, self.sizeHint().height())
        self._fill(existing)
        self._show_secret_notice()

    def _build_fields(self) -> None:
        self.name_edit = self._line("profileNameEdit", "Profile name", "e.g. staging")
        self.region_edit = self._line("profileRegionEdit", "Region", "e.g. eu-west-1")
        self.endpoint_edit = self._line(
            "profileEndpointEdit", "Endpoint URL", "optional, e.g. http://127.0.0.1:9229"
        )
        self.pool_edit = self._line(
            "profilePoolIdEdit", "User pool id", "e.g. eu-west-1_AbCdEf123 (SRP needs it)")
        self.client_id_edit = self._line("profileClientIdEdit", "App client id", "the app client's id")
        self.secret_edit = self._line(
            "profileClientSecretEdit", "Client secret", "only if the client has one")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remove_secret_check = QCheckBox("Forget the stored client secret")
        self.remove_secret_check.setObjectName("profileRemoveSecretCheck")
        self.remove_secret_check.setAccessibleName("Forget the stored client secret")
        self.read_timeout_spin = self._seconds(
            "profileReadTimeoutSpin", "Read timeout", DEFAULT_READ_TIMEOUT_S, READ_TIMEOUT_RANGE)
        self.connect_timeout_spin = self._seconds(
            "profileConnectTimeoutSpin", "Connect timeout", DEFAULT_CONNECT_TIMEOUT_S, CONNECT_TIMEOUT_RANGE
        )
        self.attempts_spin = QSpinBox()
        self.attempts_spin.setObjectName("profileAttemptsSpin")
        self.attempts_spin.setAccessibleName("Attempts per request")
        self.attempts_spin.setRange(*ATTEMPTS_RANGE)
        self.attempts_spin.setToolTip(
            "Total attempts per request. 1 = never retry (TooManyRequests is shown as it comes); "
            "LimitExceeded is never retried."
        )
        self.flow_combo = QComboBox()
        self.flow_combo.setObjectName("profileAuthFlowCombo")
        self.flow_combo.setAccessibleName("Default sign-in flow")
        for value, label in FLOW_LABELS.items():
            self.flow_combo.addItem(label, value)

    def _build_footer(self, form: QFormLayout) -> None:
        self.secret_notice = QLabel()
        self.secret_notice.setObjectName("profileSecretNoticeLabel")
        self.secret_notice.setWordWrap(True)
        self.form_error = _error_label("profileFormErrorLabel")
        self.region_warning = QLabel()  # a warning: the profile still saves
        self.region_warning.setObjectName("profileRegionWarningLabel")
        self.region_warning.setWordWrap(True)
        set_tone(self.region_warning, Tone.WARNING)
        self.region_warning.hide()
        for edit in (self.region_edit, self.pool_edit, self.endpoint_edit):
            edit.textChanged.connect(self._update_region_warning)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Save | standard.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("profileSaveButton")
        self.save_button.setAccessibleName("Save profile")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("profileCancelButton")
        cancel.setAccessibleName("Cancel")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)

        connection = QWidget()
        connection.setObjectName("profileConnectionTab")
        connection_layout = QVBoxLayout(connection)
        connection_layout.addLayout(form)
        connection_layout.addWidget(self.region_warning)
        connection_layout.addWidget(self.secret_notice)
        self.code_source = CodeSourceForm(self._secrets, self._probe_target)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("profileTabs")
        self.tabs.addTab(connection, "Connection")
        self.tabs.addTab(self.code_source, "Code source")
        self.finished.connect(lambda _result: self.code_source.stop())
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)

    def _probe_target(self) -> ProbeTarget:
        return ProbeTarget(self._existing.name if self._existing else None,
                           self.endpoint_edit.text().strip() or None, self.region_edit.text().strip(),
                           self._existing.aws_profile if self._existing else None)

    # --- building -------------------------------------------------------------------------
    def _line(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        return edit

    def _seconds(
        self, name: str, accessible: str, default: float, limits: tuple[float, float]
    ) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setObjectName(name)
        spin.setAccessibleName(f"{accessible} in seconds")
        spin.setRange(*limits)  # the connection settings' own rule, so the form offers what saves
        spin.setDecimals(1)
        spin.setSuffix(" s")
        spin.setValue(default)
        return spin

    def _add_row(self, form: QFormLayout, label: str, widget: QWidget, field: str) -> None:
        """The field on its row, its error (hidden until there is one) on its own row below: an
        error never shares, or squeezes, the field's row."""
        widget.setMinimumWidth(FIELD_MIN_WIDTH)
        form.addRow(label, widget)
        buddy = form.labelForField(widget)
        if isinstance(buddy, QLabel):
            buddy.setBuddy(widget)
        error = _error_label(f"profileError_{field}")
        error.setMinimumWidth(FIELD_MIN_WIDTH)
        policy = error.sizePolicy()  # as wide as the field, as tall as its wrapped text
        policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
        policy.setVerticalPolicy(QSizePolicy.Policy.MinimumExpanding)
        error.setSizePolicy(policy)
        form.addRow("", error)
        form.setRowVisible(error, False)
        self._errors[field] = error
        self._fields[field] = widget

    def _fill(self, profile: Profile | None) -> None:
        self.code_source.fill(profile.code_source if profile else None,
                              sandbox_profile=bool(profile and profile.sandbox))
        if profile is None:
            self.region_edit.setText("us-east-1")
            self.remove_secret_check.hide()
            return
        self.name_edit.setText(profile.name)
        self.region_edit.setText(profile.region)
        self.endpoint_edit.setText(profile.endpoint_url or "")
        self.pool_edit.setText(profile.user_pool_id or "")
        self.client_id_edit.setText(profile.client_id)
        self.read_timeout_spin.setValue(profile.read_timeout_s)
        self.connect_timeout_spin.setValue(profile.connect_timeout_s)
        self.attempts_spin.setValue(profile.max_attempts)
        index = self.flow_combo.findData(profile.auth_flow)
        self.flow_combo.setCurrentIndex(max(index, 0))
        if profile.has_client_secret:
            self.secret_edit.setPlaceholderText("stored — type a new one to replace it")
        else:
            self.remove_secret_check.hide()

    def _show_secret_notice(self) -> None:
        notice = self._secrets.notice
        if notice:
            self.secret_notice.setText(notice)
            set_tone(self.secret_notice, Tone.WARNING)
        else:
            self.secret_notice.setText(f"The client secret is kept in {self._secrets.backend_name}.")
            set_tone(self.secret_notice, Tone.MUTED)

    def _update_region_warning(self) -> None:
        warning = region_mismatch_warning(
            self.region_edit.text(), self.pool_edit.text(), self.endpoint_edit.text()
        )
        self.region_warning.setText(warning or "")
        self.region_warning.setVisible(warning is not None)

    # --- saving ---------------------------------------------------------------------------
    def show_field_error(self, field: str, message: str) -> None:
        if field.startswith("code_source.") and self.code_source.show_problem(field[12:], message):
            return
        label = self._errors.get(field, self.form_error)
        label.setText(message)
        if label is self.form_error:
            label.show()
        else:
            self._form.setRowVisible(label, True)

    def _clear_errors(self) -> None:
        self.code_source.clear_problems()
        for label in self._errors.values():
            label.clear()
            self._form.setRowVisible(label, False)
        self.form_error.clear()
        self.form_error.hide()

    def _values(self) -> dict[str, Any]:
        return {
            "name": self.name_edit.text().strip(),
            "region": self.region_edit.text().strip(),
            "client_id": self.client_id_edit.text().strip(),
            "endpoint_url": self.endpoint_edit.text().strip() or None,
            "user_pool_id": self.pool_edit.text().strip() or None,
            "read_timeout_s": float(self.read_timeout_spin.value()),
            "connect_timeout_s": float(self.connect_timeout_spin.value()),
            "max_attempts": int(self.attempts_spin.value()),
            "auth_flow": str(self.flow_combo.currentData()),
            "code_source": self.code_source.source(),
        }

    def _local_problems(self, values: dict[str, Any]) -> dict[str, str]:
        problems: dict[str, str] = {}
        if not values["name"]:
            problems["name"] = "Give the profile a name."
        elif values["name"] != (self._existing.name if self._existing else None) and self._store.get(
            values["name"]
        ):
            problems["name"] = f"A profile named {values['name']!r} already exists."
        if not values["region"]:
            problems["region"] = "Enter the pool's region, e.g. eu-west-1."
        if not values["client_id"]:
            problems["client_id"] = "Enter the app client id."
        endpoint = values["endpoint_url"]
        if endpoint and not endpoint.startswith(("http://", "https://")):
            problems["endpoint_url"] = "Start the URL with http:// or https://."
        return problems

    def _save(self) -> None:
        self._clear_errors()
        values = self._values()
        new_secret = self.secret_edit.text()
        forget = self.remove_secret_check.isChecked()
        had_secret = bool(self._existing and self._existing.has_client_secret)
        has_secret = bool(new_secret) or (had_secret and not forget)
        if self._existing is not None:
            profile = replace(self._existing, has_client_secret=has_secret, **values)
        else:
            profile = Profile(has_client_secret=has_secret, **values)
        # Every field's problem at once, each under its field (the form's own wording first).
        problems = {error.field: error.message for error in reversed(profile.problems())}
        problems.update(self._local_problems(values))
        for field, message in problems.items():
            self.show_field_error(field, message)
        if problems:
            first = next((f for f in self._errors if f in problems), None)
            if first is not None:
                self.tabs.setCurrentIndex(0)
                self._fields[first].setFocus()
            else:
                self.tabs.setCurrentWidget(self.code_source)
                self.code_source.focus_field(next(iter(problems)).removeprefix("code_source."))
            return
        try:
            self._store_profile(profile, new_secret, forget)
        except ProfileError as error:
            self.show_field_error(error.field, error.message)
            return
        except (OSError, ValueError) as error:
            _log.warning("Saving profile failed: %s", error)
            self.show_field_error("", f"Could not save the profile: {error}")
            return
        self.saved.emit(profile)
        self.accept()

    def _store_profile(self, profile: Profile, new_secret: str, forget: bool) -> None:
        old_name = self._existing.name if self._existing else None
        if old_name and old_name != profile.name:
            self._store.rename(old_name, profile.name)
            # Secrets are keyed by profile name: the client secret and a remembered password move.
            self._secrets.move_profile(old_name, profile.name)
        self._store.save(profile)
        if new_secret:
            self._secrets.set(SecretKind.CLIENT_SECRET, profile.name, new_secret)
        elif forget:
            self._secrets.delete(SecretKind.CLIENT_SECRET, profile.name)
        if self.code_source.password():
            self._secrets.set(SecretKind.MAILBOX_PASSWORD, profile.name, self.code_source.password())
        elif self.code_source.forget_password():
            self._secrets.delete(SecretKind.MAILBOX_PASSWORD, profile.name)
