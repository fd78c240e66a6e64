"""The result of a send: where the code went, or the error with its explanation and next step;
and the verify box (code field + button)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.calls import SendResult, UpdateResult
from app.core.errors import ErrorContext, ServiceError
from app.core.redaction import redact
from app.core.visible import shown
from app.core.wording import latency_text
from app.ui.widgets.buttons import make_button
from app.ui.widgets.style import Tone, selectable, set_tone


def _value_label(name: str, accessible: str) -> QLabel:
    label = QLabel("—")
    label.setTextFormat(Qt.TextFormat.PlainText)  # server text is never read as HTML
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    # Ids and tokens have no spaces: let the layout narrow the label (it wraps at hyphens)
    # instead of widening the whole column.
    label.setMinimumWidth(60)
    selectable(label)
    return label


class FitLabel(QLabel):
    """A one-word heading (an error code has no spaces to wrap at): drawn at `max_pt`, and at a
    smaller size, down to `min_pt`, when the column is too narrow for it; never widens the column.
    `max_pt` None: the widget's own font size (a value such as a request id, not a heading)."""

    def __init__(
        self, name: str, accessible: str, max_pt: float | None = 15.0, min_pt: float = 9.0, *,
        bold: bool = True,
    ) -> None:
        super().__init__("—")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        font = self.font()
        self._sizes = (max_pt if max_pt is not None else font.pointSizeF(), min_pt)
        font.setBold(bold)
        self.setFont(font)
        self.setMinimumWidth(60)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        selectable(self)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        largest, smallest = self._sizes
        available = max(self.contentsRect().width() - 2, 1)
        font = QFont(self.font())
        size = largest
        while size > smallest:
            font.setPointSizeF(size)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= available:
                break
            size -= 0.5
        font.setPointSizeF(max(size, smallest))
        if font != self.font():
            self.setFont(font)


def _copy_button(name: str, accessible: str, text: str = "Copy") -> QPushButton:
    return make_button(name, text, accessible, tip=accessible)


def format_latency(ms: float | None) -> str:
    return latency_text(ms, missing="—")


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


