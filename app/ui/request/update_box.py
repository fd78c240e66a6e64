"""The "Change value…" box of the request column: the new value for the selected attribute, checked
as it is typed, with Change / Send anyway / Cancel and a busy indicator while UpdateUserAttributes runs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.style import Tone, set_tone


def _button(text: str, name: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    return button


class UpdateBox(QWidget):
    """`change_clicked(anyway: bool)`, `cancel_clicked`; the form shows after "Change value…"."""

    change_clicked = Signal(bool)
    cancel_clicked = Signal()
    value_edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("updateBox")
        self.open_button = QPushButton("Change value…")
        self.open_button.setObjectName("changeValueButton")
        self.open_button.setAccessibleName("Change the selected attribute's value (UpdateUserAttributes)")
        self.open_button.setToolTip(
            "UpdateUserAttributes as the signed-in user, with the ClientMetadata below")
        self.open_button.setCheckable(True)
        self.form = QGroupBox("Change value — UpdateUserAttributes")
        self.form.setObjectName("updateForm")
        self.value_edit = QLineEdit()
        self.value_edit.setObjectName("newValueEdit")
        self.value_edit.setAccessibleName("New value")
        self.value_edit.setPlaceholderText("new@example.com")
        value_label = QLabel("New &value")
        value_label.setBuddy(self.value_edit)
        self.change_button = _button("Change", "updateButton", "Change the value")
        self.anyway_button = _button(
            "Send anyway", "updateAnywayButton", "Change anyway, skipping VerifyDesk's checks")
        self.anyway_button.hide()
        self.cancel_button = _button("Cancel", "updateCancelButton", "Cancel the change in flight")
        self.cancel_button.setEnabled(False)
        self.busy = QProgressBar()
        self.busy.setObjectName("updateBusyIndicator")
        self.busy.setAccessibleName("Change in flight")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumSize(80, 14)
        self.busy.hide()
        self.problem = QLabel()
        self.problem.setObjectName("newValueProblemLabel")
        self.problem.setWordWrap(True)
        set_tone(self.problem, Tone.ERROR)
        self.problem.hide()
        self._connect()
        self._lay_out(value_label)
        self.open_button.toggled.connect(self._toggled)

    def _lay_out(self, value_label: QLabel) -> None:
        value_row = QHBoxLayout()
        value_row.addWidget(value_label)
        value_row.addWidget(self.value_edit, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.change_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        buttons.addWidget(self.anyway_button)
        form_layout = QVBoxLayout(self.form)
        form_layout.addLayout(value_row)
        form_layout.addWidget(self.problem)
        form_layout.addLayout(buttons)
        self.form.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        layout.addLayout(row)
        layout.addWidget(self.form)

    def _connect(self) -> None:
        self.change_button.clicked.connect(lambda: self.change_clicked.emit(False))
        self.anyway_button.clicked.connect(lambda: self.change_clicked.emit(True))
        self.cancel_button.clicked.connect(self.cancel_clicked.emit)
        self.value_edit.returnPressed.connect(lambda: self.change_clicked.emit(False))
        self.value_edit.textEdited.connect(self.value_edited.emit)

    def _toggled(self, on: bool) -> None:
        self.form.setVisible(on)
        if on:
            self.value_edit.setFocus()
        self.value_edited.emit(self.value_edit.text())

    @property
    def is_open(self) -> bool:
        return self.open_button.isChecked()

    def new_value(self) -> str:
        return self.value_edit.text()

    def set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.change_button.setEnabled(not busy)
        self.busy.setVisible(busy)

    def show_problems(self, lines: list[str], *, offer_anyway: bool) -> None:
        self.problem.setText("\n".join(lines))
        self.problem.setVisible(bool(lines))
        self.anyway_button.setVisible(bool(lines) and offer_anyway)
