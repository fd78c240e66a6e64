"""`run_window`: the QApplication, the qasync event loop, the main window, and error reporting.

Nothing here (or in what the window imports) imports boto3: the client is created on the first
call, in a worker thread. Failures of background tasks, of callbacks on the loop and of Qt slots
go to the log file and to the window's banner, never to a traceback dialog.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from app import APP_NAME, __version__
from app.core.paths import app_paths

if TYPE_CHECKING:
    import asyncio

    from app.ui.window.main_window import MainWindow

_log = logging.getLogger(__name__)


def install_error_reporting(loop: asyncio.AbstractEventLoop, window: MainWindow) -> None:
    """Route uncaught exceptions (loop callbacks, Qt slots, threads) to the log and the banner."""

    def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        message = str(context.get("message") or "Unhandled error in a background task")
        if isinstance(error, BaseException):
            _log.error("%s", message, exc_info=error)
            window.report_failure(error)
        else:
            _log.error("%s", message)
            window.report_failure(RuntimeError(message))

    def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        _log.error("Uncaught exception", exc_info=(kind, error, tb))
        window.report_failure(error)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            _log.error("Uncaught exception in thread %s", args.thread.name if args.thread else "?",
                       exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    loop.set_exception_handler(loop_handler)
    sys.excepthook = excepthook
    threading.excepthook = thread_hook


def _paint_frame(window: MainWindow, timeout_ms: int = 2000) -> None:
    """Show `window` and run Qt's events until it has painted once (or `timeout_ms` passed, e.g. a
    platform that never exposes it): the tester sees the window before the panels are built."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    waiting = QEventLoop()

    class PaintSeen(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
            if watched is window and event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, waiting.quit)  # after this paint has been delivered
            return False

    seen = PaintSeen()
    window.installEventFilter(seen)
    QTimer.singleShot(timeout_ms, waiting.quit)
    window.show()
    waiting.exec()
    window.removeEventFilter(seen)


def run_window(*, sandbox: bool = False) -> int:
    """Open the window (on the embedded sandbox pool with `sandbox=True`); returns the exit code.

    Start-up order, for a window that appears at once: Qt and the window's frame, its first paint,
    then asyncio/qasync, the panels and the secret store (keyring detection) while it is on screen.
    """
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("verifydesk")
    paths = app_paths()  # the window says what it cannot write, and runs without it

    from app.ui import first_paint
    from app.ui.window.main_window import MainWindow

    window = MainWindow(paths=paths, deferred=True)
    first_paint.arm(window)
    _paint_frame(window)
    if not window.isVisible():  # closed before it was built
        return 0
    from app.core.logs import configure_logging_if_possible  # logging.handlers and its imports: ~12 ms

    log_file = configure_logging_if_possible(paths)
    _log.info("Starting %s %s (log: %s)", APP_NAME, __version__, log_file)
    # Detecting the keyring (imports, a D-Bus round trip) overlaps with building the panels;
    # MainWindow.build()'s default_secret_store() waits for this result.
    from app.core.secrets import default_secret_store

    threading.Thread(target=default_secret_store, name="keyring-detect", daemon=True).start()
    import asyncio

    import qasync
    from PySide6.QtCore import QTimer

    from app.ui.window.about import app_icon

    app.setWindowIcon(app_icon())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window.build()
    install_error_reporting(loop, window)
    first_paint.built(window)
    if sandbox:
        QTimer.singleShot(0, window.start_sandbox)
    try:
        with loop:
            loop.run_forever()
    finally:
        sys.excepthook = sys.__excepthook__
        from app.ui.async_tools import executor

        executor().shutdown(wait=False, cancel_futures=True)
        _log.info("%s closed", APP_NAME)
    return 0
