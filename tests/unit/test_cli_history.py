"""The CLI's history command: listing, bad options, and an unreadable history file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli import EXIT_BAD_INPUT, EXIT_OK, build_parser
from app.cli_commands import run_command


def _run(*argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = run_command(args, stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_history_on_a_new_home_lists_nothing() -> None:
    code, out, _ = _run("history", "--json")
    assert code == EXIT_OK
    assert json.loads(out) == {"ok": True, "entries": []}


def test_a_history_file_that_is_not_a_database_is_moved_aside_and_reported(verifydesk_home: Path) -> None:
    history_file = verifydesk_home / "data" / "history.sqlite3"
    history_file.parent.mkdir(parents=True)
    history_file.write_bytes(b"this is not a database\n" * 10)

    code, _, err = _run("history", "--json")

    assert code == EXIT_OK
    moved = [p for p in history_file.parent.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]
    assert len(moved) == 1
    assert moved[0].read_bytes().startswith(b"this is not a database")
    assert str(moved[0]) in err


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_history_limit_must_be_positive(limit: str) -> None:
    code, out, _ = _run("history", "--json", "--limit", limit)
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--limit"


def test_history_export_refuses_other_suffixes(tmp_path: Path) -> None:
    code, out, _ = _run("history", "--json", "--export", str(tmp_path / "h.txt"))
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--export"