class ResultView(QGroupBox):
    """Shows the latest send's outcome; `refresh_requested` asks the window to refresh and resend."""

    refresh_requested = Signal()
    trigger_view_requested = Signal()  # the tester wants the trigger view (Lambda trigger errors)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Result", parent)
        self.setObjectName("resultView")
        self._payload: dict[str, Any] = {}
        self.stack = QStackedWidget()

        # --- empty ------------------------------------------------------------------------------
        self.empty = QLabel("Send a request to see where the code goes.")
        self.empty.setObjectName("resultEmptyLabel")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        set_tone(self.empty, Tone.MUTED)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_success())
        self.stack.addWidget(self._build_error())
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setObjectName("resultNoteLabel")
        self.note.setWordWrap(True)
        set_tone(self.note, Tone.MUTED)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.note)

        self.copy_destination.clicked.connect(lambda: copy_text(self.delivery_destination.text()))
        self.copy_request_id.clicked.connect(lambda: copy_text(self.request_id.text()))
        self.copy_result.clicked.connect(self._copy_payload)
        self.copy_error.clicked.connect(self._copy_payload)

    def _build_success(self) -> QWidget:
        success = QWidget()
        self.success_title = QLabel("Code sent")
        self.success_title.setObjectName("resultTitleLabel")
        self.success_title.setProperty("heading", True)
        set_tone(self.success_title, Tone.OK)
        self.delivery_attribute = _value_label("deliveryAttributeLabel", "Delivery attribute")
        self.delivery_medium = _value_label("deliveryMediumLabel", "Delivery medium")
        self.delivery_destination = _value_label("deliveryDestinationLabel", "Delivery destination")
        # A request id is one 36-character word: drawn a little smaller when the column is narrow
        # rather than broken at a hyphen (the copy button copies it whole).
        self.request_id = FitLabel("requestIdLabel", "Request id", None, 7.0, bold=False)
        self.latency = _value_label("latencyLabel", "Latency")
        self.attempts = _value_label("attemptsLabel", "Attempts")
        self.http_status = _value_label("httpStatusLabel", "HTTP status")
        self.copy_destination = _copy_button("copyDestinationButton", "Copy destination", "Copy destination")
        self.copy_request_id = _copy_button("copyRequestIdButton", "Copy request id", "Copy request id")
        self.copy_result = _copy_button("copyResultButton", "Copy the result as JSON", "Copy JSON")
        grid = QGridLayout()
        rows = [
            ("Attribute", self.delivery_attribute),
            ("Medium", self.delivery_medium),
            ("Destination", self.delivery_destination),
            ("Request id", self.request_id),
            ("Latency", self.latency),
            ("Attempts", self.attempts),
            ("HTTP status", self.http_status),
        ]
        for row, (caption, label) in enumerate(rows):
            grid.addWidget(QLabel(caption), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
        grid.setColumnStretch(1, 1)
        # The copy buttons sit below the values, which keep the column's whole width (a request id
        # has no place to wrap but its first hyphen).
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_destination)
        copy_row.addWidget(self.copy_request_id)
        copy_row.addStretch(1)
        success_layout = QVBoxLayout(success)
        success_layout.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.success_title, 1)
        title_row.addWidget(self.copy_result)
        success_layout.addLayout(title_row)
        success_layout.addLayout(grid)
        success_layout.addLayout(copy_row)
        success_layout.addStretch(1)
        return success

    def _build_error(self) -> QFrame:
        error = QFrame()
        error.setObjectName("errorPanel")
        error.setProperty("banner", True)
        set_tone(error, Tone.ERROR)
        self.error_panel = error
        self.error_code = FitLabel("errorCodeLabel", "Error code")
        self.error_message = _value_label("errorMessageLabel", "Error message")
        self.error_status = _value_label("errorHttpStatusLabel", "HTTP status")
        self.error_explanation = _value_label("errorExplanationLabel", "What it means")
        self.error_next = _value_label("errorNextStepLabel", "What to do next")
        self.error_meta = _value_label("errorDetailsLabel", "Request id, latency and attempts")
        self.refresh_button = QPushButton("Refresh session and send again")
        self.refresh_button.setObjectName("refreshAndResendButton")
        self.refresh_button.setAccessibleName("Refresh the session and send again")
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.trigger_button = QPushButton("Open the trigger view…")
        self.trigger_button.setObjectName("openTriggerViewButton")
        self.trigger_button.setAccessibleName("Open the trigger view: the event sent, the response, the log")
        self.trigger_button.setToolTip("The event the trigger received, what it returned, its log lines")
        self.trigger_button.clicked.connect(self.trigger_view_requested.emit)
        self.copy_error = _copy_button("copyErrorButton", "Copy the error as JSON", "Copy JSON")
        error_layout = QVBoxLayout(error)
        error_layout.addWidget(self.error_code)
        error_layout.addWidget(self.error_message)
        error_layout.addWidget(self.error_status)
        error_layout.addWidget(self.error_explanation)
        error_layout.addWidget(self.error_next)
        error_layout.addWidget(self.error_meta)
        error_layout.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignLeft)
        error_layout.addWidget(self.trigger_button, 0, Qt.AlignmentFlag.AlignLeft)
        error_layout.addStretch(1)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_error)
        error_layout.addLayout(copy_row)
        return error

    # --- showing -----------------------------------------------------------------------------
    def show_note(self, text: str, tone: Tone = Tone.MUTED) -> None:
        """Show `text` under the result in `tone`; an empty text hides the note (its tone waits for
        the next text: re-polishing a hidden label is wasted work on every send)."""
        self.note.setText(text)
        if text:
            set_tone(self.note, tone)
        self.note.setVisible(bool(text))

    def clear(self) -> None:
        self.stack.setCurrentIndex(0)
        self.show_note("")

    def show_success(self, result: SendResult, *, note: str = "") -> None:
        delivery = result.delivery
        self.delivery_attribute.setText(shown(delivery.attribute_name or "—") if delivery else "—")
        self.delivery_medium.setText(shown(delivery.delivery_medium or "—") if delivery else "—")
        self.delivery_destination.setText(shown(delivery.destination or "—") if delivery else "—")
        self.success_title.setText(
            "Code sent" if delivery else "Accepted, but no CodeDeliveryDetails came back")
        set_tone(self.success_title, Tone.OK if delivery else Tone.WARNING)
        self.request_id.setText(shown(result.request_id or "—"))
        self.latency.setText(format_latency(result.latency_ms))
        self.attempts.setText(str(result.attempts))
        self.http_status.setText(str(result.http_status or "—"))
        self.copy_destination.setEnabled(bool(delivery and delivery.destination))
        self.copy_request_id.setEnabled(bool(result.request_id))
        self._payload = {
            "ok": True,
            "code_delivery_details": delivery.to_api() if delivery else None,
            "request_id": result.request_id,
            "http_status": result.http_status,
            "latency_ms": round(result.latency_ms, 1),
            "attempts": result.attempts,
        }
        self.stack.setCurrentIndex(1)
        self.show_note(note)

    def show_update(self, result: UpdateResult, attribute_name: str, *, pending: bool | None,
                    note: str = "") -> None:
        """An attribute change that succeeded: where its code went (CodeDeliveryDetailsList)."""
        send = SendResult(result.delivery_for(attribute_name), result.request_id, result.http_status,
                          result.latency_ms, result.attempts)
        self.show_success(send, note=note)
        state = {True: "pending until verified", False: "applied", None: "changed"}[pending]
        sent = "; code sent" if send.delivery else ""
        self.success_title.setText(f"{shown(attribute_name)} {state}{sent}")
        set_tone(self.success_title, Tone.OK)
        self._payload = {
            **{k: v for k, v in self._payload.items() if k != "code_delivery_details"},
            "code_delivery_details_list": [d.to_api() for d in result.deliveries],
            "pending": pending,
        }

    def show_error(
        self, error: ServiceError, *, can_refresh: bool, note: str = "", attribute_name: str | None = None,
        operation: str = "send",
    ) -> None:
        context = ErrorContext(operation, can_refresh=can_refresh, attribute_name=attribute_name)
        entry = error.entry_in(context)
        self.error_code.setText(shown(error.code))
        self.error_message.setText(shown(redact(error.message)) or "(no message)")
        status = error.http_status or entry.http_status
        self.error_status.setText(f"HTTP {status}" if error.http_status else "No HTTP response")
        self.error_explanation.setText(f"What it means: {entry.explanation}")
        self.error_next.setText(f"Next: {entry.next_step}")
        details = [f"request id {shown(error.request_id)}" if error.request_id else "no request id",
                   f"latency {format_latency(error.latency_ms)}", f"attempts {error.attempts}"]
        self.error_meta.setText(" · ".join(details))
        self.refresh_button.setVisible(entry.offers_refresh and error.offers_refresh and can_refresh)
        self.trigger_button.setVisible(entry.trigger_related)
        self._payload = {"ok": False, "error": {**error.to_dict(), "message": redact(error.message)},
                         "attempts": error.attempts, "latency_ms": error.latency_ms}
        self.stack.setCurrentIndex(2)
        self.show_note(note)

    def _copy_payload(self) -> None:
        copy_text(json.dumps(self._payload, indent=2, ensure_ascii=False))

    @property
    def showing(self) -> str:
        return ("empty", "success", "error")[self.stack.currentIndex()]


