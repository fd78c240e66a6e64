"""The folders the CLI writes (history, logs): refused at VERIFYDESK_HOME when they cannot be used, and
checked for room before a call, so a full disk is one clear message before anything is sent."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import TextIO

from app.cli.common import BadInputError
from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
from app.core.paths import HOME_ENV, AppPaths, app_paths

# The room a send needs: a history row, SQLite's write-ahead log and index, a few log lines. Below
# this the attempt could be sent but not recorded, so it is refused before anything is sent.
MIN_FREE_BYTES = 1024 * 1024
# A write that fails on a disk with less than this free failed because the disk is full, whatever
# SQLite called it ("disk I/O error" when its log or index could not grow).
FULL_BYTES = 64 * 1024


def home_error(where: Path, exc: Exception) -> BadInputError:
    """A folder VerifyDesk must write cannot be used: named at VERIFYDESK_HOME, which moves them all."""
    found = _free_bytes(where)
    if _is_disk_full(exc) or (found is not None and found[1] < FULL_BYTES):
        return disk_full_error(where, found[1] if found is not None else None)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return BadInputError(
        HOME_ENV, f"cannot use {where}: {reason}. Set {HOME_ENV} to a folder VerifyDesk may write.")


def disk_full_error(where: Path, free: int | None) -> BadInputError:
    left = f" ({free // 1024} KB free)" if free is not None else ""
    return BadInputError(
        HOME_ENV,
        f"the disk holding {where} is full{left}; nothing was sent. Free some space there, or set "
        f"{HOME_ENV} to a folder on another disk.",
    )


def _is_disk_full(exc: Exception) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower()


def _free_bytes(folder: Path) -> tuple[Path, int] | None:
    """(the nearest existing folder, the bytes free to us on its disk); None where the OS cannot tell."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    try:
        stat = os.statvfs(existing)
    except (OSError, AttributeError):  # no statvfs on Windows: the writes themselves will tell
        return None
    return existing, stat.f_bavail * stat.f_frsize


def require_room(paths: AppPaths) -> None:
    """Refuse, at VERIFYDESK_HOME, a home whose disk has too little room to record an attempt."""
    for folder in (paths.data_dir, paths.log_dir):
        found = _free_bytes(folder)
        if found is not None and found[1] < MIN_FREE_BYTES:
            raise disk_full_error(folder, found[1])


def open_history(stderr: TextIO) -> HistoryStore:
    """The history store; says where an unreadable history file was moved."""
    path = app_paths().history_db
    try:
        store = HistoryStore(path)
    except (OSError, sqlite3.Error) as exc:
        raise home_error(path.parent, exc) from None
    if store.recovered_from is not None:
        stderr.write(
            f"Note: the history file could not be read; it was moved to {store.recovered_from} "
            "and a new history was started.\n"
        )
    return store


class RecordingHistory:
    """The history a call writes to; remembers the row in flight (for a cancel to name it), and a
    pending row that cannot be written is bad input at VERIFYDESK_HOME (nothing was sent yet)."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self.in_flight: int | None = None

    def begin(self, start: AttemptStart) -> int:
        try:
            row = self.store.begin(start)
        except (OSError, sqlite3.OperationalError) as exc:
            raise home_error(self.store.path.parent, exc) from None
        self.in_flight = row
        return row

    def complete(self, row_id: int, completion: AttemptCompletion) -> object:
        try:
            return self.store.complete(row_id, completion)
        finally:  # the answer is in, also when history keeps the completion in memory (a full disk)
            self.in_flight = None
