"""The history schema: versioned migrations (PRAGMA user_version) and the optional FTS5 index.

Migrations run in order inside one IMMEDIATE transaction, so two processes opening the same new
file cannot both apply them and a failing step leaves the file at its old version. The full-text
index is not versioned: it is created (and rebuilt) whenever this SQLite has FTS5 and it is missing;
a migration that changes how it tokenizes drops it, so the next open rebuilds it from the table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import cache

from app.core.models import Outcome


class HistoryError(Exception):
    """The history file cannot be used as it is."""


class HistoryWriteError(HistoryError, sqlite3.OperationalError):
    """A row could not be written (disk full, read-only, I/O error); the message says which and where."""


class HistoryVersionError(HistoryError):
    """The file was written by a newer VerifyDesk; it is left untouched."""


# Columns of `attempts` in the order HistoryRecord is built from.
RECORD_COLUMNS = (
    "id", "started_at", "finished_at", "operation", "region", "endpoint_url", "user_pool_id",
    "client_id", "profile_name", "username", "attribute_name", "client_metadata", "outcome",
    "delivery_attribute_name", "delivery_medium", "delivery_destination", "error_code",
    "error_message", "http_status", "request_id", "latency_ms", "attempts", "cancelled", "trigger_log",
    "old_value", "new_value", "value_state",
)

MAX_LAG_KEY = "max_lag_s"
_OUTCOMES = ", ".join(f"'{outcome.value}'" for outcome in Outcome)

_V1 = (
    f"""
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        operation TEXT NOT NULL,
        region TEXT NOT NULL,
        endpoint_url TEXT,
        user_pool_id TEXT,
        client_id TEXT NOT NULL,
        profile_name TEXT,
        username TEXT,
        attribute_name TEXT NOT NULL,
        client_metadata TEXT NOT NULL DEFAULT '{{}}',
        outcome TEXT NOT NULL CHECK (outcome IN ({_OUTCOMES})),
        delivery_attribute_name TEXT,
        delivery_medium TEXT,
        delivery_destination TEXT,
        error_code TEXT,
        error_message TEXT,
        http_status INTEGER,
        request_id TEXT,
        latency_ms REAL,
        attempts INTEGER,
        cancelled INTEGER NOT NULL DEFAULT 0,
        trigger_log TEXT,
        pid INTEGER,
        proc_start TEXT
    )
    """,
    # Each index also orders by rowid, so "= ? ORDER BY id DESC LIMIT n" needs no sort.
    "CREATE INDEX attempts_outcome ON attempts(outcome)",
    "CREATE INDEX attempts_error_code ON attempts(error_code)",
    "CREATE INDEX attempts_attribute_name ON attempts(attribute_name)",
    "CREATE INDEX attempts_started_at ON attempts(started_at)",
)

# v2: time ranges page as fast as the rest. `time_key` is the running maximum of started_at in id
# order (so it never decreases with id) and meta.max_lag_s bounds how far a row's started_at lags
# behind it (clock set back, imported rows; one second of slack covers julianday's rounding).
# A range [since, until] then lies within the ids whose time_key is in [since, until + max_lag_s]:
# two index seeks, then a primary-key range scan.
_V2 = (
    "ALTER TABLE attempts ADD COLUMN time_key TEXT",
    """UPDATE attempts SET time_key = w.running FROM
       (SELECT id, max(started_at) OVER (ORDER BY id) AS running FROM attempts) AS w
       WHERE w.id = attempts.id""",
    "CREATE INDEX attempts_time_key ON attempts(time_key)",
    "DROP INDEX attempts_started_at",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
    f"""INSERT INTO meta (key, value) SELECT '{MAX_LAG_KEY}',
       coalesce(max((julianday(time_key) - julianday(started_at)) * 86400.0), 0) + 1.0
       FROM attempts""",  # noqa: S608 - a constant key
)

# v3: attribute updates (UpdateUserAttributes) are attempts of their own, with the value before and
# after and whether the new value is active or waits for its code; history filters by operation.
_V3 = (
    "ALTER TABLE attempts ADD COLUMN old_value TEXT",
    "ALTER TABLE attempts ADD COLUMN new_value TEXT",
    "ALTER TABLE attempts ADD COLUMN value_state TEXT",
    "CREATE INDEX attempts_operation ON attempts(operation)",
)

# v4: suite runs. A run is a row of its own (with its writer's pid, so a killed run reads as
# interrupted), and each attempt a run makes names the run and its case.
_V4 = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        suite_name TEXT NOT NULL,
        suite_path TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        passed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        pid INTEGER,
        proc_start TEXT
    )
    """,
    "ALTER TABLE attempts ADD COLUMN run_id INTEGER",
    "ALTER TABLE attempts ADD COLUMN case_name TEXT",
    "CREATE INDEX attempts_run_id ON attempts(run_id) WHERE run_id IS NOT NULL",
)