class VerifyBox(QGroupBox):
    """Code field and Verify button; Enter in the field verifies. `verify_requested(code)`."""

    verify_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Verify", parent)
        self.setObjectName("verifyBox")
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("codeEdit")
        self.code_edit.setAccessibleName("Verification code")
        self.code_edit.setPlaceholderText("the code that was delivered")
        self.code_edit.setMaxLength(2048)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setAccessibleName("Verify the attribute with this code")
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setObjectName("verifyResultLabel")
        self.result.setWordWrap(True)
        selectable(self.result)
        self.result.hide()
        label = QLabel("C&ode")
        label.setBuddy(self.code_edit)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.code_edit, 1)
        row.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.result)
        self._layout = layout
        self.code_edit.returnPressed.connect(self._request)
        self.verify_button.clicked.connect(self._request)

    def add_section(self, widget: QWidget) -> None:
        """A row under the code field (e.g. fetching the code from where it was delivered)."""
        self._layout.insertWidget(1, widget)

    def _request(self) -> None:
        if self.verify_button.isEnabled():
            self.verify_requested.emit(self.code_edit.text().strip())

    def set_busy(self, busy: bool) -> None:
        self.verify_button.setEnabled(not busy)
        self.verify_button.setText("Verifying…" if busy else "Verify")

    def show_result(self, text: str, tone: Tone) -> None:
        self.result.setText(text)
        set_tone(self.result, tone)
        self.result.setVisible(bool(text))
