"""Sandbox → Inject error…: make the sandbox's next calls of an operation fail with an error from the
catalogue, or be slowed down; the faults still armed are listed and can be cleared. Every call to the
control API runs off the GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.error_catalogue import lookup
from app.sandbox.faults import ANY_OPERATION, MAX_DELAY_S, injectable_codes
from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.widgets.style import Tone, set_tone

if TYPE_CHECKING:
    from app.sandbox.control import SandboxControl

OPERATIONS = (
    "GetUserAttributeVerificationCode", "VerifyUserAttribute", "UpdateUserAttributes", "GetUser",
    "InitiateAuth", "RespondToAuthChallenge", ANY_OPERATION,
)
NO_ERROR = "(none: only the delay)"


def describe_fault(fault: dict[str, Any]) -> str:
    """`GetUser: LimitExceededException (HTTP 400), 2 more calls, after 1.5 s`."""
    what = str(fault.get("error_code") or "no error")
    if fault.get("error_code"):
        what += f" (HTTP {fault.get('http_status')})"
    operation = "any operation" if fault.get("operation") == ANY_OPERATION else fault.get("operation")
    remaining = int(fault.get("remaining") or 0)
    text = f"{operation}: {what}, {remaining} more call{'s' if remaining != 1 else ''}"
    delay = float(fault.get("delay_s") or 0)
    return text + (f", after {delay:g} s" if delay else "")


class FaultDialog(QDialog):
    """Arm faults in the sandbox and see the ones pending (refreshed after every change)."""

    def __init__(self, control: SandboxControl, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("faultDialog")
        self.setWindowTitle("Inject error")
        self.control = control
        self._tasks = tasks
        self.operation_combo = QComboBox()
        self.operation_combo.setObjectName("faultOperationCombo")
        self.operation_combo.setAccessibleName("Operation")
        self.operation_combo.setEditable(True)
        self.operation_combo.addItems(OPERATIONS)
        self.operation_combo.setToolTip("The operation whose next calls fail; * for any operation")
        self.error_combo = QComboBox()
        self.error_combo.setObjectName("faultErrorCombo")
        self.error_combo.setAccessibleName("Error code")
        for code in injectable_codes():
            self.error_combo.addItem(code, code)
            self.error_combo.setItemData(self.error_combo.count() - 1, lookup(code).explanation,
                                         Qt.ItemDataRole.ToolTipRole)
        self.error_combo.addItem(NO_ERROR, None)
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("faultCountSpin")
        self.count_spin.setAccessibleName("Number of calls")
        self.count_spin.setRange(1, 1000)
        self.delay_spin = QDoubleSpinBox()
        self.delay_spin.setObjectName("faultDelaySpin")
        self.delay_spin.setAccessibleName("Delay in seconds")
        self.delay_spin.setRange(0.0, MAX_DELAY_S)
        self.delay_spin.setSuffix(" s")
        self.inject_button = QPushButton("&Inject")
        self.inject_button.setObjectName("injectFaultButton")
        self.inject_button.setDefault(True)
        self.pending_list = QListWidget()
        self.pending_list.setObjectName("pendingFaultsList")
        self.pending_list.setAccessibleName("Pending faults")
        self.clear_button = QPushButton("C&lear all")
        self.clear_button.setObjectName("clearFaultsButton")
        self.clear_button.setAccessibleName("Clear the pending faults")
        self.status = QLabel()
        self.status.setObjectName("faultStatusLabel")
        self.status.setWordWrap(True)
        self._build_layout()
        self.inject_button.clicked.connect(self.inject)
        self.clear_button.clicked.connect(self.clear)
        self.refresh()

    def _build_layout(self) -> None:
        form = QFormLayout()
        for text, field in (("&Operation", self.operation_combo), ("&Error code", self.error_combo),
                            ("&Calls", self.count_spin), ("&Delay", self.delay_spin)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        pending = QLabel("&Pending faults")
        pending.setBuddy(self.pending_list)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.inject_button)
        layout.addWidget(self.status)
        layout.addWidget(pending)
        layout.addWidget(self.pending_list, 1)
        layout.addWidget(self.clear_button)
        layout.addWidget(buttons)

    def _say(self, text: str, tone: Tone) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)

    def inject(self) -> None:
        operation = self.operation_combo.currentText().strip()
        error_code = self.error_combo.currentData()
        count, delay_s = self.count_spin.value(), self.delay_spin.value()
        self._tasks.spawn(self._inject(operation, error_code, count, delay_s), name="inject-fault")

    async def _inject(self, operation: str, error_code: str | None, count: int, delay_s: float) -> None:
        self.inject_button.setEnabled(False)
        try:
            fault = await run_blocking(self.control.inject_fault, operation, error_code=error_code,
                                       count=count, delay_s=delay_s)
        except Exception as error:  # the control API names the bad value
            self._say(f"Not injected: {error}", Tone.ERROR)
            return
        finally:
            self.inject_button.setEnabled(True)
        self._say(f"Injected: {describe_fault(fault)}.", Tone.OK)
        await self._refresh()

    def clear(self) -> None:
        self._tasks.spawn(self._clear(), name="clear-faults")

    async def _clear(self) -> None:
        try:
            await run_blocking(self.control.clear_faults)
        except Exception as error:
            self._say(f"Not cleared: {error}", Tone.ERROR)
            return
        self._say("Cleared: no injected faults are pending.", Tone.OK)
        await self._refresh()

    def refresh(self) -> None:
        self._tasks.spawn(self._refresh(), name="list-faults")

    async def _refresh(self) -> None:
        try:
            faults = await run_blocking(self.control.faults)
        except Exception as error:
            self._say(f"Could not list the pending faults: {error}", Tone.WARNING)
            return
        self.pending_list.clear()
        self.pending_list.addItems([describe_fault(fault) for fault in faults])
        if not faults:
            self.pending_list.addItem("(none)")
        self.clear_button.setEnabled(bool(faults))
