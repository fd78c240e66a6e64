"""Window state (geometry, splitters, theme, last choices) in `window.ini` under the config dir.

Never QSettings' default location: VERIFYDESK_HOME must isolate everything a test or a tester writes.
Only layout and non-secret choices are stored here.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QSettings

from app.core.paths import app_paths

WINDOW_FILE = "window.ini"


def settings_path() -> Path:
    return app_paths().config_dir / WINDOW_FILE


def window_settings() -> QSettings:
    """The window's QSettings (IniFormat) for this process's VERIFYDESK_HOME."""
    path = settings_path()
    with contextlib.suppress(OSError):  # a read-only home: the window says so, and keeps them in memory
        path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def confine_qt_settings(config_dir: Path) -> None:
    """Point every QSettings that Qt itself keeps (the file dialogs' last folder and sidebar, in
    `QtProject.conf`) at `config_dir/qt`, so nothing lands in ~/.config outside VERIFYDESK_HOME."""
    folder = config_dir / "qt"
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(folder))


def read_str(settings: QSettings, key: str, default: str = "") -> str:
    value = settings.value(key, default)
    return value if isinstance(value, str) else default


def read_bool(settings: QSettings, key: str, default: bool = False) -> bool:
    value = settings.value(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return default
