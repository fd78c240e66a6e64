"""`verifydesk history`: the newest records as text or JSON (a verify whose code came from a code
source with where from and the wait), or every matching record exported to a file. Stored text
(metadata, errors, destinations) is shown with its control characters escaped."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from app.cli.common import EXIT_OK, BadInputError, emit_json, shown
from app.cli.home import open_history
from app.cli.parser import HISTORY_OPERATIONS
from app.core.history import HistoryFilter, HistoryRecord
from app.core.models import UPDATE_OPERATION, Outcome

HISTORY_LIMIT_MAX = 1_000_000


def _history_filter(args: argparse.Namespace) -> HistoryFilter:
    return HistoryFilter(
        outcome=Outcome(args.outcome) if args.outcome and args.outcome != "cancelled" else None,
        cancelled=True if args.outcome == "cancelled" else None,
        error_code=args.error_code or None,
        attribute_name=args.attribute or None,
        text=args.search or None,
        operation=HISTORY_OPERATIONS[args.operation] if args.operation else None,
    )


def _why_unwritable(path: Path, exc: OSError) -> str:
    """Why a file could not be written, in words about the place when they say more than errno's."""
    try:
        if path.is_dir():
            return "it is a folder"
        if not path.parent.exists():
            return f"the folder {path.parent} does not exist"
        if not path.parent.is_dir():
            return f"{path.parent} is not a folder"
    except OSError:
        pass
    return exc.strerror or str(exc)


def _change(record: HistoryRecord) -> str:
    """An attribute change's old and new value, and whether the new one is pending or applied."""
    state = f" ({record.value_state.value})" if record.value_state is not None else ""
    old = "(none)" if record.old_value is None else f"'{record.old_value}'"
    new = "(none)" if record.new_value is None else f"'{record.new_value}'"
    return f"{old} -> {new}{state} "


def history_line(record: HistoryRecord) -> str:
    """One record as one line of text (with its newline), whatever its stored text holds; an attribute
    change shows its old and new value."""
    destination = record.delivery.destination if record.delivery else ""
    what = shown(record.error_code or destination or "")
    if record.operation == UPDATE_OPERATION:
        what = shown(_change(record)) + what
    outcome = record.outcome.value if isinstance(record.outcome, Outcome) else shown(record.outcome)
    return (
        f"#{record.id:<6} {record.started_at:%Y-%m-%d %H:%M:%S}Z {outcome:<11} "
        f"{shown(record.attribute_name):<14} {what} {shown(record.metadata_summary)}\n"
    )


def _export(args: argparse.Namespace, filt: HistoryFilter, stdout: TextIO, stderr: TextIO) -> int:
    suffix = args.export.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise BadInputError("--export", "Export to a file ending in .csv or .json.")
    with open_history(stderr) as history:
        try:
            count = history.export(args.export, filt)
        except OSError as exc:  # the export writes a temporary file and removes it on failure
            reason = _why_unwritable(args.export, exc)
            raise BadInputError("--export", f"cannot write {args.export}: {reason}.") from None
    if args.json:
        emit_json(stdout, {"ok": True, "exported": count, "file": str(args.export)})
    else:
        stdout.write(f"Exported {count} records to {args.export}\n")
    return EXIT_OK


def run_history(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if not 1 <= args.limit <= HISTORY_LIMIT_MAX:
        raise BadInputError(
            "--limit", f"Show from 1 to {HISTORY_LIMIT_MAX:,} records; --export writes all of them.")
    filt = _history_filter(args)
    if args.export:
        return _export(args, filt, stdout, stderr)
    with open_history(stderr) as history:
        records = history.page(filt, limit=args.limit)
        waits = history.code_waits(r.id for r in records)
    if args.json:
        rows = [{**r.to_dict(), "code_source": waits[r.id].to_dict() if r.id in waits else None}
                for r in records]
        emit_json(stdout, {"ok": True, "records": rows})
        return EXIT_OK
    for record in records:
        line = history_line(record)
        if record.id in waits:
            wait = waits[record.id]
            line = line[:-1] + f" (code from {shown(wait.source)}, {shown(wait.wait_ms)} ms)\n"
        stdout.write(line)
    return EXIT_OK
