"""Sandbox → Rate limit and update settings…: how many codes one user may request per time window
(one more answers LimitExceededException), and which attributes keep their original value until a
changed one is verified. Read from and written to the control API off the GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.widgets.style import Tone, set_tone

if TYPE_CHECKING:
    from app.sandbox.control import SandboxControl

NO_LIMIT = "no limit"
KEEPABLE = ("email", "phone_number")


class SandboxSettingsDialog(QDialog):
    """The sandbox's code rate and AttributesRequireVerificationBeforeUpdate; Apply sends both."""

    def __init__(self, control: SandboxControl, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sandboxSettingsDialog")
        self.setWindowTitle("Sandbox settings")
        self.control = control
        self._tasks = tasks
        self.max_spin = QSpinBox()
        self.max_spin.setObjectName("codeRateMaxSpin")
        self.max_spin.setAccessibleName("Codes per user and window")
        self.max_spin.setRange(0, 10_000)
        self.max_spin.setSpecialValueText(NO_LIMIT)  # 0: no limit
        self.window_spin = QDoubleSpinBox()
        self.window_spin.setObjectName("codeRateWindowSpin")
        self.window_spin.setAccessibleName("Window in seconds")
        self.window_spin.setRange(1.0, 7 * 24 * 3600.0)
        self.window_spin.setDecimals(0)
        self.window_spin.setSuffix(" s")
        self.keep_checks = {name: QCheckBox(name) for name in KEEPABLE}
        for name, check in self.keep_checks.items():
            check.setObjectName(f"keepOriginal_{name}")
        self.apply_button = QPushButton("&Apply")
        self.apply_button.setObjectName("applySandboxSettingsButton")
        self.apply_button.setEnabled(False)  # until the current settings were read
        self.status = QLabel("Reading the sandbox's settings…")
        self.status.setObjectName("sandboxSettingsStatusLabel")
        self.status.setWordWrap(True)
        form = QFormLayout()
        max_label = QLabel("&Codes per user")
        max_label.setBuddy(self.max_spin)
        window_label = QLabel("&Within")
        window_label.setBuddy(self.window_spin)
        form.addRow(max_label, self.max_spin)
        form.addRow(window_label, self.window_spin)
        keep = QLabel("Keep the original value until the new one is verified:")
        keep.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(keep)
        for check in self.keep_checks.values():
            layout.addWidget(check)
        layout.addWidget(self.apply_button)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.apply_button.clicked.connect(self.apply)
        self._tasks.spawn(self._read(), name="read-sandbox-settings")

    def _say(self, text: str, tone: Tone) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)

    async def _read(self) -> None:
        try:
            rate = await run_blocking(self.control.code_rate)
            keep = await run_blocking(self.control.keep_original)
        except Exception as error:
            self._say(f"Could not read the sandbox's settings: {error}", Tone.WARNING)
            return
        self.max_spin.setValue(int(rate.get("max_codes") or 0))
        self.window_spin.setValue(float(rate.get("window_s") or 3600.0))
        for name, check in self.keep_checks.items():
            check.setChecked(name in keep)
        self.apply_button.setEnabled(True)
        self._say(self._summary(rate.get("max_codes"), float(rate.get("window_s") or 0), keep), Tone.MUTED)

    @staticmethod
    def _summary(max_codes: int | None, window_s: float, keep: list[str]) -> str:
        rate = "no limit on codes" if not max_codes else f"{max_codes} code(s) per user in {window_s:g} s"
        kept = ", ".join(keep) if keep else "no attribute"
        return f"Now: {rate}; {kept} keeps its original value on a change."

    def apply(self) -> None:
        max_codes = self.max_spin.value() or None
        keep = [name for name, check in self.keep_checks.items() if check.isChecked()]
        self._tasks.spawn(self._apply(max_codes, self.window_spin.value(), keep), name="set-sandbox-settings")

    async def _apply(self, max_codes: int | None, window_s: float, keep: list[str]) -> None:
        self.apply_button.setEnabled(False)
        try:
            rate = await run_blocking(self.control.set_code_rate, max_codes, window_s)
            kept = await run_blocking(self.control.set_keep_original, keep)
        except Exception as error:
            self._say(f"Not applied: {error}", Tone.ERROR)
            return
        finally:
            self.apply_button.setEnabled(True)
        self._say("Applied (request counts restart). "
                  + self._summary(rate.get("max_codes"), float(rate.get("window_s") or 0), kept), Tone.OK)
