"""The sandbox inbox's table model: delivered messages, newest first, with whether each code still
works (valid, superseded, used, expired, or not sent when the trigger failed)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

COLUMNS = ("Sent", "User", "Attribute", "Medium", "Destination", "Code", "State", "Subject")
KEYS = ("sent_at", "username", "attribute", "medium", "destination", "code", "state", "subject")
# Widths that fit the seeded users' names and both verifiable attributes (the columns can still be
# dragged); sized to contents, a first row for "alice" left later rows' names cut.
WIDE_SAMPLES = {"username": "choose-mfa-user", "attribute": "phone_number"}
_ANY_INDEX = QModelIndex | QPersistentModelIndex


def _short_time(text: str) -> str:
    """`2025-01-02T03:04:05.123Z` → `03:04:05`."""
    if "T" in text:
        return text.split("T", 1)[1][:8]
    return text


def _display(message: dict[str, Any], key: str) -> str:
    value = message.get(key)
    if key == "sent_at":
        return _short_time(str(value or ""))
    if key == "subject" and message.get("trigger_error"):
        return f"trigger error: {message['trigger_error']}"
    return "" if value is None else str(value)


class InboxModel(QAbstractTableModel):
    """Inbox messages, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messages: list[dict[str, Any]] = []

    def rowCount(self, parent: _ANY_INDEX = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.messages)

    def columnCount(self, parent: _ANY_INDEX = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _ANY_INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        message = self.messages[index.row()]
        key = KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(message, key)
        if role == Qt.ItemDataRole.FontRole and key == "code" and message.get("state") not in (None, "valid"):
            font = QFont()
            font.setStrikeOut(True)  # a code that no longer works
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(message.get("message") or "")
        return None

    def set_messages(self, messages: list[dict[str, Any]]) -> bool:
        """Replace the rows (newest first); False when nothing changed. Messages that only arrived
        on top of the known ones are inserted (the view keeps its rows and selection) rather than
        reset: a reset re-measures every row for the column widths. When the fetch is the newest
        N, the oldest rows that fell out of it are removed from the bottom."""
        newest_first = list(reversed(messages))
        new_ids = [m.get("id") for m in newest_first]
        old_ids = [m.get("id") for m in self.messages]
        if new_ids == old_ids:
            states = [m.get("state") for m in newest_first]
            if states == [m.get("state") for m in self.messages]:
                return False
            self.messages = newest_first  # a code was used, replaced or expired: same rows
            column = KEYS.index("state")
            self.dataChanged.emit(self.index(0, column - 1), self.index(len(self.messages) - 1, column))
            return True
        arrived = new_ids.index(old_ids[0]) if old_ids and old_ids[0] in new_ids else -1
        kept = len(new_ids) - arrived
        if arrived > 0 and new_ids[arrived:] == old_ids[:kept]:
            if kept < len(old_ids):  # the oldest fell out of the newest-N window
                self.beginRemoveRows(QModelIndex(), kept, len(old_ids) - 1)
                del self.messages[kept:]
                self.endRemoveRows()
            self.beginInsertRows(QModelIndex(), 0, arrived - 1)
            self.messages = newest_first
            self.endInsertRows()
            return True
        self.beginResetModel()
        self.messages = newest_first
        self.endResetModel()
        return True

    def message(self, row: int) -> dict[str, Any] | None:
        return self.messages[row] if 0 <= row < len(self.messages) else None
