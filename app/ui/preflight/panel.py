"""The Preflight tab: the checks as a list (status, check, what was found, what to do), the selected
check in full below it, and Run / Cancel with a busy indicator. Widgets only: `PreflightTools`
(app.ui.preflight.tools) runs the checks and fills it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.preflight import Check, Status
from app.ui.widgets.buttons import make_button
from app.ui.widgets.style import Tone, muted_color, selectable, set_tone, tone_colors

STATUS_TEXT = {Status.OK: "✓ OK", Status.WARN: "⚠ Warning", Status.FAIL: "✗ Fails",
               Status.UNKNOWN: "? Not checked"}
STATUS_TONE = {Status.OK: Tone.OK, Status.WARN: Tone.WARNING, Status.FAIL: Tone.ERROR,
               Status.UNKNOWN: Tone.MUTED}
COLUMNS = ("Status", "Check", "What was found", "Next step")
CHECK_ROLE = Qt.ItemDataRole.UserRole


class PreflightPanel(QWidget):
    """`run_requested` (Run), `cancel_requested` (Cancel); `show_checks` lists a run's checks."""

    run_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preflightPanel")
        self.checks: list[Check] = []
        self.busy = False
        self.headline = QLabel("Choose a profile with a user pool id, then run the preflight.")
        self.headline.setObjectName("preflightHeadline")
        self.headline.setAccessibleName("Preflight summary")
        self.headline.setWordWrap(True)
        self.headline.setMinimumWidth(60)
        selectable(self.headline)
        set_tone(self.headline, Tone.MUTED)
        self.progress = QProgressBar()
        self.progress.setObjectName("preflightProgress")
        self.progress.setAccessibleName("Preflight running")
        self.progress.setRange(0, 0)  # busy: no known end
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.run_button = make_button("runPreflightButton", "Run preflight", "Run the delivery preflight",
                                      tip="Check the pool's email, SMS, message and trigger settings with "
                                          "the admin AWS profile", slot=self.run_requested.emit)
        self.cancel_button = make_button("cancelPreflightButton", "Cancel", "Cancel the preflight",
                                         slot=self.cancel_requested.emit)
        self.cancel_button.setEnabled(False)
        self.list = QTreeWidget()
        self.list.setObjectName("preflightChecks")
        self.list.setAccessibleName("Preflight checks")
        self.list.setColumnCount(len(COLUMNS))
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(False)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        header = self.list.header()
        header.setStretchLastSection(True)
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.detail = QLabel()
        self.detail.setObjectName("preflightDetail")
        self.detail.setAccessibleName("The selected check in full")
        self.detail.setWordWrap(True)
        self.detail.setMinimumWidth(60)
        selectable(self.detail)
        self.detail.hide()
        self.list.currentItemChanged.connect(lambda item, _old: self._show_detail(item))
        self._layout()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.progress)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.detail)

    def set_busy(self, busy: bool, text: str = "") -> None:
        """Running (busy indicator, Cancel enabled) or idle; `text` replaces the headline."""
        self.busy = busy
        self.progress.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        if text:
            self.show_headline(text, Tone.MUTED)

    def show_headline(self, text: str, tone: Tone) -> None:
        self.headline.setText(text)
        set_tone(self.headline, tone)

    def show_checks(self, checks: Sequence[Check]) -> None:
        """List `checks` in the given order; the first is selected (shown in full below)."""
        self.checks = list(checks)
        self.list.clear()
        palette = self.palette()
        for check in checks:
            item = QTreeWidgetItem([STATUS_TEXT[check.status], check.id, check.message, check.next_step])
            item.setData(0, CHECK_ROLE, check.id)
            if check.status is Status.UNKNOWN:
                foreground = muted_color(palette)
            else:
                foreground = QColor(tone_colors(STATUS_TONE[check.status], palette)[0])
            item.setForeground(0, QBrush(foreground))
            tip = f"{check.message}\n\nNext step: {check.next_step}" if check.next_step else check.message
            for column in range(1, len(COLUMNS)):
                item.setToolTip(column, tip)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        else:
            self.detail.hide()

    def _show_detail(self, item: QTreeWidgetItem | None) -> None:
        check = next((c for c in self.checks if item is not None and c.id == item.data(0, CHECK_ROLE)), None)
        if check is None:
            self.detail.hide()
            return
        text = f"{STATUS_TEXT[check.status]} — {check.id}: {check.message}"
        if check.next_step:
            text += f"\nNext step: {check.next_step}"
        self.detail.setText(text)
        set_tone(self.detail, STATUS_TONE[check.status])
        self.detail.show()
