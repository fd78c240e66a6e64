"""The start-up and memory baseline: a bare PySide6 QMainWindow script, nothing of VerifyDesk.

Prints `bare-first-paint <unix time> <RSS MB>` at its first paint and quits, like
`app.ui.first_paint` does for the real window.
"""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

MARKER = "bare-first-paint"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Watcher(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.window and event.type() == QEvent.Type.Paint:
            painted_at = time.time()
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, lambda: _report(painted_at))
        return False


def _report(painted_at: float) -> None:
    print(f"{MARKER} {painted_at:.6f} {_rss_mb():.1f}", flush=True)
    QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1280, 800)
    window.installEventFilter(_Watcher(window))
    window.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
