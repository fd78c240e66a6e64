"""The event the Custom Message trigger will receive for the request being built, live.

Built by the one event builder (`app.core.trigger_event`, through `trigger_insight.preview_event`)
from the profile, GetUser's attributes and the ClientMetadata exactly as the grid will send it.
Copy it as a Lambda console test event or save it as a JSON file (the dialog opens with `open()`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.atomic import atomic_write_text
from app.core.trigger_insight import EventInputs, event_json, medium_for, preview_event
from app.core.wording import plural
from app.ui.request.result_view import copy_text
from app.ui.widgets.style import Tone, mono_font, selectable, set_tone

_log = logging.getLogger(__name__)
DEFAULT_FILE_NAME = "custom-message-event.json"


class EventPreviewPanel(QWidget):
    """Read-only JSON of the event, a note on where each part came from, Copy and Save."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventPreviewPanel")
        self.current_event: dict[str, Any] | None = None
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("eventPreviewEdit")
        self.editor.setAccessibleName("The Custom Message trigger's event for this request")
        self.editor.setReadOnly(True)
        self.editor.setFont(mono_font())
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.note = QLabel()
        self.note.setObjectName("eventPreviewNoteLabel")
        self.note.setWordWrap(True)
        self.note.setMinimumWidth(60)
        selectable(self.note)
        set_tone(self.note, Tone.MUTED)
        self.copy_button = QPushButton("Copy as Lambda test event")
        self.copy_button.setObjectName("copyTestEventButton")
        self.copy_button.setAccessibleName("Copy the event as a Lambda console test event")
        self.copy_button.setToolTip("Paste it into the Lambda console's Test tab as the event JSON")
        self.save_button = QPushButton("Save JSON…")
        self.save_button.setObjectName("saveEventButton")
        self.save_button.setAccessibleName("Save the event as a JSON file")
        self.saved = QLabel()
        self.saved.setObjectName("eventSavedLabel")
        self.saved.setWordWrap(True)
        self.saved.setMinimumWidth(60)
        selectable(self.saved)
        self.saved.hide()
        side = QVBoxLayout()
        side.addWidget(self.copy_button)
        side.addWidget(self.save_button)
        side.addWidget(self.saved)
        side.addWidget(self.note, 1)
        side_box = QWidget()
        side_box.setObjectName("eventPreviewSide")
        side_box.setLayout(side)
        side.setContentsMargins(0, 0, 0, 0)
        side_scroll = self._side_scroll(side_box)
        self.side_scroll = side_scroll
        layout = QHBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(side_scroll)
        self.copy_button.clicked.connect(self.copy_event)
        self.save_button.clicked.connect(self.choose_file)
        self.dialog: QFileDialog | None = None
        self.show_inputs(EventInputs(None, None, None, None, {}, None))

    @staticmethod
    def _side_scroll(side_box: QWidget) -> QScrollArea:
        """The buttons and the note, as long as it needs: in a short bottom tab it scrolls rather
        than being cut off."""
        scroll = QScrollArea()
        scroll.setObjectName("eventPreviewSideScroll")
        scroll.setWidget(side_box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setMaximumWidth(360)
        scroll.setMinimumWidth(200)
        return scroll

    def show_inputs(
        self, inputs: EventInputs, *, attribute_name: str = "", grid_problem: bool = False
    ) -> None:
        """Rebuild the preview from what the window knows now."""
        try:
            event = preview_event(inputs)
        except ValueError as problem:
            self.current_event = None
            self.editor.setPlainText("")
            self.editor.setPlaceholderText(str(problem))
            self.note.setText("")
            self.note.hide()
            self._enable()
            return
        self.current_event = event
        text = event_json(event)
        if text != self.editor.toPlainText():
            scroll = self.editor.verticalScrollBar().value()
            self.editor.setPlainText(text)
            self.editor.verticalScrollBar().setValue(scroll)
        self.note.setText(self._describe(inputs, attribute_name, grid_problem))
        set_tone(self.note, Tone.WARNING if grid_problem else Tone.MUTED)
        self.note.show()
        self._enable()

    @staticmethod
    def _describe(inputs: EventInputs, attribute_name: str, grid_problem: bool) -> str:
        metadata = inputs.client_metadata or {}
        parts = [f"triggerSource {inputs.trigger_source}, for the call about to be made."]
        if inputs.change is not None:
            parts.append(f"Changing {inputs.change[0]} to {inputs.change[1]} (UpdateUserAttributes): the "
                         "code goes to the new value, which userAttributes carries, not verified.")
        elif attribute_name:
            parts.append(f"Sending a code for {attribute_name} by {medium_for(attribute_name)}; the event "
                         "itself does not name the attribute.")
        parts.append(f"userAttributes: {len(inputs.user_attributes)} from GetUser, plus cognito:user_status.")
        if grid_problem:
            parts.append("The ClientMetadata grid has problems: Send is blocked, and Send anyway would "
                         "send what is shown (the first of duplicate keys).")
        elif metadata:
            parts.append(f"clientMetadata: {len(metadata)} {plural(len(metadata), 'key')}, "
                         "as the grid will send them.")
        else:
            parts.append("No clientMetadata: the grid is empty, so the parameter is omitted and the "
                         "event has no clientMetadata.")
        return "\n".join(parts)

    def _enable(self) -> None:
        self.copy_button.setEnabled(self.current_event is not None)
        self.save_button.setEnabled(self.current_event is not None)

    def copy_event(self) -> None:
        if self.current_event is not None:
            copy_text(event_json(self.current_event))
            self._saved_note("Copied: in the Lambda console, Test → Create new event → paste.", Tone.OK)

    def choose_file(self) -> None:
        """A save dialog opened with `open()` (never exec() inside the event loop)."""
        if self.current_event is None:
            return
        dialog = QFileDialog(self, "Save the trigger event as JSON")
        dialog.setObjectName("saveEventDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters(["JSON files (*.json)", "All files (*)"])
        dialog.setDefaultSuffix("json")
        dialog.selectFile(DEFAULT_FILE_NAME)
        dialog.fileSelected.connect(self.save_to)
        self.dialog = dialog
        dialog.open()

    def save_to(self, path: str) -> None:
        if self.current_event is None or not path:
            return
        try:
            atomic_write_text(Path(path), event_json(self.current_event) + "\n")
        except OSError as error:
            self._saved_note(f"Could not save {path}: {error.strerror or error}", Tone.ERROR)
            return
        self._saved_note(f"Saved {path}", Tone.OK)

    def _saved_note(self, text: str, tone: Tone) -> None:
        self.saved.setText(text)
        set_tone(self.saved, tone)
        self.saved.show()
