"""How a history record looks in a cell: its outcome icon and label, its local start time."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from app.core.history import HistoryRecord
from app.core.models import UPDATE_OPERATION, VERIFY_OPERATION
from app.core.visible import shown
from app.core.wording import latency_text

_DISPLAY_MAX = 200

OUTCOME_STATES = ("success", "error", "pending", "interrupted", "cancelled")
_STATE_COLORS = {
    "success": QColor(46, 160, 67),
    "error": QColor(218, 54, 51),
    "pending": QColor(56, 132, 244),
    "interrupted": QColor(219, 135, 20),
    "cancelled": QColor(128, 128, 128),
}
STATE_LABELS = {
    "success": "Success",
    "error": "Error",
    "pending": "Pending (in flight)",
    "interrupted": "Interrupted (the app stopped before the result)",
    "cancelled": "Cancelled (result recorded after cancel)",
}


def outcome_state(record: HistoryRecord) -> str:
    """Which icon a record gets: cancelled wins over how the late result ended."""
    if record.cancelled:
        return "cancelled"
    return record.outcome.value


def _draw_glyph(painter: QPainter, state: str, size: float) -> None:
    pen = QPen(QColor("white"), max(1.5, size / 9))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    s = size
    if state == "success":
        path = QPainterPath(QPointF(s * 0.28, s * 0.52))
        path.lineTo(s * 0.44, s * 0.68)
        path.lineTo(s * 0.72, s * 0.34)
        painter.drawPath(path)
    elif state == "error":
        painter.drawLine(QPointF(s * 0.34, s * 0.34), QPointF(s * 0.66, s * 0.66))
        painter.drawLine(QPointF(s * 0.66, s * 0.34), QPointF(s * 0.34, s * 0.66))
    elif state == "pending":
        painter.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.27))
        painter.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.68, s * 0.6))
    elif state == "interrupted":
        painter.drawLine(QPointF(s * 0.5, s * 0.27), QPointF(s * 0.5, s * 0.56))
        painter.drawPoint(QPointF(s * 0.5, s * 0.72))
    else:  # cancelled: a bar
        painter.drawLine(QPointF(s * 0.3, s * 0.5), QPointF(s * 0.7, s * 0.5))


def draw_outcome_icon(state: str) -> QIcon:
    """A filled circle in the state's colour with a white glyph, drawn at 16 and 32 pixels."""
    icon = QIcon()
    for size in (16, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_STATE_COLORS[state])
        margin = size * 0.06
        painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
        _draw_glyph(painter, state, float(size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


# --- text of a record --------------------------------------------------------------------------

def local_time_text(record: HistoryRecord) -> str:
    """Start time in the local zone, to the second (history stores UTC)."""
    return _local_time_text(record.started_at)


@functools.lru_cache(maxsize=4096)
def _local_time_text(started_at: datetime) -> str:
    # Cached: asked for on every repaint of every visible row, and strftime goes through the import
    # hook PySide6 installs (a Python call per use).
    return started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def call_text(record: HistoryRecord) -> str:
    if record.operation == UPDATE_OPERATION:
        return "Update"
    return "Verify" if record.operation == VERIFY_OPERATION else "Send"


def value_change_text(record: HistoryRecord) -> str:
    """An update's "old → new (pending)"; empty for other calls."""
    if record.operation != UPDATE_OPERATION:
        return ""
    state = f" ({record.value_state.value})" if record.value_state is not None else ""
    return f"{record.old_value or '(none)'} → {record.new_value or ''}{state}"


def attribute_text(record: HistoryRecord) -> str:
    """The attribute, and for an update the change it made."""
    change = value_change_text(record)
    return clip(f"{record.attribute_name}: {change}" if change else record.attribute_name)


def clip(text: str) -> str:
    """One line for a cell: at most `_DISPLAY_MAX` characters, control characters shown escaped."""
    return shown(text if len(text) <= _DISPLAY_MAX else text[:_DISPLAY_MAX] + "…")


CELL_TEXT: tuple[Callable[[HistoryRecord], str], ...] = (
    lambda record: "",
    local_time_text,
    call_text,
    lambda record: clip(record.username or ""),
    attribute_text,
    lambda record: clip(record.metadata_summary),
    lambda record: clip(record.error_code or ""),
    lambda record: latency_text(record.latency_ms),
    lambda record: "" if record.attempts is None else str(record.attempts),
)
