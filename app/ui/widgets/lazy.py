"""A placeholder that builds its panel the first time it comes into view, for tabs that most sessions never
open: their widgets (and the modules behind them) cost nothing until then."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget


class LazyPanel(QWidget):
    """Holds the widget `build()` returns, built when the dock it `follow`s comes into view or at the
    first `panel()` call.

    `built(QWidget)` is emitted once, with the new panel, after it is in place."""

    built = Signal(QWidget)

    def __init__(self, build: Callable[[], QWidget], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._build: Callable[[], QWidget] | None = build
        self._panel: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def is_built(self) -> bool:
        return self._panel is not None

    def panel(self) -> QWidget:
        """The panel, built now if it was not yet."""
        if self._panel is None:
            assert self._build is not None
            build, self._build = self._build, None
            panel = self._panel = build()
            layout = self.layout()
            assert layout is not None
            layout.addWidget(panel)
            if self.isVisible():
                panel.show()  # at once: a focus or a look-up right after the show finds its controls
            self.built.emit(panel)
        return self._panel

    def on_screen(self) -> bool:
        """Shown and not covered (a tab behind another is "visible" to Qt, with nothing on screen)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def follow(self, dock: QDockWidget) -> None:
        """Build the panel when `dock` comes into view: shown, or its tab brought forward (a tab
        behind another is shown to Qt too, so a show alone says nothing)."""
        dock.visibilityChanged.connect(lambda visible: self.panel() if visible else None)
        if dock.isVisible():  # already in view (or about to be) before this was connected
            QTimer.singleShot(0, lambda: self.panel() if self.on_screen() else None)
