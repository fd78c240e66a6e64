"""Start-up measurement hook: with $VERIFYDESK_MEASURE_STARTUP set, report the main window's first
paint, then its first paint once built, and quit.

`app.ui.launch` calls `arm(window)` before showing the main window and `built(window)` once its
panels are built. Unset (the normal case) both do nothing. Set, the window's first paint event
prints `verifydesk-first-paint <unix time in seconds>` (the window's frame: geometry, theme, menu
bar; `run_window` builds the panels right after it), and the first paint after `built()` prints
`verifydesk-window-built <unix time>` and quits the app. The packaging build spawns the source
tree and the bundle this way and compares spawn-to-paint times measured on one clock; the bench
reports both times.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV = "VERIFYDESK_MEASURE_STARTUP"
MARKER = "verifydesk-first-paint"
BUILT_MARKER = "verifydesk-window-built"


class _PaintWatcher(QObject):
    """Reports the next paint of `window` with `marker`; quits the app afterwards if `then_quit`."""

    def __init__(self, window: QWidget, marker: str, *, then_quit: bool) -> None:
        super().__init__(window)
        self._window = window
        self._marker = marker
        self._then_quit = then_quit
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if not self._seen and watched is self._window and event.type() == QEvent.Type.Paint:
            self._seen = True
            painted_at = time.time()
            self._window.removeEventFilter(self)
            # Report after this paint has been delivered.
            QTimer.singleShot(0, lambda: self._report(painted_at))
        return False

    def _report(self, painted_at: float) -> None:
        stream = sys.stdout
        if stream is not None:
            stream.write(f"{self._marker} {painted_at:.6f}\n")
            stream.flush()
        app = QApplication.instance()
        if self._then_quit and app is not None:
            app.quit()


def requested() -> bool:
    return bool(os.environ.get(ENV))


def arm(window: QWidget) -> None:
    """Watch `window` for its first paint when the measurement was requested; else do nothing."""
    if not requested():
        return
    window.installEventFilter(_PaintWatcher(window, MARKER, then_quit=False))


def built(window: QWidget) -> None:
    """`window` now has its panels: report its next paint and quit (when measuring)."""
    if not requested():
        return
    window.installEventFilter(_PaintWatcher(window, BUILT_MARKER, then_quit=True))
    window.update()
