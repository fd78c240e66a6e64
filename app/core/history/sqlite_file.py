"""The SQLite file under the history: opened in WAL mode, checked, migrated, moved aside when it is
corrupt or not SQLite at all, and written in BEGIN IMMEDIATE transactions behind one lock."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from app.core.history import schema
from app.core.history.records import utc_now

log = logging.getLogger(__name__)

_SQLITE_HEADER = b"SQLite format 3\x00"
# Files up to this size get PRAGMA quick_check on open; bigger ones only the cheap checks (opening
# must stay flat with history size), and `check_integrity()` can run the full check off the UI thread.
QUICK_CHECK_MAX_BYTES = 8 * 1024 * 1024


class _CorruptFileError(Exception):
    """Internal: the file failed the integrity check on open."""


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        return True
    return type(exc) is sqlite3.DatabaseError and not name


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)

class HistoryFile:
    """One SQLite connection to the history file, shared by threads behind a lock."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 15.0) -> None:
        self.path = Path(path)
        self.recovered_from: Path | None = None
        """Where a corrupt or foreign file found at `path` was moved; None when it opened fine."""
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn: sqlite3.Connection | None = self._open()

    # --- opening ---------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self._looks_foreign():
            self._quarantine("it is not an SQLite database")
            return self._prepare()
        try:
            return self._prepare()
        except (sqlite3.DatabaseError, _CorruptFileError) as exc:
            if isinstance(exc, sqlite3.DatabaseError) and not _is_corruption(exc):
                raise
            self._quarantine(str(exc))
            return self._prepare()

    def _looks_foreign(self) -> bool:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(_SQLITE_HEADER))
        except FileNotFoundError:
            return False
        return bool(head) and head != _SQLITE_HEADER

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
        return conn

    def _prepare(self) -> sqlite3.Connection:
        conn = self._connect()
        try:
            self._enter_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if self.path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
                result = [row[0] for row in conn.execute("PRAGMA quick_check")]
                if result != ["ok"]:
                    raise _CorruptFileError("; ".join(result[:5]))
            schema.migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _enter_wal(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL, waiting for other processes up to the busy timeout: SQLite may refuse the
        switch with "database is locked" at once, without its busy handler, while another process
        opens the same new file (measured in CI: two processes creating the history together)."""
        deadline = time.monotonic() + self._busy_timeout_s
        pause = 0.005
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _quarantine(self, reason: str) -> None:
        stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{suffix}")
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            return  # another process moved it first
        for extra in ("-wal", "-journal"):
            side = Path(f"{self.path}{extra}")
            if side.exists():
                os.replace(side, Path(f"{target}{extra}"))
        Path(f"{self.path}-shm").unlink(missing_ok=True)
        self.recovered_from = target
        log.warning("history file %s was unusable (%s); moved to %s", self.path, reason, target)

    def check_integrity(self) -> list[str]:
        """PRAGMA integrity_check over the whole file (slow on big files: run it off the UI thread).

        Returns the problems found; an empty list means the file is sound.
        """
        with self._lock:
            rows = [str(row[0]) for row in self._require().execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows
    # --- plumbing --------------------------------------------------------------------------------

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise schema.HistoryError("the history store is closed")
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._require()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # also when COMMIT itself failed (a full disk)
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
