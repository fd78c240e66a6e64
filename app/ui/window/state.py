"""The window's saved state in `window.ini`: geometry, docks, column widths, theme, last profile."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from app.ui.settings import GEOMETRY, LAST_PROFILE, THEME, TOP_SPLITTER, WINDOW_STATE
from app.ui.widgets.style import Theme

DEFAULT_SIZE = (1280, 800)


def restore_geometry(window: QMainWindow, settings: QSettings) -> None:
    """The saved geometry, else the default size within the screen's available area."""
    geometry = GEOMETRY.read(settings)
    if geometry is not None and window.restoreGeometry(geometry):
        return
    screen = QGuiApplication.primaryScreen()
    available = screen.availableGeometry() if screen else None
    width, height = DEFAULT_SIZE
    if available is not None:
        width, height = min(width, available.width()), min(height, available.height())
    window.resize(width, height)


def saved_theme(settings: QSettings) -> Theme:
    name = THEME.read(settings)
    return Theme(name) if name in {t.value for t in Theme} else Theme.SYSTEM


def restore_docks(window: QMainWindow, settings: QSettings) -> bool:
    state = WINDOW_STATE.read(settings)
    return state is not None and window.restoreState(state)


def saved_columns(settings: QSettings) -> QByteArray | None:
    return TOP_SPLITTER.read(settings)


def save_state(
    window: QMainWindow, settings: QSettings, columns: QByteArray | None, last_profile: str
) -> None:
    """Geometry, docks, the columns' widths (None: keep the saved ones) and the last profile."""
    GEOMETRY.write(settings, window.saveGeometry())
    WINDOW_STATE.write(settings, window.saveState())
    if columns is not None:
        TOP_SPLITTER.write(settings, columns)
    LAST_PROFILE.write(settings, last_profile)
    settings.sync()
