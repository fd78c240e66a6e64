"""The request being built: attribute, ClientMetadata grid, and the send bar (send, cancel, busy
indicator with elapsed time, the profile's timeout and attempts, and problems found before sending)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.core.connection import ConnectionSettings
from app.ui.request.attribute_picker import AttributePicker
from app.ui.request.metadata_editor import MetadataEditor
from app.ui.widgets.buttons import make_button
from app.ui.widgets.style import Tone, set_tone


def describe_limits(settings: ConnectionSettings | None) -> str:
    if settings is None:
        return ""
    attempts = ("1 attempt (no retries)" if settings.max_attempts == 1
                else f"up to {settings.max_attempts} attempts")
    return f"timeout {settings.read_timeout_s:g} s · {attempts}"


class SendBar(QWidget):
    """Send / Cancel and what is happening; `send_clicked(anyway: bool)`, `cancel_clicked`."""

    send_clicked = Signal(bool)
    cancel_clicked = Signal()

    BUSY_DELAY_MS = 150

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendBar")
        self._started: float | None = None
        self.problem_fields: frozenset[str] = frozenset()
        self._build()
        self._keep_size_steady()
        self._clock = QTimer(self)
        self._clock.setInterval(100)
        self._clock.timeout.connect(self._tick)
        self._show_busy = QTimer(self)
        self._show_busy.setSingleShot(True)
        self._show_busy.setInterval(self.BUSY_DELAY_MS)
        self._show_busy.timeout.connect(self._busy_shown)
        self.send_button.clicked.connect(lambda: self.send_clicked.emit(False))
        self.send_anyway_button.clicked.connect(lambda: self.send_clicked.emit(True))
        self.cancel_button.clicked.connect(self.cancel_clicked.emit)

    def _build(self) -> None:
        self.send_button = make_button("sendButton", "Send code", "Send verification code",
                                       tip="GetUserAttributeVerificationCode (Ctrl+Enter)")
        self.send_button.setDefault(True)
        # A click sends without taking the keyboard focus: the tester's place (the code field, a
        # grid cell) stays where it was; Tab still reaches the button.
        self.send_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.cancel_button = make_button(
            "cancelButton", "Cancel", "Cancel the request in flight",
            tip="Stop waiting (Esc); a late result is still recorded in history")
        self.cancel_button.setEnabled(False)
        self.busy = QProgressBar()
        self.busy.setObjectName("busyIndicator")
        self.busy.setAccessibleName("Request in flight")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.hide()
        self.elapsed = QLabel()
        self.elapsed.setObjectName("elapsedLabel")
        self.elapsed.setAccessibleName("Elapsed time")
        self.limits = QLabel()
        self.limits.setObjectName("requestLimitsLabel")
        self.limits.setAccessibleName("Timeout and attempts of this profile")
        self.limits.setWordWrap(True)  # wraps rather than widening the request column
        self.limits.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        set_tone(self.limits, Tone.MUTED)
        self.problems = QLabel()
        self.problems.setObjectName("sendProblemsLabel")
        self.problems.setWordWrap(True)
        set_tone(self.problems, Tone.ERROR)
        self.problems.hide()
        self.send_anyway_button = make_button(
            "sendAnywayButton", "Send anyway", "Send anyway, skipping VerifyDesk's checks",
            tip="Skip VerifyDesk's own checks and let the server judge (Ctrl+Shift+Enter)")
        self.send_anyway_button.hide()

        row = QHBoxLayout()
        row.addWidget(self.send_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.busy)
        row.addWidget(self.elapsed)
        row.addWidget(self.limits, 1)
        problems_row = QHBoxLayout()
        problems_row.addWidget(self.problems, 1)
        problems_row.addWidget(self.send_anyway_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addLayout(problems_row)

    def _keep_size_steady(self) -> None:
        """The bar keeps its size whether a request is in flight or not: the busy bar and the elapsed
        text take width from the limits, which then wrap to a second line. Were the bar to grow and
        shrink with that, the ClientMetadata grid above would be laid out and repainted whole twice
        per send (measured: most of the GUI thread's paint work of a send)."""
        self.limits.setMinimumHeight(2 * self.limits.fontMetrics().lineSpacing())
        self.elapsed.setMinimumWidth(self.elapsed.fontMetrics().horizontalAdvance("Sending… 00.0 s"))

    def set_in_flight(self, in_flight: bool) -> None:
        """Cancel is usable at once; the busy bar and the elapsed time appear only when the request
        is still in flight after `BUSY_DELAY_MS` (a quick answer does not flash them, and the GUI
        thread stays out of the worker's way while it runs)."""
        self.cancel_button.setEnabled(in_flight)
        if in_flight:
            self._started = time.monotonic()
            self._show_busy.start()
        else:
            self._show_busy.stop()
            self._clock.stop()
            if self.busy.isVisible():
                self.busy.hide()

    def _busy_shown(self) -> None:
        self.busy.show()
        self._tick()
        self._clock.start()

    def set_finished_text(self, text: str) -> None:
        self.elapsed.setText(text)

    def _tick(self) -> None:
        if self._started is not None:
            self.elapsed.setText(f"Sending… {time.monotonic() - self._started:.1f} s")

    def show_problems(self, lines: list[str], *, offer_anyway: bool, fields: Iterable[str] = ()) -> None:
        """Problems found before sending; `fields` names the request fields they are about."""
        self.problem_fields = frozenset(fields)
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))
        self.send_anyway_button.setVisible(bool(lines) and offer_anyway)

    def clear_problems(self) -> None:
        self.show_problems([], offer_anyway=False)


class RequestPanel(QGroupBox):
    """Attribute, ClientMetadata and the send bar, as one box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Request — GetUserAttributeVerificationCode", parent)
        self.setObjectName("requestPanel")
        self.picker = AttributePicker()
        self.metadata = MetadataEditor()
        self.send_bar = SendBar()
        caption = QLabel("ClientMetadata (passed to the Custom Message trigger)")
        caption.setObjectName("metadataCaption")
        caption.setBuddy(self.metadata)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(caption)
        layout.addWidget(self.metadata, 1)
        layout.addWidget(self.send_bar)
        self._layout = layout

    def add_below_attribute(self, widget: QWidget) -> None:
        """A control about the selected attribute (changing its value), just below the picker."""
        self._layout.insertWidget(self._layout.indexOf(self.picker) + 1, widget)

    def insert_above_send(self, widget: QWidget) -> None:
        """A notice about the request (e.g. that no trigger uses the metadata), just above Send."""
        self._layout.insertWidget(self._layout.indexOf(self.send_bar), widget)
