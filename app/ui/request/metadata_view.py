"""The ClientMetadata grid's table view (keyboard commands) and the JSON preview text."""

from __future__ import annotations

import itertools
import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QTableView

PREVIEW_MAX_KEYS = 1000
"""Keys shown in the preview; a bigger map is summarised after these so typing stays fluid."""
PREVIEW_MAX_CHARS = 2000
"""Characters of one key or value shown in the preview."""


def _preview_string(text: str, limit: int) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    if len(quoted) <= limit:
        return quoted
    return f"{quoted[:limit]}… (+{len(quoted) - limit:,} characters, sent in full)"


def preview_json(
    metadata: dict[str, str], max_keys: int = PREVIEW_MAX_KEYS, max_chars: int = PREVIEW_MAX_CHARS
) -> str:
    """The map as indented JSON (as `json.dumps(indent=2)` writes it). Past `max_keys` keys, or
    `max_chars` characters in one key or value, the rest is summarised, so typing stays fluid."""
    lines = [
        f"  {_preview_string(key, max_chars)}: {_preview_string(value, max_chars)}"
        for key, value in itertools.islice(metadata.items(), max_keys)
    ]
    hidden = len(metadata) - max_keys
    if hidden > 0:
        lines.append(f"  … {hidden:,} more keys, sent in full but not shown here")
    return "{\n" + ",\n".join(lines) + "\n}"


class MetadataTableView(QTableView):
    """The grid, with the editor's keyboard commands (Ins, Del, Ctrl+D, Ctrl+V, Ctrl+C)."""

    add_requested = Signal()
    remove_requested = Signal()
    duplicate_requested = Signal()
    paste_requested = Signal()
    copy_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if self.state() != QAbstractItemView.State.EditingState:
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste_requested.emit()
                return
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_requested.emit()
                return
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if event.key() == Qt.Key.Key_Insert and modifiers == Qt.KeyboardModifier.NoModifier:
                self.add_requested.emit()
                return
            if event.key() == Qt.Key.Key_Delete and modifiers == Qt.KeyboardModifier.NoModifier:
                self.remove_requested.emit()
                return
            if event.key() == Qt.Key.Key_D and modifiers == Qt.KeyboardModifier.ControlModifier:
                self.duplicate_requested.emit()
                return
        super().keyPressEvent(event)