# v5: a verify whose code came from a code source keeps where from (the source, the message's date)
# and the wait; never the message, the code or a mailbox password.
_V5 = (
    """
    CREATE TABLE code_waits (
        attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        message_date TEXT,
        wait_ms REAL
    )
    """,
)

# v6: text search matches substrings ("Validation" in "UserLambdaValidationException"). The word index
# gives way to a trigram one; dropping it here makes ensure_search_index rebuild it from the table.
_V6 = (
    "DROP TRIGGER IF EXISTS attempts_fts_insert",
    "DROP TRIGGER IF EXISTS attempts_fts_update",
    "DROP TRIGGER IF EXISTS attempts_fts_delete",
    "DROP TABLE IF EXISTS attempts_fts",
)

# MIGRATIONS[i] takes a file from version i to i + 1. Append only; never edit a released step.
MIGRATIONS: tuple[Sequence[str], ...] = (_V1, _V2, _V3, _V4, _V5, _V6)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Sequence[str]] | None = None) -> int:
    """Bring the file to the latest version; returns the version it had before."""
    steps = MIGRATIONS if migrations is None else migrations
    before = schema_version(conn)
    if before > len(steps):
        raise HistoryVersionError(
            f"history schema version {before} is newer than this VerifyDesk understands ({len(steps)})"
        )
    if before == len(steps):
        return before
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = schema_version(conn)  # another process may have migrated meanwhile
        for version in range(before, len(steps)):
            for statement in steps[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before


# --- full-text search -------------------------------------------------------------------------

FTS_COLUMNS = (
    "username", "attribute_name", "client_metadata", "error_code", "error_message", "request_id",
    "delivery_destination",
)
_TRIGGERS = ("attempts_fts_insert", "attempts_fts_update", "attempts_fts_delete")


@cache
def fts5_available() -> bool:
    """Whether this Python's SQLite was built with FTS5 and its trigram tokenizer (SQLite 3.34+)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def _fts_statements() -> tuple[str, ...]:
    # Built from the constant column names only (hence the S608 waivers).
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{col}" for col in FTS_COLUMNS)
    old = ", ".join(f"old.{col}" for col in FTS_COLUMNS)
    insert = f"INSERT INTO attempts_fts(rowid, {cols}) VALUES (new.id, {new});"  # noqa: S608
    delete = f"INSERT INTO attempts_fts(attempts_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"  # noqa: S608
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS attempts_fts USING fts5({cols}, content='attempts',"
        " content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS attempts_fts_insert AFTER INSERT ON attempts BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS attempts_fts_update AFTER UPDATE OF {cols} ON attempts"
        f" BEGIN {delete} {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS attempts_fts_delete AFTER DELETE ON attempts BEGIN {delete} END",
    )


def _existing(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE name = 'attempts_fts' OR name IN (?, ?, ?)", _TRIGGERS
    )
    return {name for (name,) in rows}


def ensure_search_index(conn: sqlite3.Connection, *, available: bool | None = None) -> bool:
    """Keep the FTS5 index in step with `attempts`; returns whether full-text search is usable.

    Without FTS5 the triggers are dropped so that writes keep working (search falls back to LIKE);
    when FTS5 is back, the triggers return and the index is rebuilt from the table.
    """
    usable = fts5_available() if available is None else available
    present = _existing(conn)
    complete = present == {"attempts_fts", *_TRIGGERS}
    if usable and complete:
        return True
    if not usable and not (present & set(_TRIGGERS)):
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        present = _existing(conn)
        if usable and present != {"attempts_fts", *_TRIGGERS}:
            for statement in _fts_statements():
                conn.execute(statement)
            conn.execute("INSERT INTO attempts_fts(attempts_fts) VALUES ('rebuild')")
        elif not usable:
            for trigger in _TRIGGERS:
                conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return usable
