"""Start-up measurement hook: with $VERIFYDESK_MEASURE_STARTUP set, report the first paint and quit.

`app.ui.launch` calls `arm(window)` right after showing the main window. Unset (the normal case) it
does nothing. Set, the first paint event of the window prints one line,
`verifydesk-first-paint <unix time in seconds>`, and the app quits: the packaging build spawns the
source tree and the bundle this way and compares spawn-to-paint times measured on one clock.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV = "VERIFYDESK_MEASURE_STARTUP"
MARKER = "verifydesk-first-paint"


class _FirstPaintWatcher(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if not self._seen and watched is self._window and event.type() == QEvent.Type.Paint:
            self._seen = True
            painted_at = time.time()
            self._window.removeEventFilter(self)
            # Report after this paint has been delivered, then leave the event loop.
            QTimer.singleShot(0, lambda: _report_and_quit(painted_at))
        return False


def _report_and_quit(painted_at: float) -> None:
    stream = sys.stdout
    if stream is not None:
        stream.write(f"{MARKER} {painted_at:.6f}\n")
        stream.flush()
    app = QApplication.instance()
    if app is not None:
        app.quit()


def requested() -> bool:
    return bool(os.environ.get(ENV))


def arm(window: QWidget) -> None:
    """Watch `window` for its first paint when the measurement was requested; else do nothing."""
    if not requested():
        return
    window.installEventFilter(_FirstPaintWatcher(window))
