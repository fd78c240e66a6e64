"""The history table: rows of records, sized columns, Ctrl+End to the oldest record."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.ui.history.model import (
    ATTEMPTS_COLUMN,
    ATTRIBUTE_COLUMN,
    CALL_COLUMN,
    ERROR_COLUMN,
    LATENCY_COLUMN,
    METADATA_COLUMN,
    OUTCOME_COLUMN,
    TIME_COLUMN,
    USER_COLUMN,
    HistoryModel,
)


class HistoryTableView(QTableView):
    """The table; Ctrl+End jumps to the oldest record without loading everything in between."""

    jump_to_end_requested = Signal()

    def __init__(self, model: HistoryModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("historyTable")
        self.setAccessibleName("History of sends and verifies, newest first")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.verticalHeader().setVisible(False)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(parent.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        metrics = parent.fontMetrics()
        widths = {
            OUTCOME_COLUMN: 30,
            TIME_COLUMN: metrics.horizontalAdvance("2024-12-31 23:59:59") + 16,
            CALL_COLUMN: metrics.horizontalAdvance("Verify") + 20,
            USER_COLUMN: metrics.horizontalAdvance("alice@example.com") + 16,
            ATTRIBUTE_COLUMN: metrics.horizontalAdvance("phone_number") + 20,
            METADATA_COLUMN: metrics.horizontalAdvance("M" * 16),
            ERROR_COLUMN: metrics.horizontalAdvance("LimitExceededException") + 16,
            LATENCY_COLUMN: metrics.horizontalAdvance("Latency") + 20,
            ATTEMPTS_COLUMN: metrics.horizontalAdvance("Attempts") + 16,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(OUTCOME_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(METADATA_COLUMN, QHeaderView.ResizeMode.Stretch)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.matches(QKeySequence.StandardKey.MoveToEndOfDocument):
            self.jump_to_end_requested.emit()
            return
        super().keyPressEvent(event)
