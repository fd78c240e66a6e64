"""History CSV exports open safely in spreadsheets: no recorded text runs as a formula."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
from app.core.history.export import read_csv_text, spreadsheet_safe
from app.core.models import SEND_OPERATION, CodeDeliveryDetails, ConnectionInfo, Outcome

INFO = ConnectionInfo("eu-west-1", None, "eu-west-1_Pool", "client123", "=HYPERLINK(\"http://x\")")
FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("formula", FORMULAS)
def test_text_a_spreadsheet_would_evaluate_gets_a_leading_apostrophe(tmp_path: Path, formula: str) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        row_id = store.begin(AttemptStart(SEND_OPERATION, INFO, formula, "email", {formula: formula}))
        store.complete(row_id, AttemptCompletion(
            Outcome.ERROR, delivery=CodeDeliveryDetails("email", "SMS", "+********8920"),
            error_code=formula, error_message=formula,
        ))
        store.export(tmp_path / "h.csv")
        store.export(tmp_path / "h.json")
    (row,) = _csv_rows(tmp_path / "h.csv")
    for column in ("username", "error_code", "error_message", "profile_name", "delivery_destination"):
        assert row[column].startswith("'"), (column, row[column])
        assert row[column][1:] in (formula, "+********8920", INFO.profile_name)
    # Metadata is one JSON cell (it starts with "{"), numbers stay numbers.
    assert json.loads(row["client_metadata"]) == {formula: formula}
    assert row["id"] == "1" and row["attempts"] in ("", "1")
    # JSON exports are data, not sheets: unescaped.
    (record,) = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    assert record["error_message"] == formula and record["username"] == formula


def test_plain_text_is_left_alone() -> None:
    for value in ("email", "a***@e***", "LimitExceededException", "", "1+1", " =not first", "日本"):
        assert spreadsheet_safe(value) == value
    assert spreadsheet_safe(-3) == -3  # numbers are not text cells


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=30))
def test_the_escape_is_undone_exactly_and_never_leaves_a_formula_start(text: str) -> None:
    cell = spreadsheet_safe(text)
    assert read_csv_text(cell) == text
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
