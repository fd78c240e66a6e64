"""The Trigger tab (event preview, pool configuration, log lines, local runs) and the compact
Trigger box in the result column."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.async_tools import TaskKeeper
from app.ui.trigger.follow import DEFAULT_WINDOW_S, LogFollowController
from app.ui.trigger.local import LocalTriggerPanel
from app.ui.trigger.log_view import TriggerLogPane
from app.ui.trigger.pool import PoolTriggerPanel
from app.ui.trigger.preview import EventPreviewPanel
from app.ui.widgets.style import Tone, selectable, set_tone


class TriggerView(QWidget):
    """The Trigger tab: event preview, pool configuration, log lines, local trigger runs."""

    def __init__(self, tasks: TaskKeeper, follow: LogFollowController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("triggerView")
        self.setAccessibleName("Lambda trigger debugging")
        self.preview = EventPreviewPanel()
        self.pool = PoolTriggerPanel(tasks)
        self.local = LocalTriggerPanel(tasks)
        self.log_pane = TriggerLogPane(follow.model, "triggerLogPane")
        self.window_spin = QSpinBox()
        self.window_spin.setObjectName("followWindowSpin")
        self.window_spin.setAccessibleName("Follow the trigger's log for this many seconds after a send")
        self.window_spin.setRange(5, 900)
        self.window_spin.setSuffix(" s")
        self.window_spin.setValue(DEFAULT_WINDOW_S)
        self.follow_check = QCheckBox("Follow the trigger's log after each send, for")
        self.follow_check.setObjectName("followLogsCheck")
        self.follow_check.setChecked(True)
        self.function_label = QLabel()
        self.function_label.setObjectName("followFunctionLabel")
        self.function_label.setWordWrap(True)
        self.function_label.setMinimumWidth(60)
        selectable(self.function_label)
        set_tone(self.function_label, Tone.MUTED)
        log_tab = QWidget()
        settings_row = QHBoxLayout()
        settings_row.addWidget(self.follow_check)
        settings_row.addWidget(self.window_spin)
        settings_row.addWidget(self.function_label, 1)
        log_layout = QVBoxLayout(log_tab)
        log_layout.addLayout(settings_row)
        log_layout.addWidget(self.log_pane, 1)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("triggerTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.preview, "Event preview")
        self.tabs.addTab(self.pool, "Pool configuration")
        self.tabs.addTab(log_tab, "Log lines")
        self.tabs.addTab(self.local, "Local trigger (sandbox)")
        self.log_tab = log_tab
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)


class TriggerResultBox(QGroupBox):
    """In the result pane, under Verify: the last send's local trigger run in one line, where
    following the log stands, and the log lines (compact: the Trigger tab has the full view)."""

    def __init__(self, follow: LogFollowController, parent: QWidget | None = None) -> None:
        super().__init__("Trigger log", parent)
        self.setObjectName("triggerResultBox")
        self.run_label = QLabel()
        self.run_label.setObjectName("triggerRunResultLabel")
        self.run_label.setTextFormat(Qt.TextFormat.PlainText)
        self.run_label.setWordWrap(True)
        self.run_label.setMinimumWidth(60)
        selectable(self.run_label)
        self.run_label.hide()
        self.open_button = QPushButton("Trigger view")
        self.open_button.setObjectName("showTriggerViewButton")
        self.open_button.setAccessibleName("Show the trigger view")
        self.log_pane = TriggerLogPane(follow.model, "resultTriggerLog", compact=True)
        self.log_pane.view.setMinimumHeight(64)
        follow.function_changed.connect(lambda name: self.setTitle(f"Trigger log — {name}"))
        head = QHBoxLayout()
        head.addWidget(self.run_label, 1)
        head.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.log_pane, 1)

    def show_run(self, text: str, tone: Tone) -> None:
        self.run_label.setText(text)
        set_tone(self.run_label, tone)
        self.run_label.setVisible(bool(text))
