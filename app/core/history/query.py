"""SQL for a HistoryFilter: indexed equality terms, a time range, and text search.

Text is split into words; every word must occur somewhere in the record, as a substring and ignoring
case (FTS5's trigram index, driven in id order so newest-first paging stops early). Words shorter
than a trigram, and every word when FTS5 is missing, fall back to a LIKE over the same columns: a
full scan, slow on huge histories when nothing matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.history.records import HistoryFilter, clean_text, format_time
from app.core.history.schema import FTS_COLUMNS, RECORD_COLUMNS

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SELECT_COLUMNS = ", ".join(f"a.{column}" for column in RECORD_COLUMNS)


@dataclass
class FilterSql:
    """FROM, WHERE and parameters of one filter; `id_column` is what to order and page by."""

    source: str = "attempts a"
    id_column: str = "a.id"
    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)

    def where_sql(self, *extra: str) -> str:
        terms = [*self.where, *extra]
        return f"WHERE {' AND '.join(terms)}" if terms else ""


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


TRIGRAM = 3  # the trigram index finds only strings of at least three characters


def fts_expression(words: list[str]) -> str:
    """An FTS5 query over the trigram index: every word a quoted string (no syntax injection) that
    must occur as a substring."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def build(
    filt: HistoryFilter, *, fts: bool, id_range: tuple[int | None, int | None] = (None, None)
) -> FilterSql:
    """The SQL of `filt`; `id_range` bounds the ids a time range can match (see schema v2)."""
    sql = FilterSql()
    if filt.text and filt.text.strip():
        # Control characters separate words (FTS5 would read a NUL as the end of the query).
        words = _CONTROL.sub(" ", clean_text(filt.text)).split()
        indexed = [word for word in words if fts and len(word) >= TRIGRAM]
        if indexed:
            sql.source = "attempts_fts CROSS JOIN attempts a ON a.id = attempts_fts.rowid"
            sql.id_column = "attempts_fts.rowid"
            sql.where.append("attempts_fts MATCH ?")
            sql.params.append(fts_expression(indexed))
        for word in words:
            if word in indexed:
                continue
            sql.where.append(
                "(" + " OR ".join(f"a.{column} LIKE ? ESCAPE '\\'" for column in FTS_COLUMNS) + ")"
            )
            sql.params.extend([_like_pattern(word)] * len(FTS_COLUMNS))
    equal: tuple[tuple[str, object], ...] = (
        ("outcome", None if filt.outcome is None else filt.outcome.value),
        ("cancelled", None if filt.cancelled is None else int(filt.cancelled)),
        ("operation", filt.operation),
        ("error_code", filt.error_code),
        ("attribute_name", filt.attribute_name),
    )
    for column, value in equal:
        if value is not None:
            sql.where.append(f"a.{column} = ?")
            sql.params.append(value)
    if filt.since is not None:
        sql.where.append("a.started_at >= ?")
        sql.params.append(format_time(filt.since))
    if filt.until is not None:
        sql.where.append("a.started_at <= ?")
        sql.params.append(format_time(filt.until))
    low, high = id_range
    if low is not None:
        sql.where.append(f"{sql.id_column} >= ?")
        sql.params.append(low)
    if high is not None:
        sql.where.append(f"{sql.id_column} <= ?")
        sql.params.append(high)
    return sql
