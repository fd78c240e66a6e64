"""CSV and JSON exports of history, streamed record by record and written atomically.

CSV: a header row, UTC ISO times, ClientMetadata as one JSON column, delivery in three columns.
Testers open exports in spreadsheets, so a text cell a spreadsheet would run as a formula (it begins
with = + - @, a tab or a carriage return) gets a leading apostrophe; text that already begins with an
apostrophe gets one more, so `read_csv_text` undoes the escape exactly.
JSON: an array of `HistoryRecord.to_dict()`, unescaped. Both hold only what the store holds: no tokens.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, TextIO

from app.core.history.records import HistoryRecord

ExportFormat = Literal["csv", "json"]

CSV_COLUMNS = (
    "id", "started_at", "finished_at", "operation", "outcome", "cancelled", "region", "endpoint_url",
    "user_pool_id", "client_id", "profile_name", "username", "attribute_name", "client_metadata",
    "delivery_attribute_name", "delivery_medium", "delivery_destination", "error_code", "error_message",
    "http_status", "request_id", "latency_ms", "attempts", "trigger_log", "old_value", "new_value",
    "value_state",
)


def format_for(path: Path, fmt: ExportFormat | None) -> ExportFormat:
    """The format asked for, or the one the file's suffix names."""
    if fmt is not None:
        if fmt not in ("csv", "json"):
            raise ValueError(f"unknown export format {fmt!r}: use csv or json")
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "json"
    raise ValueError(f"cannot tell the export format of {path.name!r}: name it .csv or .json")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a CSV cell no spreadsheet evaluates: risky text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith((*_FORMULA_STARTS, _ESCAPE)):
        return _ESCAPE + value
    return value


def read_csv_text(cell: str) -> str:
    """A text cell of an exported CSV as it was recorded (undoes `spreadsheet_safe`)."""
    return cell[1:] if cell.startswith(_ESCAPE) else cell


def csv_row(record: HistoryRecord) -> list[Any]:
    data = record.to_dict()
    delivery = data.pop("delivery") or {}
    data["client_metadata"] = json.dumps(record.client_metadata, ensure_ascii=False)
    data["delivery_attribute_name"] = delivery.get("attribute_name")
    data["delivery_medium"] = delivery.get("delivery_medium")
    data["delivery_destination"] = delivery.get("destination")
    if record.latency_ms is not None:  # a tenth of a millisecond, not float noise (66.1492460003501)
        data["latency_ms"] = round(record.latency_ms, 1)
    return ["" if data[column] is None else spreadsheet_safe(data[column]) for column in CSV_COLUMNS]


def _write_csv(handle: TextIO, records: Iterable[HistoryRecord]) -> int:
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count


def _write_json(handle: TextIO, records: Iterable[HistoryRecord]) -> int:
    count = 0
    handle.write("[")
    for record in records:
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(record.to_dict(), ensure_ascii=False))
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def write(path: Path, fmt: ExportFormat, records: Iterable[HistoryRecord]) -> int:
    """Write `records` to `path` via a temporary file in the same directory; returns the count."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            count = _write_csv(handle, records) if fmt == "csv" else _write_json(handle, records)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return count
