"""Open the history where it belongs or, when that file cannot be used (a read-only or full disk, a
newer VerifyDesk's file), in a temporary folder for this session, saying why and where."""

from __future__ import annotations

import sqlite3
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

from app.core.history.schema import HistoryError
from app.core.history.store import HistoryStore


@dataclass(frozen=True)
class OpenedHistory:
    """The store in use; `problem` says why it is not the usual file (None when it is)."""

    store: HistoryStore
    problem: str | None = None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def open_history(path: Path) -> OpenedHistory:
    """The history at `path`, or a session-only one in a temporary folder when `path` cannot be used
    (raises only when neither can be opened)."""
    try:
        return OpenedHistory(HistoryStore(path))
    except (OSError, sqlite3.Error, HistoryError) as exc:
        reason = _reason(exc)
    scratch = tempfile.TemporaryDirectory(prefix="verifydesk-history-")
    store = HistoryStore(Path(scratch.name) / Path(path).name)
    weakref.finalize(store, scratch.cleanup)
    return OpenedHistory(store, (
        f"History cannot be kept in {path} ({reason}): this session's attempts are kept in "
        f"{scratch.name} and are gone when VerifyDesk closes."))
