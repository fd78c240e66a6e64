"""Run the real entry point in a child process and report what its window shows, as one JSON line.

    python tests/support/window_probe.py startup            # MainWindow over VERIFYDESK_HOME
    python tests/support/window_probe.py cli [verifydesk args]   # app.cli.main(args), e.g. --sandbox

`startup` builds the window the way `run_window` does, lets the event loop connect the saved profile,
and reports which heavy modules were imported; then it creates the Cognito client (what the first
send does) and reports again, so the check is seen to notice an import. `cli` runs `verifydesk`
itself and, once the window is up (and, with --sandbox, its inbox attached), reports and closes it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
HEAVY = ("boto3", "botocore", "moto", "pycognito")
DEADLINE_S = 60.0


def _loaded() -> dict[str, bool]:
    return {name: name in sys.modules for name in HEAVY}


def _emit(report: dict[str, Any]) -> None:
    print("PROBE " + json.dumps(report), flush=True)


def startup() -> int:
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from app.ui.window.main_window import MainWindow

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow()
    window.show()
    app.processEvents()
    shown = _loaded()

    async def settle() -> None:
        deadline = time.monotonic() + DEADLINE_S
        while window.session.connection is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # timers and tasks of the first moments

    with loop:
        loop.run_until_complete(settle())
    connected = window.session.connection is not None
    settled = _loaded()
    if window.session.connection is not None:
        _ = window.session.connection.client  # what the first send does, in its worker thread
    _emit({"shown": shown, "settled": settled, "connected": connected, "after_client": _loaded()})
    window.close()
    return 0


def _report_front_tab(window: Any, report: dict[str, Any]) -> None:
    """Which bottom tab is in front, and whether it shows anything; then close the window."""
    from PySide6.QtWidgets import QDockWidget, QWidget

    front = [dock for dock in window.findChildren(QDockWidget)
             if dock.isVisible() and not dock.visibleRegion().isEmpty()]
    report.update(front_tabs=[dock.objectName() for dock in front],
                  empty_front_tabs=[dock.objectName() for dock in front
                                    if not any(child.isVisible() for child in dock.widget().findChildren(QWidget))])
    window.close()


def cli(args: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])  # run_window reuses it
    started = time.monotonic()
    report: dict[str, Any] = {}

    def check() -> None:
        from app.ui.window.main_window import MainWindow

        # run_window shows the window's frame first and builds the panels after its first paint
        windows = [w for w in app.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible() and w.built]
        timed_out = time.monotonic() - started > DEADLINE_S
        if windows:
            window = windows[0]
            ready = window.inbox.control is not None if "--sandbox" in args else True
            ready = ready and (window.session.connection is not None or not window.profiles.list())
            if ready or timed_out:
                report.update(
                    ready=ready,
                    title=window.windowTitle(),
                    profile=window.connection_panel.current_name(),
                    endpoint=window.session.connection.settings.endpoint_url
                    if window.session.connection else None,
                    inbox_visible=window.inbox.isVisible(),
                    inbox_status=window.inbox.view.status.text(),
                    sandbox_users=window.inbox.view.users_combo.count(),
                    username=window.sign_in.username_edit.text(),
                    profiles_file=os.fspath(window.paths.profiles_file),
                    banner=window.banner.text,
                    history_file=os.fspath(window.history_store.path),
                )
                QTimer.singleShot(300, lambda: _report_front_tab(window, report))  # after the first layouts
                return
        elif timed_out:
            report.update(ready=False, error="no window")
            app.quit()
            return
        QTimer.singleShot(50, check)

    QTimer.singleShot(0, check)
    from app.cli import main

    code = main(args)
    report["exit_code"] = code
    _emit(report)
    return 0


if __name__ == "__main__":
    mode, *rest = sys.argv[1:] or ["startup"]
    sys.exit(startup() if mode == "startup" else cli(rest))
