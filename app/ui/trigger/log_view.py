"""The trigger's log lines for the last request: one model, shown in the result pane and the trigger tab.

REPORT lines are bold, errors in the error tone, and lines that mention a value of the request's
ClientMetadata on a highlighted background (their tooltip names the keys).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.trigger_logs import LogKind, LogLine, render_text
from app.core.visible import shown
from app.ui.request.result_view import copy_text
from app.ui.widgets.plain import plain_tooltip
from app.ui.widgets.style import Tone, mono_font, set_tone, tone_colors

_ANY_INDEX = QModelIndex | QPersistentModelIndex
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
MENTIONS_ROLE = Qt.ItemDataRole.UserRole + 2


def _brush(tone: Tone, which: int) -> QBrush:
    return QBrush(QColor(tone_colors(tone)[which]))


def _foreground(line: LogLine) -> QBrush | None:
    if line.kind is LogKind.ERROR:
        return _brush(Tone.ERROR, 0)
    if line.mentions_metadata:
        return _brush(Tone.WARNING, 0)
    if line.kind in (LogKind.START, LogKind.END):
        return _brush(Tone.INFO, 0)
    return None


def _background(line: LogLine) -> QBrush | None:
    if line.mentions_metadata:
        return _brush(Tone.WARNING, 1)
    if line.kind is LogKind.ERROR:
        return _brush(Tone.ERROR, 1)
    return None


def _display(line: LogLine) -> str:
    """Time, `*` for a metadata mention, the kind (unless the line starts with it), the message."""
    stamp = line.timestamp.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3]
    marker = "*" if line.mentions_metadata else " "
    kind = "" if line.message.startswith(line.kind.value) else f"{line.kind.value:<6} "
    message = shown(line.message.replace("\t", "  "))  # Lambda separates fields with tabs
    return f"{stamp} {marker}{kind}{message}"


def _font(line: LogLine) -> QFont:
    font = mono_font()
    font.setBold(line.kind is LogKind.REPORT or line.mentions_metadata)
    return font


def _tooltip(line: LogLine) -> str | None:
    if line.mentions_metadata:
        return f"Mentions ClientMetadata: {', '.join(line.mentioned_keys)}"
    return shown(line.log_stream) if line.log_stream else None


_STORED_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} (?P<mark>[ *])(?P<kind>[A-Z]+)")


def trigger_log_html(text: str) -> str:
    """A stored trigger log (`history_log_text`) as HTML for the history details: lines that mention
    the request's ClientMetadata (marked `*`) highlighted, errors in the error tone, REPORT bold."""
    rows = []
    for line in text.split("\n"):  # only the line breaks the log was stored with, not U+2028 & co
        escaped = html.escape(shown(line))
        match = _STORED_LINE.match(line)
        if match is None:
            rows.append(f"<span style='color:{tone_colors(Tone.INFO)[0]}'>{escaped}</span>"
                        if line.startswith("#") else escaped)
            continue
        style = []
        if match["mark"] == "*":
            fg, bg, _ = tone_colors(Tone.WARNING)
            style.append(f"color:{fg}; background-color:{bg}; font-weight:600")
        elif match["kind"] == LogKind.ERROR.value:
            fg, bg, _ = tone_colors(Tone.ERROR)
            style.append(f"color:{fg}; background-color:{bg}")
        elif match["kind"] == LogKind.REPORT.value:
            style.append("font-weight:600")
        rows.append(f"<span style='{'; '.join(style)}'>{escaped}</span>" if style else escaped)
    body = "\n".join(rows)
    return f"<pre style='margin:2px 0 6px 0; white-space:pre-wrap'>{body}</pre>"


class LogLinesModel(QAbstractListModel):
    """The followed lines, oldest first; appended to as polls find more."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[LogLine] = []

    def rowCount(self, parent: _ANY_INDEX = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.lines)

    def data(self, index: _ANY_INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        roles: dict[int, Callable[[LogLine], object]] = {
            Qt.ItemDataRole.DisplayRole: _display,
            Qt.ItemDataRole.ForegroundRole: _foreground,
            Qt.ItemDataRole.BackgroundRole: _background,
            Qt.ItemDataRole.FontRole: _font,
            Qt.ItemDataRole.ToolTipRole: lambda item: plain_tooltip(_tooltip(item)),
            KIND_ROLE: lambda item: item.kind.value,
            MENTIONS_ROLE: lambda item: item.mentions_metadata,
        }
        describe = roles.get(role)
        return describe(line) if describe else None

    def clear(self) -> None:
        self.beginResetModel()
        self.lines = []
        self.endResetModel()

    def append(self, lines: tuple[LogLine, ...] | list[LogLine]) -> None:
        if not lines:
            return
        first = len(self.lines)
        self.beginInsertRows(QModelIndex(), first, first + len(lines) - 1)
        self.lines.extend(lines)
        self.endInsertRows()

    def text(self) -> str:
        return render_text(self.lines)


class _LogLines(QListView):
    """The log lines' list; it asks for `preferred_lines` of height and takes any extra room given
    (the default ask, 192 px, would push the result pane's other parts out of view)."""

    def __init__(self, preferred_lines: int) -> None:
        super().__init__()
        self._preferred_lines = preferred_lines

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().sizeHint()
        lines = self.fontMetrics().lineSpacing() * self._preferred_lines
        return QSize(hint.width(), lines + 2 * self.frameWidth())


class TriggerLogPane(QWidget):
    """Status line, Stop and Copy, and the lines. `stop_requested` asks the follower to stop.
    `compact` (the result pane): no Copy, and Stop only while following."""

    stop_requested = Signal()

    def __init__(
        self, model: LogLinesModel, name: str, parent: QWidget | None = None, *, compact: bool = False
    ) -> None:
        super().__init__(parent)
        self.compact = compact
        self.setObjectName(name)
        self.model = model
        self.status = QLabel("The trigger's log lines appear here after a send.")
        self.status.setObjectName(f"{name}Status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName("Trigger log status")
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(60)
        set_tone(self.status, Tone.MUTED)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName(f"{name}StopButton")
        self.stop_button.setAccessibleName("Stop following the trigger's log")
        self.stop_button.setToolTip("Stop reading the trigger's log group for this request")
        self.stop_button.setEnabled(False)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName(f"{name}CopyButton")
        self.copy_button.setAccessibleName("Copy the trigger's log lines")
        self.view = _LogLines(preferred_lines=6 if compact else 12)
        self.view.setObjectName(f"{name}Lines")
        self.view.setAccessibleName("Trigger log lines")
        self.view.setModel(model)
        self.view.setUniformItemSizes(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.setFont(mono_font())
        self.copy_button.setVisible(not compact)
        self.stop_button.setVisible(not compact)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.status, 1)
        head.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.view, 1)
        self.stop_button.clicked.connect(self.stop_requested.emit)
        self.copy_button.clicked.connect(lambda: copy_text(self.model.text()))
        model.rowsInserted.connect(lambda *_args: self.view.scrollToBottom())

    def set_status(self, text: str, tone: Tone = Tone.MUTED, *, following: bool = False) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)
        self.stop_button.setEnabled(following)
        if self.compact:
            self.stop_button.setVisible(following)
