"""Where VerifyDesk writes: config, data and logs, all under VERIFYDESK_HOME when it is set."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "VERIFYDESK_HOME"
_APP_DIR_NAME = "verifydesk"


@dataclass(frozen=True)
class AppPaths:
    """The three directories the app writes to; created on first use."""

    config_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def profiles_file(self) -> Path:
        return self.config_dir / "profiles.json"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "verifydesk.log"

    def ensure(self) -> AppPaths:
        for directory in (self.config_dir, self.data_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

    def unwritable(self) -> list[str]:
        """Create the folders where possible and try a small write in each; one sentence per folder
        that cannot take one (read-only, full, not a folder), naming it. Never raises."""
        problems = []
        for what, directory in (("settings", self.config_dir), ("history", self.data_dir),
                                ("log", self.log_dir)):
            reason = _write_problem(directory)
            if reason:
                problems.append(f"the {what} folder {directory} cannot be written ({reason})")
        return problems


def _write_problem(directory: Path) -> str | None:
    probe = directory / f".write-check-{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with probe.open("wb") as out:
            out.write(b"\0" * 4096)  # a full disk refuses the write itself (no fsync: start-up time)
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return None


def app_paths() -> AppPaths:
    """The directories for this process: VERIFYDESK_HOME/{config,data,logs} or the platform's own."""
    override = os.environ.get(HOME_ENV)
    if override:
        home = Path(override).expanduser()
        return AppPaths(home / "config", home / "data", home / "logs")
    import platformdirs

    return AppPaths(
        Path(platformdirs.user_config_dir(_APP_DIR_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(_APP_DIR_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(_APP_DIR_NAME, appauthor=False)),
    )
