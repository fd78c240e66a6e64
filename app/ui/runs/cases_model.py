"""The cases of an opened suite as a table model, each row's status filled in as the run goes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.core.suites import Case, CaseResult, Suite

NAME_COLUMN, STATUS_COLUMN, TIME_COLUMN, MESSAGE_COLUMN = range(4)
HEADERS = ("Case", "Status", "Time", "Message")
RUNNING = "running"
QUEUED = "queued"
LABELS = {"passed": "✓ passed", "failed": "✗ failed", "error": "⚠ error", "skipped": "– skipped",
          RUNNING: "… running", QUEUED: "queued", "": ""}

Index = QModelIndex | QPersistentModelIndex


@dataclass
class CaseRow:
    """A case and what the latest run made of it."""

    case: Case
    status: str = ""
    result: CaseResult | None = None


class CasesModel(QAbstractTableModel):
    """One row per case (data rows expanded), in suite order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CaseRow] = []

    def set_suite(self, suite: Suite | None) -> None:
        self.beginResetModel()
        self.rows = [CaseRow(case) for case in suite.cases] if suite else []
        self.endResetModel()

    def row_of(self, name: str) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.case.name == name), None)

    def mark(self, names: list[str], status: str) -> None:
        """Clear the results of the cases about to run and show them as queued."""
        wanted = set(names)
        for row in self.rows:
            if row.case.name in wanted:
                row.status, row.result = status, None
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, MESSAGE_COLUMN))

    def set_running(self, name: str) -> None:
        self._update(name, RUNNING, None)

    def set_result(self, result: CaseResult) -> None:
        self._update(result.name, result.status, result)

    def _update(self, name: str, status: str, result: CaseResult | None) -> None:
        row = self.row_of(name)
        if row is None:
            return
        self.rows[row].status, self.rows[row].result = status, result
        self.dataChanged.emit(self.index(row, 0), self.index(row, MESSAGE_COLUMN))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        result = row.result
        message = result.message if result else ""
        cells = {
            NAME_COLUMN: row.case.name,
            STATUS_COLUMN: LABELS.get(row.status, row.status),
            TIME_COLUMN: f"{result.duration_ms:.0f} ms" if result else "",
            MESSAGE_COLUMN: message if role == Qt.ItemDataRole.ToolTipRole else message.partition("\n")[0],
        }
        return cells.get(index.column())
