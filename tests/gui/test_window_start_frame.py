"""The window appears before its panels exist: `run_window` paints the main window's frame (restored
size and theme, menu titles, status bar), then imports and builds the panels in the same window."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QApplication, QSplitter
from pytestqt.qtbot import QtBot

from app.core.secrets import MemorySecretStore
from app.ui.first_paint import BUILT_MARKER, MARKER
from app.ui.widgets.style import Theme
from app.ui.window.main_window import MainWindow

from support.window_driver import WAIT_MS, find, label, open_window, save_sandbox_profile

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]
MENUS = ["&File", "&Session", "Re&quest", "Sand&box", "&View", "&Help"]

# Runs `verifydesk` (app.cli.main) and looks at the process while the frame waits for its first
# paint (the first timer fires inside that wait): what is built, what is imported.
FRAME_PROBE = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
seen = {}

def look():
    from app.ui.window.main_window import MainWindow
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    seen.update(windows=len(windows), built=[w.built for w in windows],
                status=[w.statusBar().currentMessage() or w.status_label.text() for w in windows],
                modules={name: name in sys.modules for name in sys.argv[1:]})

QTimer.singleShot(0, look)
from app.cli import main
code = main([])
print("FRAME " + json.dumps({**seen, "exit_code": code}), flush=True)
"""
LATER = ["asyncio", "qasync", "app.ui.history.view", "app.ui.request.panel", "app.ui.trigger.view",
         "app.core.history", "app.ui.window.about", "keyring", "boto3", "logging.handlers"]


@pytest.fixture
def restore_theme(qapp: QApplication) -> Iterator[None]:
    palette, sheet = qapp.palette(), qapp.styleSheet()
    yield
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def test_deferred_window_paints_its_restored_frame_then_builds_the_saved_layout(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, restore_theme: None  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    first = open_window(qtbot)
    first.set_theme(Theme.DARK)
    first.resize(1200, 740)
    qtbot.waitUntil(lambda: first.width() == 1200)
    splitter = find(first, QSplitter, "topSplitter")
    sizes = [330, 560, splitter.width() - 2 * splitter.handleWidth() - 890]  # as if dragged there
    splitter.setSizes(sizes)
    assert splitter.sizes() == sizes
    first.close()
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    qapp.setPalette(QPalette())  # a fresh process starts from the platform palette

    frame = MainWindow(deferred=True, secrets=MemorySecretStore())
    qtbot.addWidget(frame)
    frame.show()
    qtbot.waitExposed(frame)
    assert not frame.built and frame.findChild(QSplitter, "topSplitter") is None
    assert (frame.width(), frame.height()) == (1200, 740)  # painted at its final size
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 100  # and in the saved theme
    assert [action.text() for action in frame.menuBar().actions()] == MENUS
    assert label(frame, "statusLabel") == "Loading…"
    assert not frame.grab().isNull()

    frame.build()
    assert frame.built
    assert find(frame, QSplitter, "topSplitter").sizes() == sizes
    assert frame.findChild(QAction, "newProfileAction") is not None
    assert frame.theme_actions[Theme.DARK].isChecked()
    qtbot.waitUntil(lambda: frame.session.connection is not None, timeout=WAIT_MS)
    assert label(frame, "statusLabel").startswith("Profile Sandbox")
    assert frame.focusWidget() is frame.sign_in.username_edit  # where a keyboard user starts


def test_app_paints_the_frame_before_importing_the_panels_then_reports_the_built_window(
    tmp_path: Path,
) -> None:
    env = {key: value for key, value in __import__("os").environ.items()}
    env.update(VERIFYDESK_HOME=str(tmp_path), VERIFYDESK_MEASURE_STARTUP="1", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", FRAME_PROBE, *LATER], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(MARKER + " "))
    built = next(i for i, line in enumerate(lines) if line.startswith(BUILT_MARKER + " "))
    assert first < built and float(lines[first].split()[1]) <= float(lines[built].split()[1])
    report = json.loads(next(line for line in lines if line.startswith("FRAME ")).removeprefix("FRAME "))
    assert report["windows"] == 1 and report["built"] == [False] and report["status"] == ["Loading…"]
    assert report["modules"] == dict.fromkeys(LATER, False)
    assert report["exit_code"] == 0
