"""History as a Qt table model that reads `HistoryStore` a page at a time, newest first.

Only what the view shows is loaded: the newest pages (grown by `fetchMore` as the tester scrolls
down) and, after a jump to the end, the oldest pages. Between the two a single "gap" row stands for
the records not loaded yet; it fills from whichever side the tester approaches it. The record count
comes from `HistoryStore.count`, so nothing ever loads the whole history; it stops at `count_cap`
("10,000+ records"), so opening, filtering and jumping to the oldest cost the same at 10k rows or
a million; it counts further as the tester scrolls near it, and is exact once the gap closes.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from app.core.history import HistoryFilter, HistoryRecord, HistoryStore
from app.ui.history.cells import (
    CELL_TEXT,
    STATE_LABELS,
    clip,
    draw_outcome_icon,
    local_time_text,
    outcome_state,
)
from app.ui.widgets.plain import plain_tooltip

PAGE_SIZE = 200
COUNT_CAP = 10_000  # records counted at most when a filter changes (more shows as "10,000+")

OUTCOME_COLUMN, TIME_COLUMN, CALL_COLUMN, USER_COLUMN, ATTRIBUTE_COLUMN, METADATA_COLUMN, ERROR_COLUMN, \
    LATENCY_COLUMN, ATTEMPTS_COLUMN = range(9)
HEADERS = ("", "Time", "Call", "User", "Attribute", "ClientMetadata", "Error code", "Latency", "Attempts")
HEADER_TIPS = (
    "Outcome", "When the attempt started (local time)", "Send (GetUserAttributeVerificationCode) or Verify",
    "The signed-in user the call was made for", "AttributeName", "ClientMetadata sent",
    "Error code returned", "Time until the result", "Requests sent",
)
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1

# data() runs for every visible cell and role on each repaint of the table (after every send): the
# roles as plain ints and the constant answers computed once keep it cheap (enum lookups and
# flag arithmetic cost more than the answer).
_DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
_DECORATION_ROLE = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE_ROLE = int(Qt.ItemDataRole.AccessibleTextRole)
_ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
_FONT_ROLE = int(Qt.ItemDataRole.FontRole)
_FOREGROUND_ROLE = int(Qt.ItemDataRole.ForegroundRole)
_RECORD_ROLES = frozenset({_DISPLAY_ROLE, _DECORATION_ROLE, _TOOLTIP_ROLE, _ACCESSIBLE_ROLE, _ALIGNMENT_ROLE,
                           int(RECORD_ROLE)})
_ANSWERED_ROLES = _RECORD_ROLES | {_FONT_ROLE, _FOREGROUND_ROLE}  # the gap row's italic placeholder
_RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

ModelIndex = QModelIndex | QPersistentModelIndex


class HistoryModel(QAbstractTableModel):
    """Pages of `HistoryStore` (newest first) for a QTableView; see the module docstring."""

    count_changed = Signal()

    def __init__(
        self,
        store: HistoryStore,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        count_cap: int = COUNT_CAP,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._page_size = page_size
        self._count_cap = max(count_cap, 2 * page_size + 1)  # more than the newest and the oldest page
        self._exact = True  # False: at least `_total` records match (the count stopped at its cap)
        self._filter = HistoryFilter()
        self._head: list[HistoryRecord] = []  # newest first
        self._tail: list[HistoryRecord] = []  # newest first; the oldest records, after a jump to the end
        self._total = 0
        self._icons: dict[str, QIcon] = {}
        self._gap_font: QFont | None = None

    # --- loading -------------------------------------------------------------------------------
    @property
    def filter(self) -> HistoryFilter:
        return self._filter

    @property
    def total(self) -> int:
        """Records matching the filter (loaded or not); a lower bound unless `total_is_exact`."""
        return self._total

    @property
    def total_is_exact(self) -> bool:
        return self._exact

    @property
    def loaded(self) -> int:
        return len(self._head) + len(self._tail)

    @property
    def gap(self) -> int:
        """Matching records not loaded yet."""
        return max(0, self._total - self.loaded)

    def set_filter(self, filt: HistoryFilter) -> None:
        self._filter = filt
        self.reload()

    def reload(self) -> None:
        """Start again from the newest page (one reset)."""
        self.beginResetModel()
        self._head = self._store.page(self._filter, limit=self._page_size)
        self._tail = []
        full = len(self._head) == self._page_size
        if full:
            self._count_up_to(self._count_cap)
        else:
            self._total, self._exact = len(self._head), True
        self.endResetModel()
        self.count_changed.emit()

    def _count_up_to(self, cap: int) -> None:
        """Count the matching records, stopping past `cap` (then `total` is `cap`, a lower bound)."""
        counted = self._store.count(self._filter, at_most=cap + 1)
        self._total, self._exact = min(counted, cap), counted <= cap

    def _extend_count(self) -> None:
        """Scrolling came near the end of a capped count: count a cap further than what is loaded."""
        if not self._exact and self.loaded + self._page_size >= self._total:
            self._count_up_to(self.loaded + self._count_cap)
            self.count_changed.emit()

    def _has_gap_row(self) -> bool:
        # Invariant: a tail exists only while records between it and the head are unloaded.
        return bool(self._tail)

    def gap_row(self) -> int | None:
        """The row standing for unloaded records, when there is one."""
        return len(self._head) if self._has_gap_row() else None

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt API
        return not parent.isValid() and not self._tail and self.gap > 0

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008, N802 - Qt API
        if not parent.isValid() and not self._tail:
            self.fetch_older()

    def fetch_older(self) -> int:
        """Load the next page below the newest pages (into the gap when there is one)."""
        if not self._tail and self.gap <= 0:
            return 0
        before = self._head[-1].id if self._head else None
        after = self._tail[0].id if self._tail else None
        page = self._store.page(self._filter, limit=self._page_size, before_id=before, after_id=after)
        closed = len(page) < self._page_size
        if page:
            at = len(self._head)
            self.beginInsertRows(QModelIndex(), at, at + len(page) - 1)
            self._head.extend(page)
            self.endInsertRows()
        if closed:
            self._close_gap()
        else:
            self._extend_count()
        return len(page)

    def fetch_newer_tail(self) -> int:
        """Load the page just above the oldest pages (the tester scrolls up from the end)."""
        if not self._tail:
            return 0
        before = self._head[-1].id if self._head else None
        page = self._store.page(
            self._filter, limit=self._page_size, before_id=before, after_id=self._tail[0].id,
            oldest_first=True,
        )
        closed = len(page) < self._page_size
        if page:
            page.reverse()
            at = len(self._head) + 1  # below the gap row
            self.beginInsertRows(QModelIndex(), at, at + len(page) - 1)
            self._tail[0:0] = page
            self.endInsertRows()
        if closed:
            self._close_gap()
        return len(page)

    def load_end(self) -> bool:
        """Load the oldest page (a jump to the end); False when everything is already loaded."""
        if self.gap <= 0:
            return False
        if self._tail:
            return True
        page = self._store.page(self._filter, limit=self._page_size, oldest_first=True)
        known = {record.id for record in self._head}
        page = [record for record in page if record.id not in known]
        if not page:
            return False
        page.reverse()
        if len(page) >= self.gap:  # the oldest page reaches the newest: no gap row
            at = len(self._head)
            self.beginInsertRows(QModelIndex(), at, at + len(page) - 1)
            self._head.extend(page)
            self.endInsertRows()
            self._total, self._exact = len(self._head), True
            return True
        at = len(self._head)
        self.beginInsertRows(QModelIndex(), at, at + len(page))  # the gap row and the page
        self._tail = page
        self.endInsertRows()
        return True

    def _close_gap(self) -> None:
        """Everything between head and tail is loaded: merge them and drop the gap row."""
        if self._tail:
            gap_at = len(self._head)
            self.beginRemoveRows(QModelIndex(), gap_at, gap_at)
            self._head.extend(self._tail)
            self._tail = []
            self.endRemoveRows()
        self._total, self._exact = len(self._head), True
        self.count_changed.emit()

    # --- live changes --------------------------------------------------------------------------
    def row_of(self, row_id: int) -> int | None:
        return self._find(row_id)

    def _find(self, row_id: int) -> int | None:
        """The row showing record `row_id`, if loaded (both lists are sorted by id, descending)."""
        for offset, records in ((0, self._head), (len(self._head) + 1, self._tail)):
            position = bisect.bisect_left(records, -row_id, key=lambda record: -record.id)
            if position < len(records) and records[position].id == row_id:
                return offset + position
        return None

    def _matches(self, row_id: int) -> HistoryRecord | None:
        found = self._store.page(self._filter, limit=1, before_id=row_id + 1, after_id=row_id - 1)
        return found[0] if found else None

    def record_changed(self, row_id: int) -> None:
        """Show the current state of record `row_id`: update it, add it on top, or drop it."""
        record = self._matches(row_id)
        row = self._find(row_id)
        if row is not None:
            if record is None:
                self._remove_row(row)
            else:
                self._replace(row, record)
            return
        if record is None:
            return
        newest = self._head[0].id if self._head else None
        if newest is None or row_id > newest:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._head.insert(0, record)
            self._total += 1
            self.endInsertRows()
        else:
            self._total += 1  # an older record now matches: it lives in the unloaded part
        self.count_changed.emit()

    def _replace(self, row: int, record: HistoryRecord) -> None:
        if row < len(self._head):
            self._head[row] = record
        else:
            self._tail[row - len(self._head) - 1] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def _remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        if row < len(self._head):
            del self._head[row]
        else:
            del self._tail[row - len(self._head) - 1]
        self._total -= 1
        self.endRemoveRows()
        self.count_changed.emit()

    # --- reading -------------------------------------------------------------------------------
    def record(self, row: int) -> HistoryRecord | None:
        """The record on `row`; None for the gap row or out of range."""
        if 0 <= row < len(self._head):
            return self._head[row]
        tail_row = row - len(self._head) - 1
        if self._has_gap_row() and 0 <= tail_row < len(self._tail):
            return self._tail[tail_row]
        return None

    def records(self) -> Sequence[HistoryRecord]:
        """Loaded records in display order (tests and exports of the selection)."""
        return [*self._head, *self._tail]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        if parent.isValid():
            return 0
        return len(self._head) + (len(self._tail) + 1 if self._has_gap_row() else 0)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (LATENCY_COLUMN, ATTEMPTS_COLUMN):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(self, index: ModelIndex, role: int = _DISPLAY_ROLE) -> Any:
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None  # most of what the view asks (check state, size hints, background…)
        record = self.record(index.row())
        if record is None:
            return self._gap_data(index.column(), role)
        if role not in _RECORD_ROLES:
            return None
        column = index.column()
        if role == _DISPLAY_ROLE:
            return CELL_TEXT[column](record)
        if role == RECORD_ROLE:
            return record
        return self._decoration(record, column, role)

    def _decoration(self, record: HistoryRecord, column: int, role: int) -> Any:
        if role == _DECORATION_ROLE:
            return self._icon(outcome_state(record)) if column == OUTCOME_COLUMN else None
        if role == _TOOLTIP_ROLE:
            return plain_tooltip(self._tooltip(record, column))
        if role == _ACCESSIBLE_ROLE:
            return self._tooltip(record, column)
        if role == _ALIGNMENT_ROLE and column in (LATENCY_COLUMN, ATTEMPTS_COLUMN):
            return _RIGHT_ALIGNED
        return None

    def _tooltip(self, record: HistoryRecord, column: int) -> str | None:
        if column == OUTCOME_COLUMN:
            state = outcome_state(record)
            label = STATE_LABELS[state]
            if state == "cancelled":
                label += f": {record.outcome.value}"
            return label
        if column == TIME_COLUMN:
            return f"{local_time_text(record)} local; {record.started_at.isoformat()} UTC"
        if column == ERROR_COLUMN and record.error_message:
            return clip(record.error_message)
        text = CELL_TEXT[column](record)
        return text or None

    def _gap_data(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == OUTCOME_COLUMN:  # the view spans the row
            return f"⋯ {self.gap:,}{self._plus} more records not loaded yet: scroll here to load them"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.gap:,}{self._plus} more records not loaded yet"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole:
            if self._gap_font is None:
                self._gap_font = QFont(QApplication.font())
                self._gap_font.setItalic(True)
            return self._gap_font
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        return None

    @property
    def _plus(self) -> str:
        return "" if self._exact else "+"

    def _icon(self, state: str) -> QIcon:
        if state not in self._icons:
            self._icons[state] = draw_outcome_icon(state)
        return self._icons[state]
