"""The profile dialog's Code source tab: where the profile's codes arrive (the sandbox inbox, an IMAP
mailbox, an S3 bucket fed by SES), the mailbox password (to the secret store, never the file) and a
Test connection button that connects, logs in and searches once, off the GUI thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.code_source_settings import (
    DEFAULT_WAIT_S,
    IMAP_KIND,
    IMAPS_KIND,
    S3_KIND,
    SANDBOX_KIND,
    WAIT_RANGE,
    ProbeResult,
    SavedCodeSource,
    open_saved_source,
    probe_source,
)
from app.core.secrets import SecretStore
from app.ui.async_tools import TaskKeeper, start_blocking
from app.ui.widgets.style import Tone, selectable, set_tone

NO_SOURCE = ""
KIND_LABELS = {
    NO_SOURCE: "None (type the code by hand)",
    SANDBOX_KIND: "Sandbox inbox",
    IMAP_KIND: "IMAP mailbox (imap://)",
    IMAPS_KIND: "IMAPS mailbox (imaps://)",
    S3_KIND: "S3 bucket of an SES receipt rule (s3://)",
}
_TLS = {
    IMAP_KIND: "STARTTLS when the server offers it, certificate verified. Without STARTTLS the password "
               "goes in plain text: only for a test server on this machine.",
    IMAPS_KIND: "TLS from the start, certificate verified (the system's trust store and the CA file).",
}
_IMAP_FIELDS = ("host", "port", "user", "mailbox", "tls", "ca_file", "password")
_S3_FIELDS = ("bucket", "prefix")


@dataclass(frozen=True)
class ProbeTarget:
    """What a connection test needs from the rest of the dialog."""

    profile_name: str | None  # whose stored mailbox password to use when none is typed
    endpoint_url: str | None
    region: str
    aws_profile: str | None


class CodeSourceForm(QWidget):
    """The code source fields; `source()` is what to save, `password()` what to store."""

    def __init__(
        self, secrets: SecretStore, target: Callable[[], ProbeTarget], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("codeSourceForm")
        self._secrets = secrets
        self._target = target
        self._tasks = TaskKeeper()
        self._cancel = threading.Event()
        self._had_password = False
        self._rows: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self._build()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.password_notice)
        layout.addWidget(self.test_button)
        layout.addWidget(self.test_result)
        layout.addStretch(1)
        self.type_combo.currentIndexChanged.connect(lambda _index: self._kind_changed())
        self.test_button.clicked.connect(self.test_connection)
        self._show_password_notice()
        self._kind_changed()

    def _build(self) -> None:
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("codeSourceTypeCombo")
        self.type_combo.setAccessibleName("Code source type")
        for kind, text in KIND_LABELS.items():
            self.type_combo.addItem(text, kind)
        self._add("kind", "&Type", self.type_combo)
        self.host_edit = self._line("host", "Ser&ver", "Mail server", "e.g. imap.example.com")
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("codeSourcePortSpin")
        self.port_spin.setAccessibleName("Mail server port")
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("default (143 / 993)")
        self._add("port", "Po&rt", self.port_spin)
        self.user_edit = self._line("user", "&User", "Mailbox user", "e.g. qa@example.com")
        self.mailbox_edit = self._line("mailbox", "&Mailbox", "Mailbox", "INBOX")
        self.tls_label = QLabel()
        self.tls_label.setObjectName("codeSourceTlsLabel")
        self.tls_label.setWordWrap(True)
        set_tone(self.tls_label, Tone.MUTED)
        self.tls_label.setMinimumHeight(3 * self.tls_label.fontMetrics().lineSpacing() + 8)  # never cut off
        self._add("tls", "TLS", self.tls_label)
        self.ca_edit = self._line("ca_file", "C&A file", "CA file", "optional: PEM file of a private CA")
        self.password_edit = self._line("password", "Pass&word", "Mailbox password", "the mailbox password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.forget_password_check = QCheckBox("Forget the stored mailbox password")
        self.forget_password_check.setObjectName("codeSourceForgetPasswordCheck")
        self.form.addRow("", self.forget_password_check)
        self.bucket_edit = self._line("bucket", "&Bucket", "S3 bucket", "the receipt rule's bucket")
        self.prefix_edit = self._line("prefix", "Pre&fix", "S3 key prefix", "optional, e.g. inbound/")
        self.pattern_edit = self._line(
            "pattern", "Code &pattern", "Code pattern", "empty: 6 digits; else a regex with one group")
        self.wait_spin = QDoubleSpinBox()
        self.wait_spin.setObjectName("codeSourceWaitSpin")
        self.wait_spin.setAccessibleName("Wait for the code at most, in seconds")
        self.wait_spin.setRange(*WAIT_RANGE)
        self.wait_spin.setDecimals(0)
        self.wait_spin.setSuffix(" s")
        self.wait_spin.setValue(DEFAULT_WAIT_S)
        self._add("wait_s", "Wa&it up to", self.wait_spin)
        self.password_notice = QLabel()
        self.password_notice.setObjectName("codeSourcePasswordNoticeLabel")
        self.password_notice.setWordWrap(True)
        self.test_button = QPushButton("Test co&nnection")
        self.test_button.setObjectName("codeSourceTestButton")
        self.test_button.setAccessibleName("Test the code source's connection")
        self.test_result = QLabel()
        self.test_result.setObjectName("codeSourceTestResultLabel")
        self.test_result.setWordWrap(True)
        selectable(self.test_result)
        self.test_result.hide()

    def _line(self, field: str, label: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"codeSource{''.join(p.capitalize() for p in field.split('_'))}Edit")
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        self._add(field, label, edit)
        return edit

    def _add(self, field: str, label: str, widget: QWidget) -> None:
        self.form.addRow(label, widget)
        buddy = self.form.labelForField(widget)
        if isinstance(buddy, QLabel):
            buddy.setBuddy(widget)
        error = QLabel()
        error.setObjectName(f"codeSourceError_{field}")
        error.setWordWrap(True)
        set_tone(error, Tone.ERROR)
        self.form.addRow("", error)
        self.form.setRowVisible(error, False)
        self._rows[field] = widget
        self._errors[field] = error

    # --- showing ------------------------------------------------------------------------------
    def kind(self) -> str:
        return str(self.type_combo.currentData() or NO_SOURCE)

    def _kind_changed(self) -> None:
        kind = self.kind()
        imap, s3 = kind in (IMAP_KIND, IMAPS_KIND), kind == S3_KIND
        for field, widget in self._rows.items():
            shown = (field in _IMAP_FIELDS and imap) or (field in _S3_FIELDS and s3) or \
                field in ("kind", "pattern", "wait_s")
            if field in ("pattern", "wait_s"):
                shown = kind != NO_SOURCE
            self.form.setRowVisible(widget, shown)
            if not shown:
                self.form.setRowVisible(self._errors[field], False)
        self.form.setRowVisible(self.forget_password_check, imap and self._had_password)
        self.tls_label.setText(_TLS.get(kind, ""))
        self.password_notice.setVisible(imap)
        self.test_button.setVisible(kind != NO_SOURCE)

    def _show_password_notice(self) -> None:
        notice = self._secrets.notice
        if notice:
            self.password_notice.setText(f"The mailbox password: {notice}")
            set_tone(self.password_notice, Tone.WARNING)
        else:
            self.password_notice.setText(
                f"The mailbox password is kept in {self._secrets.backend_name}, never in a file.")
            set_tone(self.password_notice, Tone.MUTED)

    def fill(self, saved: SavedCodeSource | None, *, sandbox_profile: bool) -> None:
        """Show a saved source; none saved: the sandbox inbox for a sandbox profile, else none."""
        shown = saved or (SavedCodeSource() if sandbox_profile else None)
        self._had_password = bool(saved and saved.has_password)
        self.type_combo.setCurrentIndex(max(self.type_combo.findData(shown.kind if shown else NO_SOURCE), 0))
        if shown is not None:
            self.host_edit.setText(shown.host)
            self.port_spin.setValue(shown.port or 0)
            self.user_edit.setText(shown.user)
            self.mailbox_edit.setText(shown.mailbox)
            self.ca_edit.setText(shown.ca_file or "")
            self.pattern_edit.setText(shown.pattern)
            self.bucket_edit.setText(shown.bucket)
            self.prefix_edit.setText(shown.prefix)
            self.wait_spin.setValue(shown.wait_s)
        if self._had_password:
            self.password_edit.setPlaceholderText("stored — type a new one to replace it")
        self._kind_changed()

    def show_problem(self, field: str, message: str) -> bool:
        """Show `message` under `field`; False when the form has no such field."""
        label = self._errors.get(field)
        if label is None:
            return False
        label.setText(message)
        self.form.setRowVisible(label, True)
        return True

    def clear_problems(self) -> None:
        for label in self._errors.values():
            label.clear()
            self.form.setRowVisible(label, False)

    def focus_field(self, field: str) -> None:
        widget = self._rows.get(field)
        if widget is not None:
            widget.setFocus()

    # --- values ---------------------------------------------------------------------------------
    def password(self) -> str:
        return self.password_edit.text() if self.kind() in (IMAP_KIND, IMAPS_KIND) else ""

    def forget_password(self) -> bool:
        """Whether the stored mailbox password goes: asked for, or the source is no longer IMAP."""
        imap = self.kind() in (IMAP_KIND, IMAPS_KIND)
        return self._had_password and (not imap or self.forget_password_check.isChecked())

    def source(self) -> SavedCodeSource | None:
        """The source to save (None: no code source)."""
        kind = self.kind()
        if kind == NO_SOURCE:
            return None
        imap = kind in (IMAP_KIND, IMAPS_KIND)
        kept = self._had_password and not self.forget_password()
        has_password = imap and (bool(self.password_edit.text()) or kept)
        return SavedCodeSource(
            kind=kind, host=self.host_edit.text().strip() if imap else "",
            port=(self.port_spin.value() or None) if imap else None,
            user=self.user_edit.text().strip() if imap else "",
            mailbox=(self.mailbox_edit.text().strip() or "INBOX") if imap else "INBOX",
            ca_file=(self.ca_edit.text().strip() or None) if imap else None,
            pattern=self.pattern_edit.text(),
            bucket=self.bucket_edit.text().strip() if kind == S3_KIND else "",
            prefix=self.prefix_edit.text().strip() if kind == S3_KIND else "",
            wait_s=float(self.wait_spin.value()), has_password=has_password,
        )

    # --- testing ----------------------------------------------------------------------------------
    def test_connection(self) -> None:
        """Open the source as filled in and search it once, off the GUI thread; say what happened."""
        source = self.source()
        if source is None or not self.test_button.isEnabled():
            return
        self.clear_problems()
        problems = source.problems()
        for field, message in problems:
            self.show_problem(field, message)
        if problems:
            self._show_test("Fix the fields marked above first.", Tone.ERROR)
            return
        target = self._target()
        typed = self.password()
        use_stored = not typed and self._had_password and not self.forget_password()
        self.test_button.setEnabled(False)
        self._show_test(f"Testing {source.spec()}…", Tone.MUTED)
        future = start_blocking(self._probe, source, target, typed, use_stored, self._cancel)
        self._tasks.spawn(self._finish_test(future), name="test-code-source")

    def _probe(self, source: SavedCodeSource, target: ProbeTarget, typed: str, use_stored: bool,
               cancel: threading.Event) -> ProbeResult:
        from app.core.codes import CodeSourceError, PatternError, SourceSpecError

        try:
            opened = open_saved_source(
                source, profile_name=target.profile_name if use_stored else None,
                endpoint_url=target.endpoint_url, region=target.region, aws_profile=target.aws_profile,
                secrets=self._secrets if use_stored else None, password=typed or None)
        except CodeSourceError as error:
            return ProbeResult(False, f"{error.code}: {error.message}\nNext: {error.entry.next_step}",
                               error.code)
        except (SourceSpecError, PatternError) as error:
            return ProbeResult(False, str(error))
        return probe_source(opened, cancel)

    async def _finish_test(self, future: asyncio.Future[ProbeResult]) -> None:
        result = await future
        if self._cancel.is_set():
            return  # the dialog closed meanwhile
        self.test_button.setEnabled(True)
        self._show_test(("✓ " if result.ok else "✗ ") + result.message, Tone.OK if result.ok else Tone.ERROR)

    def _show_test(self, text: str, tone: Tone) -> None:
        self.test_result.setText(text)
        set_tone(self.test_result, tone)
        self.test_result.setVisible(bool(text))

    def stop(self) -> None:
        """The dialog closed: a test still running is stopped and its answer dropped."""
        self._cancel.set()
