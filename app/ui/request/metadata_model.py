"""The ClientMetadata grid's table model: (key, value) rows checked by `app.core.validation`.

Rows are plain `MetadataRow`s; no per-row widgets exist, so 10,000 rows cost one list. Each edit
re-runs `metadata_row_problems` (a single pass over the rows) and repaints only the key cells whose
problem changed. Bulk changes (paste, import, presets) reset the model once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from app.core.validation import MetadataRow, RowProblem, metadata_from_rows, metadata_row_problems

KEY_COLUMN = 0
VALUE_COLUMN = 1
_HEADERS = ("Key", "Value")
_DISPLAY_MAX = 300  # characters shown in a cell; editing still sees the whole value
# Translucent red: readable under both light and dark palettes.
_PROBLEM_BRUSH = QBrush(QColor(220, 50, 47, 70))
_VISIBLE_CONTROLS = str.maketrans({"\n": "⏎", "\r": "␍", "\t": "⇥"})

ModelIndex = QModelIndex | QPersistentModelIndex


def display_text(text: str) -> str:
    """A cell's text for display: line breaks and tabs made visible, long text elided."""
    if len(text) > _DISPLAY_MAX:
        text = text[:_DISPLAY_MAX] + "…"
    return text.translate(_VISIBLE_CONTROLS)


class MetadataModel(QAbstractTableModel):
    """Editable (key, value) rows with their problems as tooltips, icons and a tinted key cell."""

    rows_changed = Signal()
    problems_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[MetadataRow] = []
        self._problems: dict[int, RowProblem] = {}
        self._warning_icon: QIcon | None = None

    # --- reading -------------------------------------------------------------------------------
    def rows(self) -> list[MetadataRow]:
        return list(self._rows)

    def row_at(self, row: int) -> MetadataRow:
        return self._rows[row]

    def problems(self) -> list[RowProblem]:
        return [self._problems[row] for row in sorted(self._problems)]

    def problem_at(self, row: int) -> RowProblem | None:
        return self._problems.get(row)

    def metadata(self) -> dict[str, str]:
        """The map the grid describes (meaningful only when `problems()` is empty)."""
        return metadata_from_rows(self._rows)

    # --- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else 2

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _HEADERS[section] if 0 <= section < 2 else None
        return str(section + 1)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        text = row.key if index.column() == KEY_COLUMN else row.value
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(text)
        if role == Qt.ItemDataRole.EditRole:
            return text
        problem = self._problems.get(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), text, problem)
        if problem is None or index.column() != KEY_COLUMN:
            return None
        return self._problem_data(problem, role)

    @staticmethod
    def _tooltip(row: int, text: str, problem: RowProblem | None) -> str | None:
        if problem is not None:
            return f"Row {row + 1}: {problem.message}"
        return text[:2000] if len(text) > 40 or "\n" in text else None

    def _problem_data(self, problem: RowProblem, role: int) -> Any:
        """What a key cell with a problem shows besides its text."""
        if role == Qt.ItemDataRole.BackgroundRole:
            return _PROBLEM_BRUSH
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon()
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return problem.message
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        text = "" if value is None else str(value)
        old = self._rows[index.row()]
        new = MetadataRow(text, old.value) if index.column() == KEY_COLUMN else MetadataRow(old.key, text)
        if new == old:
            return False
        self._rows[index.row()] = new
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self._revalidate()
        return True

    # --- changes -------------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[MetadataRow]) -> None:
        """Replace every row at once (one model reset)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()
        self._revalidate()

    def insert_rows(self, position: int, rows: Sequence[MetadataRow]) -> None:
        if not rows:
            return
        position = max(0, min(position, len(self._rows)))
        self.beginInsertRows(QModelIndex(), position, position + len(rows) - 1)
        self._rows[position:position] = list(rows)
        self.endInsertRows()
        self._revalidate()

    def remove_rows(self, indices: Iterable[int]) -> None:
        """Remove the given rows: one removal per contiguous run, or one reset when scattered."""
        wanted = sorted({i for i in indices if 0 <= i < len(self._rows)}, reverse=True)
        if not wanted:
            return
        runs: list[tuple[int, int]] = []
        for index in wanted:
            if runs and runs[-1][0] == index + 1:
                runs[-1] = (index, runs[-1][1])
            else:
                runs.append((index, index))
        if len(runs) > 20:
            gone = set(wanted)
            self.set_rows(row for i, row in enumerate(self._rows) if i not in gone)
            return
        for first, last in runs:  # highest first, so earlier runs keep their positions
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        self._revalidate()

    def merge(self, metadata: dict[str, str]) -> tuple[list[str], list[str]]:
        """Set these keys: existing keys get the new value, new keys are appended; blank rows are
        dropped. One reset. Returns (added keys, updated keys)."""
        rows = [row for row in self._rows if row.key or row.value]
        position = {row.key: i for i, row in reversed(list(enumerate(rows)))}
        added: list[str] = []
        updated: list[str] = []
        for key, value in metadata.items():
            if key in position:
                if rows[position[key]].value != value:
                    updated.append(key)
                rows[position[key]] = MetadataRow(key, value)
            else:
                position[key] = len(rows)
                rows.append(MetadataRow(key, value))
                added.append(key)
        self.set_rows(rows)
        return added, updated

    # --- validation ----------------------------------------------------------------------------
    def _revalidate(self) -> None:
        new = {problem.row: problem for problem in metadata_row_problems(self._rows)}
        old = self._problems
        self._problems = new
        changed = [row for row in new.keys() | old.keys() if new.get(row) != old.get(row)]
        if changed:
            last_row = len(self._rows) - 1
            first, last = max(0, min(changed)), min(max(changed), last_row)
            if first <= last:
                self.dataChanged.emit(self.index(first, KEY_COLUMN), self.index(last, KEY_COLUMN))
            self.problems_changed.emit()
        self.rows_changed.emit()

    def _icon(self) -> QIcon:
        if self._warning_icon is None:
            style = QApplication.style()
            self._warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon
