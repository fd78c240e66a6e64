"""The history pane: filters, a paged table, a details pane, and re-run/export/copy actions.

The table reads `HistoryStore` through `HistoryModel` a page at a time. Text search waits ~200 ms
after the last keystroke; combos apply at once. Exports run in the worker pool when an asyncio
loop is running (the window's qasync loop), so a big export never freezes the window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.aws_cli_command import CliCommandError, command_for_record
from app.core.history import HistoryFilter, HistoryRecord, HistoryStore
from app.core.models import VERIFY_OPERATION, Outcome
from app.ui.history.details import record_details_html
from app.ui.history.export import HistoryExport
from app.ui.history.filters import chosen_operation, operation_combo, outcome_combo
from app.ui.history.model import (
    HistoryModel,
)
from app.ui.history.table import HistoryTableView
from app.ui.widgets.buttons import make_button

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 200
_ALL_ERRORS = "All error codes"
_ALL_ATTRIBUTES = "All attributes"


class HistoryView(QWidget):
    """Browse, filter, inspect, re-run, export and copy history records."""

    rerun_requested = Signal(object)  # HistoryRecord

    def __init__(self, store: HistoryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self._store = store
        self._model = HistoryModel(store, self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self._gap_timer = QTimer(self)
        self._gap_timer.setSingleShot(True)
        self._gap_timer.setInterval(0)
        self._gap_timer.timeout.connect(self._fill_visible_gap)
        self._build()
        self._export = HistoryExport(self, store, self._model, self.export_button, self._set_status)
        self._model.count_changed.connect(self._show_count)
        self._model.modelReset.connect(self._selection_changed)
        self._model.rowsInserted.connect(self._schedule_gap_fill)
        for signal in (self._model.rowsInserted, self._model.rowsRemoved, self._model.modelReset):
            signal.connect(self._span_gap_row)
        self._model.dataChanged.connect(self._data_changed)
        self.table.verticalScrollBar().valueChanged.connect(self._schedule_gap_fill)
        self.refresh()

    # --- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        filters = self._build_filters()
        self._build_table()
        self.details = QTextBrowser(self)
        self._details_html: str | None = None
        self.details.setObjectName("historyDetails")
        self.details.setAccessibleName("History record details")
        self.details.setOpenLinks(False)
        self.details.setMinimumWidth(260)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
        self.details.document().setDefaultStyleSheet(f"pre {{ font-family: '{fixed}'; }}")
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("historySplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        actions = self._build_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(actions)

    def _build_filters(self) -> QHBoxLayout:
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("historyFilterEdit")
        self.filter_edit.setAccessibleName("Search history")
        self.filter_edit.setPlaceholderText("Search username, attribute, metadata, error, request id…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.filter_edit.returnPressed.connect(self._apply_filter)
        self.outcome_combo = outcome_combo(self)
        self.operation_combo = operation_combo(self)
        self.error_combo = QComboBox(self)
        self.error_combo.setObjectName("historyErrorCodeCombo")
        self.error_combo.setAccessibleName("Filter by error code")
        self.error_combo.setMinimumContentsLength(18)
        self.error_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.attribute_combo = QComboBox(self)
        self.attribute_combo.setObjectName("historyAttributeCombo")
        self.attribute_combo.setAccessibleName("Filter by attribute")
        self.attribute_combo.setMinimumContentsLength(12)
        self.attribute_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        for combo in (self.outcome_combo, self.operation_combo, self.error_combo, self.attribute_combo):
            combo.currentIndexChanged.connect(self._apply_filter)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("refreshHistoryButton")
        self.refresh_button.setAccessibleName("Reload history")
        self.refresh_button.setToolTip("Read the history file again (F5)")
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.refresh)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.outcome_combo)
        row.addWidget(self.operation_combo)
        row.addWidget(self.error_combo)
        row.addWidget(self.attribute_combo)
        row.addWidget(self.refresh_button)
        return row

    def _build_table(self) -> None:
        self.table = HistoryTableView(self._model, self)
        self.table.selectionModel().currentRowChanged.connect(self._selection_changed)
        self.table.jump_to_end_requested.connect(self.jump_to_end)

    def _build_actions(self) -> QHBoxLayout:
        self.count_label = QLabel(self)
        self.count_label.setObjectName("historyCountLabel")
        self.count_label.setAccessibleName("History record count")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("historyStatusLabel")
        self.status_label.setAccessibleName("History action result")
        self.status_label.setWordWrap(True)
        self.oldest_button = self._button(
            "historyOldestButton", "Jump to oldest", "Jump to the oldest record",
            "The list is newest first: show the oldest matching records (Ctrl+End)", self.jump_to_end,
        )
        self.rerun_button = self._button(
            "rerunHistoryButton", "Load into &request", "Load this history entry into the request",
            "Put this entry's attribute and ClientMetadata into the request (nothing is sent)", self._rerun,
        )
        self.copy_cli_button = self._button(
            "copyHistoryCliButton", "Copy as AWS &CLI", "Copy as AWS CLI command",
            "Copy an `aws cognito-idp …` command for this entry (the token stays $ACCESS_TOKEN)",
            self.copy_cli_command,
        )
        self.copy_details_button = self._button(
            "copyHistoryDetailsButton", "Copy &details", "Copy history entry details",
            "Copy the details pane as text", self.copy_details,
        )
        self.export_button = self._button(
            "exportHistoryButton", "&Export…", "Export history",
            "Write the records matching the filters to a CSV or JSON file", self._open_export,
        )
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.count_label)
        row.addWidget(self.oldest_button)
        row.addWidget(self.status_label, 1)
        for button in (self.rerun_button, self.copy_cli_button, self.copy_details_button, self.export_button):
            row.addWidget(button)
        return row

    def _button(
        self, name: str, text: str, accessible: str, tip: str, slot: Callable[[], object]
    ) -> QPushButton:
        return make_button(name, text, accessible, tip=tip, slot=slot, parent=self, auto_default=False)

    # --- public API --------------------------------------------------------------------------
    @property
    def model(self) -> HistoryModel:
        return self._model

    def refresh(self) -> None:
        """Re-read the filter choices and the newest page, keeping the filters and selection."""
        current = self.current_record()
        self._fill_combo(self.error_combo, _ALL_ERRORS, self._store.error_codes())
        self._fill_combo(self.attribute_combo, _ALL_ATTRIBUTES, self._store.attribute_names())
        self._model.set_filter(self.current_filter())
        if current is not None:
            self.select_record(current.id)

    def record_changed(self, row_id: int) -> None:
        """A record was added or completed: show it without reloading the table."""
        self._model.record_changed(row_id)
        record = self._store.get(row_id)
        if record is not None:
            self._add_choice(self.error_combo, record.error_code)
            self._add_choice(self.attribute_combo, record.attribute_name)
        current = self.current_record()
        if current is not None and current.id == row_id:
            self._show_details(current)
        elif current is None:
            self._selection_changed()  # the placeholder must stop saying "No history yet"

    # --- filters -------------------------------------------------------------------------------
    def current_filter(self) -> HistoryFilter:
        text = self.filter_edit.text().strip()
        error = self.error_combo.currentData()
        attribute = self.attribute_combo.currentData()
        outcome = self.outcome_combo.currentData()
        cancelled = outcome == "cancelled"
        return HistoryFilter(
            outcome=Outcome(outcome) if isinstance(outcome, str) and not cancelled else None,
            cancelled=True if cancelled else None,
            error_code=error if isinstance(error, str) else None,
            attribute_name=attribute if isinstance(attribute, str) else None,
            text=text or None,
            operation=chosen_operation(self.operation_combo),
        )

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        wanted = self.current_filter()
        if wanted != self._model.filter:
            self._model.set_filter(wanted)

    @staticmethod
    def _fill_combo(combo: QComboBox, all_label: str, values: list[str]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(all_label, None)
        for value in values:
            combo.addItem(value, value)
        found = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)

    @staticmethod
    def _add_choice(combo: QComboBox, value: str | None) -> None:
        if value is None or combo.findData(value) >= 0:
            return
        values = sorted([str(combo.itemData(i)) for i in range(1, combo.count())] + [value])
        combo.blockSignals(True)
        combo.insertItem(values.index(value) + 1, value, value)
        combo.blockSignals(False)

    # --- selection and details -------------------------------------------------------------------
    def current_record(self) -> HistoryRecord | None:
        index = self.table.currentIndex()
        return self._model.record(index.row()) if index.isValid() else None

    def select_record(self, row_id: int) -> bool:
        row = self._model.row_of(row_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _selection_changed(self, *_args: object) -> None:
        record = self.current_record()
        self.rerun_button.setEnabled(record is not None)
        self.copy_cli_button.setEnabled(record is not None)
        self.copy_details_button.setEnabled(record is not None)
        if record is not None:
            self._show_details(record)
        elif self._model.total == 0:
            self._set_details(
                "<p>No records match these filters.</p>" if self._model.filter != HistoryFilter()
                else "<p>No history yet: every send and verify appears here.</p>"
            )
        else:
            self._set_details("<p>Select a record to see everything about it.</p>")

    def _set_details(self, html: str) -> None:
        """Show `html` unless it is what the pane shows already (each send updates history twice:
        re-laying out the same text cost a repaint of the pane every time)."""
        if html != self._details_html:
            self._details_html = html
            self.details.setHtml(html)

    def _data_changed(self, top: QModelIndex, bottom: QModelIndex) -> None:
        current = self.table.currentIndex()
        if current.isValid() and top.row() <= current.row() <= bottom.row():
            self._selection_changed()

    def _show_details(self, record: HistoryRecord) -> None:
        verify = record.operation == VERIFY_OPERATION
        wait = self._store.code_waits([record.id]).get(record.id) if verify else None  # the code source
        self._set_details(record_details_html(record, wait))

    def _show_count(self) -> None:
        total = self._model.total
        filtered = self._model.filter != HistoryFilter()
        noun = "record" if total == 1 else "records"
        plus = "" if self._model.total_is_exact else "+"
        self.count_label.setText(f"{total:,}{plus} {'matching ' if filtered else ''}{noun}")
        self.count_label.setToolTip(
            "" if not plus else "Counting stops here (all of a huge history would take seconds); "
                                "scrolling on counts further")
        self.oldest_button.setEnabled(self._model.gap > 0)

    # --- paging --------------------------------------------------------------------------------
    def jump_to_end(self) -> None:
        """Show the oldest records (loads one page from the end, not everything in between)."""
        self._model.load_end()
        last = self._model.rowCount() - 1
        if last >= 0:
            self.table.selectRow(last)
            self.table.scrollToBottom()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _span_gap_row(self, *_args: object) -> None:
        """The gap row's text runs across the whole width."""
        self.table.clearSpans()
        gap = self._model.gap_row()
        if gap is not None:
            self.table.setSpan(gap, 0, 1, self._model.columnCount())

    def _schedule_gap_fill(self, *_args: object) -> None:
        if self._model.gap_row() is not None:
            self._gap_timer.start()

    def _fill_visible_gap(self) -> None:
        """Load into the gap row when it is on screen, from the side the tester came from."""
        gap = self._model.gap_row()
        if gap is None:
            return
        top = self.table.rowAt(0)
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        bottom = self._model.rowCount() - 1 if bottom < 0 else bottom
        if not top <= gap <= bottom:
            return
        scroll = self.table.verticalScrollBar()
        if gap - top < (bottom - top) / 2:  # near the top: scrolling up from the oldest records
            added = self._model.fetch_newer_tail()
            scroll.setValue(scroll.value() + added)  # keep the rows in view where they were
        else:
            self._model.fetch_older()

    # --- actions -------------------------------------------------------------------------------
    def _rerun(self) -> None:
        record = self.current_record()
        if record is not None:
            self.rerun_requested.emit(record)
            self._set_status(f"Loaded #{record.id} ({record.attribute_name}) into the request.")

    def copy_cli_command(self) -> None:
        record = self.current_record()
        if record is None:
            return
        try:
            command = command_for_record(record)
        except CliCommandError as exc:
            self._set_status(f"Cannot copy as a command: {exc}", error=True)
            return
        QGuiApplication.clipboard().setText(command)
        variables = "$ACCESS_TOKEN" + (" and $VERIFICATION_CODE" if "$VERIFICATION_CODE" in command else "")
        self._set_status(f"Copied the AWS CLI command: set {variables} in your shell first.")

    def copy_details(self) -> None:
        if self.current_record() is not None:
            QGuiApplication.clipboard().setText(self.details.toPlainText())
            self._set_status("Copied the details.")

    def _open_export(self) -> None:
        self._export.open_dialog()

    def export_to(self, path: Path) -> None:
        """Export the records matching the filters; in the worker pool when a loop is running."""
        self._export.export_to(path)

    def _set_status(self, message: str, *, error: bool = False) -> None:
        self.status_label.setText(message)
        self.status_label.setStyleSheet("color: rgb(218, 54, 51);" if error else "")
