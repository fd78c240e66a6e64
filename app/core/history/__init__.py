"""History of attempts: SQLite (WAL, versioned schema), written before each request is sent.

`HistoryStore` is the entry point; records, filters and exports are plain data. Nothing stored ever
holds a token, password or secret: every text field is redacted on the way in.
"""

from app.core.history.records import (
    TOKEN_PLACEHOLDER,
    AttemptCompletion,
    AttemptStart,
    CodeWait,
    HistoryFilter,
    HistoryRecord,
)
from app.core.history.runs import RunAttempt, RunRecord, RunStatus
from app.core.history.schema import SCHEMA_VERSION, HistoryError, HistoryVersionError, HistoryWriteError
from app.core.history.store import HistoryStore

__all__ = [
    "SCHEMA_VERSION",
    "TOKEN_PLACEHOLDER",
    "AttemptCompletion",
    "AttemptStart",
    "CodeWait",
    "HistoryError",
    "HistoryFilter",
    "HistoryRecord",
    "HistoryStore",
    "HistoryVersionError",
    "HistoryWriteError",
    "RunAttempt",
    "RunRecord",
    "RunStatus",
]
