"""Bring a widget inside a scroll area into view once the layout has settled: a challenge field that
took the focus, an error that just appeared, the button that answers it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

_MARGIN = 8


def scroll_area_of(widget: QWidget) -> QScrollArea | None:
    """The nearest scroll area whose content holds `widget`."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            content = parent.widget()
            if content is not None and content.isAncestorOf(widget):
                return parent
        parent = parent.parentWidget()
    return None


def reveal_now(*widgets: QWidget) -> None:
    """Scroll each widget's scroll area so the widgets are visible; when they do not all fit, the
    last one given wins (give the most important last)."""
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # geometry after show/hide
    for widget in widgets:
        area = scroll_area_of(widget)
        if area is not None and widget.isVisible():
            area.ensureWidgetVisible(widget, _MARGIN, _MARGIN)


def reveal(*widgets: QWidget) -> None:
    """`reveal_now` after the pending layout work (call it right after showing the widgets)."""
    QTimer.singleShot(0, lambda: reveal_now(*_alive(widgets)))


def _alive(widgets: tuple[QWidget, ...]) -> list[QWidget]:
    import shiboken6

    return [w for w in widgets if shiboken6.isValid(w)]
