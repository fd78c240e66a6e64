"""The ClientMetadata grid under generated input: arbitrary cell text, edits, pastes of anything
(JSON, `key=value` lines, plain text), at up to 10,000 rows. The model never raises, its problems are
always those of its rows, each named by row; a refused paste changes nothing and says why; and edits
at 10,000 rows stay inside a real (generous) time budget with a painted, scrolled view.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from app.core.validation import MetadataImportError, MetadataRow, metadata_row_problems, parse_metadata_text
from app.ui.request.metadata_editor import MetadataEditor
from app.ui.request.metadata_model import KEY_COLUMN, VALUE_COLUMN, MetadataModel

pytestmark = pytest.mark.gui

PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BIG = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.data_too_large])
ROWS = 10_000

_cell_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "k", "dup", "=", "{", "a=b", "line\nbreak", "\t", "é✓東京", "x" * 400]),
)


@contextmanager
def _editor(qapp: QApplication) -> Iterator[MetadataEditor]:
    editor = MetadataEditor()
    editor.resize(640, 480)
    try:
        yield editor
    finally:
        editor.deleteLater()
        qapp.processEvents()


def _check_model(model: MetadataModel) -> None:
    rows = model.rows()
    assert model.rowCount() == len(rows)
    assert model.problems() == metadata_row_problems(rows)
    for problem in model.problems():
        tooltip = model.data(model.index(problem.row, KEY_COLUMN), Qt.ItemDataRole.ToolTipRole)
        assert tooltip == f"Row {problem.row + 1}: {problem.message}"


_operations = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.integers(0, 40), st.sampled_from([KEY_COLUMN, VALUE_COLUMN]), _cell_text),
        st.tuples(st.just("insert"), st.integers(0, 40), st.lists(st.tuples(_cell_text, _cell_text), max_size=4)),
        st.tuples(st.just("remove"), st.lists(st.integers(-2, 45), max_size=6)),
        st.tuples(st.just("merge"), st.dictionaries(_cell_text, _cell_text, max_size=4)),
    ),
    max_size=15,
)


@PROPERTIES
@given(start=st.lists(st.tuples(_cell_text, _cell_text), max_size=12), operations=_operations)
def test_any_sequence_of_edits_keeps_the_problems_those_of_the_rows(
    qapp: QApplication, start: list[tuple[str, str]], operations: list[tuple[object, ...]]
) -> None:
    model = MetadataModel()
    model.set_rows(MetadataRow(k, v) for k, v in start)
    for operation in operations:
        kind = operation[0]
        if kind == "set":
            _, row, column, text = operation
            index = model.index(int(row), int(column))
            changed = model.setData(index, text)
            if index.isValid():
                assert model.data(index, Qt.ItemDataRole.EditRole) == text
            else:
                assert changed is False
        elif kind == "insert":
            _, position, rows = operation
            model.insert_rows(int(position), [MetadataRow(k, v) for k, v in rows])
        elif kind == "remove":
            model.remove_rows(operation[1])
        else:
            metadata = dict(operation[1])
            model.merge(metadata)
            current = {}
            for row in model.rows():
                current.setdefault(row.key, row.value)
            assert all(current.get(k) == v for k, v in metadata.items() if k)
        _check_model(model)
        for r in range(min(model.rowCount(), 5)):
            shown = model.data(model.index(r, VALUE_COLUMN), Qt.ItemDataRole.DisplayRole)
            assert len(shown) <= 301 and "\n" not in shown
    assert model.setData(QModelIndex(), "x") is False


_pasted = st.one_of(
    st.text(max_size=200),
    st.lists(st.tuples(_cell_text, _cell_text), min_size=1, max_size=8).map(
        lambda pairs: "\n".join(f"{k}={v}" for k, v in pairs)),
    st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=8), st.integers(), st.none()), max_size=4).map(
        json.dumps),
)


@PROPERTIES
@given(existing=st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=5), text=_pasted)
def test_a_paste_of_anything_merges_what_it_names_or_changes_nothing_and_says_why(
    qapp: QApplication, existing: list[tuple[str, str]], text: str
) -> None:
    with _editor(qapp) as editor:
        editor.set_rows([MetadataRow(k, v) for k, v in existing])
        before = editor.rows()
        try:
            parsed: dict[str, str] | None = parse_metadata_text(text)
        except MetadataImportError:
            parsed = None
        accepted = editor.paste_text(text)
        _check_model(editor.model)
        shown = editor.message_text()
        if parsed is not None:
            assert accepted
            rows = editor.rows()
            assert all(MetadataRow(k, v) in rows for k, v in parsed.items())
            assert shown.startswith("Pasted") or "Pasted" in shown
        elif accepted:  # plain single-line text goes into the current cell, as in a spreadsheet
            assert editor.table.currentIndex().isValid()
        else:
            assert editor.rows() == before
            assert "Paste refused, the grid is unchanged:" in shown


# Printable text without "=" (the separator) or "{" (a paste starting with it is read as JSON).
_printable = st.characters(categories=["L", "M", "N", "P", "S"], exclude_characters="={")
_stems = st.text(_printable, min_size=1, max_size=10)


@BIG
@given(
    key_stems=st.lists(_stems, min_size=1, max_size=20),
    value_stems=st.lists(st.text(st.one_of(_printable, st.sampled_from(" ={")), max_size=20), min_size=1, max_size=20),
    edits=st.lists(st.tuples(st.integers(0, ROWS - 1), st.sampled_from([KEY_COLUMN, VALUE_COLUMN]), _cell_text),
                   min_size=5, max_size=10),
)
def test_edits_anywhere_in_ten_thousand_pasted_rows_keep_the_model_consistent(
    qapp: QApplication, key_stems: list[str], value_stems: list[str], edits: list[tuple[int, int, str]]
) -> None:
    keys = [f"{key_stems[i % len(key_stems)]}#{i}" for i in range(ROWS)]
    values = [value_stems[i % len(value_stems)] for i in range(ROWS)]
    text = "\n".join(f"{key}={value}" for key, value in zip(keys, values, strict=True))
    with _editor(qapp) as editor:
        editor.show()
        assert editor.paste_text(text)
        editor.flush_preview()
        editor.repaint()
        assert len(editor.rows()) == ROWS
        model = editor.model
        view = editor.table
        for row, column, new_text in edits:
            model.setData(model.index(row, column), new_text)
            view.scrollTo(model.index(row, column))
            editor.repaint()
            qapp.processEvents()
        _check_model(model)
