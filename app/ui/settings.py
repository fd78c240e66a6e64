"""Window state (geometry, splitters, theme, last choices) in `window.ini` under the config dir.

Never QSettings' default location: VERIFYDESK_HOME must isolate everything a test or a tester writes.
Only layout and non-secret choices are stored here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from app.core.paths import app_paths

WINDOW_FILE = "window.ini"
T = TypeVar("T")


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


def _str(value: object, default: str) -> str:
    return value if isinstance(value, str) else default


def _bool(value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return default


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _strs(value: object, default: list[str]) -> list[str]:
    if isinstance(value, str):  # QSettings reads a one-item list back as its item
        return [value] if value else []
    if isinstance(value, list):
        return [str(item) for item in value]
    return default


def _bytes(value: object, default: QByteArray | None) -> QByteArray | None:
    return value if isinstance(value, QByteArray) else default


@dataclass(frozen=True)
class Key(Generic[T]):
    """A `window.ini` key with its type and default: `read` never returns another type."""

    name: str
    default: T
    parse: Callable[[object, T], T]

    def read(self, settings: QSettings) -> T:
        return self.parse(settings.value(self.name, self.default), self.default)

    def write(self, settings: QSettings, value: T) -> None:
        settings.setValue(self.name, value)


def str_key(name: str, default: str = "") -> Key[str]:
    return Key(name, default, _str)


def bool_key(name: str, default: bool = False) -> Key[bool]:
    return Key(name, default, _bool)


def int_key(name: str, default: int = 0) -> Key[int]:
    return Key(name, default, _int)


def str_list_key(name: str) -> Key[list[str]]:
    return Key(name, [], _strs)


def bytes_key(name: str) -> Key[QByteArray | None]:
    return Key(name, None, _bytes)


GEOMETRY = bytes_key("geometry")
WINDOW_STATE = bytes_key("windowState")
TOP_SPLITTER = bytes_key("topSplitter")
LAST_PROFILE = str_key("lastProfile")
THEME = str_key("theme", "system")
RECENT_SUITES = str_list_key("runs/recentSuites")
"""Suite files opened in the Runs tab, the latest first."""
