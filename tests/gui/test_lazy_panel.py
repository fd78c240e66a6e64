"""A tab's panel is built when its dock comes into view: when shown in front later, or at once when the
dock is already in front by the time it is followed (the launcher builds the tabs of a window that is
already on screen); a tab behind another stays unbuilt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from app.ui.widgets.lazy import LazyPanel

pytestmark = pytest.mark.gui


def _window(qtbot: QtBot) -> tuple[QMainWindow, QDockWidget, QDockWidget]:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QWidget())
    front, behind = QDockWidget("Front", window), QDockWidget("Behind", window)
    for dock in (front, behind):
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.tabifyDockWidget(front, behind)
    window.resize(640, 480)
    window.show()
    qtbot.waitExposed(window)
    front.raise_()
    qtbot.waitUntil(lambda: not front.visibleRegion().isEmpty())
    return window, front, behind


def _holder(dock: QDockWidget, name: str) -> LazyPanel:
    holder = LazyPanel(lambda: QLabel(f"{name} panel"), name)
    holder.setMinimumHeight(120)  # an empty holder would get no height, so nothing on screen
    dock.setWidget(holder)
    holder.follow(dock)
    return holder


def test_a_dock_already_in_front_when_followed_gets_its_panel_built(qtbot: QtBot) -> None:
    window, front, behind = _window(qtbot)
    shown, hidden = _holder(front, "front"), _holder(behind, "behind")
    qtbot.waitUntil(lambda: shown.is_built)
    qtbot.wait(50)
    assert not hidden.is_built and window.isVisible()


def test_a_dock_behind_gets_its_panel_when_brought_forward(qtbot: QtBot) -> None:
    window, _front, behind = _window(qtbot)
    holder = _holder(behind, "behind")
    qtbot.wait(50)
    assert not holder.is_built and window.isVisible()
    behind.raise_()
    qtbot.waitUntil(lambda: holder.is_built)
    assert holder.findChild(QLabel).text() == "behind panel"
