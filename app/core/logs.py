"""The app's log file under the user log dir, with every record redacted."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.core.paths import AppPaths
from app.core.redaction import RedactingFilter

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _BestEffortFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file that drops a record it cannot write (a full or read-only disk) instead
    of printing logging's traceback to stderr: the log must never be why a command fails."""

    dropped = 0

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging API
        self.dropped += 1
_handler: logging.Handler | None = None
_configured: Path | None = None


def configure_logging_if_possible(paths: AppPaths, *, level: int = logging.INFO) -> Path | None:
    """`configure_logging`, or None when the log folder cannot be used (`AppPaths.unwritable`
    says why): the window then runs without a log file rather than not at all."""
    try:
        return configure_logging(paths, level=level)
    except OSError:
        return None


def configure_logging(paths: AppPaths, *, level: int = logging.INFO) -> Path:
    """Log to `<log dir>/verifydesk.log` (rotated); returns the file.

    Idempotent for the same file; a new log dir (another VERIFYDESK_HOME) replaces the handler.
    """
    global _configured, _handler  # noqa: PLW0603 - one log file per process
    root = logging.getLogger()
    if _configured == paths.log_file and _handler is not None:
        root.setLevel(min(root.level, level))
        return paths.log_file
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    handler = _BestEffortFileHandler(
        paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    # On the handler, so records from every logger (botocore included) pass through it.
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    _handler = handler
    _configured = paths.log_file
    return paths.log_file
