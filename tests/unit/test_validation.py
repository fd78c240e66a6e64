"""Client-side validation: every message names its field, nothing raises on bad input."""

from __future__ import annotations

import json
import unicodedata

import botocore.session
import pytest
import regex
from hypothesis import assume, given
from hypothesis import strategies as st

from app.core.validation import (
    ACCESS_TOKEN_FIELD,
    ATTRIBUTE_NAME_FIELD,
    CLIENT_METADATA_FIELD,
    CODE_FIELD,
    MetadataImportError,
    MetadataRow,
    attribute_name_problem,
    metadata_from_rows,
    metadata_row_problems,
    parse_metadata_assignments,
    parse_metadata_bytes,
    parse_metadata_json,
    parse_metadata_text,
    validate_send,
    validate_verify,
)

TOKEN = "eyJraWQiOiJ4In0.eyJzdWIiOiJ4In0.c2ln"


@pytest.mark.parametrize(
    "name", ["email", "phone_number", "custom:loyalty-id", "ελληνικά", "名前", "a" * 32, "€$%", "x̃"]
)
def test_attribute_names_of_letters_marks_symbols_numbers_punctuation_pass(name: str) -> None:
    assert attribute_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "Enter an attribute name"),
        ("a" * 33, "At most 32 characters; this one has 33"),
        ("e mail", "a space"),
        ("tab\there", "a tab (U+0009"),
        ("nul\x00", "U+0000"),
        ("zero\u200bwidth", "U+200B"),
    ],
)
def test_bad_attribute_names_get_a_reason(name: str, fragment: str) -> None:
    problem = attribute_name_problem(name)
    assert problem is not None
    assert fragment in problem


def test_send_validation_names_each_bad_field() -> None:
    rows = [MetadataRow("", "orphan"), MetadataRow("k", "1"), MetadataRow("k", "2")]
    errors = validate_send("not a token!", "bad name", rows)
    fields = [e.field for e in errors]
    assert fields == [ACCESS_TOKEN_FIELD, ATTRIBUTE_NAME_FIELD, CLIENT_METADATA_FIELD, CLIENT_METADATA_FIELD]
    assert "row 1 key" in errors[2].message
    assert "Duplicate key 'k' (also row 2)" in errors[3].message


def test_a_valid_send_has_no_errors() -> None:
    assert validate_send(TOKEN, "email", [MetadataRow("source", "qa"), MetadataRow("", "")]) == []


def test_verify_validation_requires_a_code_without_spaces() -> None:
    assert [e.field for e in validate_verify(TOKEN, "email", "12 34")] == [CODE_FIELD]
    assert validate_verify(TOKEN, "email", "123456") == []


def test_blank_rows_are_ignored_and_first_duplicate_wins() -> None:
    rows = [MetadataRow("a", "1"), MetadataRow("", ""), MetadataRow("a", "2"), MetadataRow("b", "")]
    assert metadata_from_rows(rows) == {"a": "1", "b": ""}
    assert [(p.row, p.column) for p in metadata_row_problems(rows)] == [(2, "key")]


def test_assignments_split_at_the_first_equals_and_allow_empty_values() -> None:
    assert parse_metadata_assignments(["url=https://x/?a=b", "empty=", "ключ=значение"]) == {
        "url": "https://x/?a=b",
        "empty": "",
        "ключ": "значение",
    }


@pytest.mark.parametrize(
    ("assignments", "fragment"),
    [(["novalue"], "is not KEY=VALUE"), (["=v"], "empty key"), (["a=1", "a=2"], "Duplicate keys: 'a'")],
)
def test_bad_assignments_are_refused(assignments: list[str], fragment: str) -> None:
    with pytest.raises(MetadataImportError, match=fragment):
        parse_metadata_assignments(assignments)


def test_json_with_non_string_values_is_refused_naming_the_keys() -> None:
    with pytest.raises(MetadataImportError) as caught:
        parse_metadata_json('{"ok": "x", "n": 1, "flag": true, "obj": {}, "nil": null}')
    assert caught.value.keys == ("n", "flag", "obj", "nil")
    assert "'n', 'flag', 'obj', 'nil'" in caught.value.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[1, 2]", "got list"),
        ("{", "Not valid JSON"),
        ('{"a": "1", "a": "2"}', "Duplicate keys: 'a'"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"": "v"}', "key is empty"),
    ],
)
def test_unusable_json_is_refused_with_a_reason(text: str, fragment: str) -> None:
    with pytest.raises(MetadataImportError, match=fragment):
        parse_metadata_json(text)


def test_invalid_utf8_file_is_refused() -> None:
    with pytest.raises(MetadataImportError, match="Not UTF-8"):
        parse_metadata_bytes(b'{"a": "\xff"}')


def test_file_with_bom_is_read() -> None:
    assert parse_metadata_bytes('\ufeff{"a": "ü"}'.encode()) == {"a": "ü"}


def test_pasted_text_may_be_json_or_lines() -> None:
    assert parse_metadata_text('  {"a": "1"}\n') == {"a": "1"}
    assert parse_metadata_text("a=1\r\n\nb = 2\n") == {"a": "1", "b ": " 2"}


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=20))
def test_any_string_map_round_trips_through_json(metadata: dict[str, str]) -> None:
    assert parse_metadata_json(json.dumps(metadata)) == metadata


@given(st.text(max_size=300))
def test_arbitrary_text_is_either_parsed_or_refused_with_a_message(text: str) -> None:
    try:
        result = parse_metadata_text(text)
    except MetadataImportError as exc:
        assert exc.message
    else:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())


@given(st.text(max_size=40))
def test_any_attribute_name_is_refused_with_a_reason_exactly_when_the_model_or_the_whitespace_rule_refuses_it(
    name: str,
) -> None:
    shape = botocore.session.get_session().get_service_model("cognito-idp").shape_for("AttributeNameType").metadata
    assume(not any(unicodedata.category(c) == "Cn" and regex.match(r"\P{Cn}", c) for c in name))  # Unicode versions
    valid = (shape["min"] <= len(name) <= shape["max"] and regex.fullmatch(shape["pattern"], name) is not None
             and not regex.search(r"[\t\n\r ]", name))
    problem = attribute_name_problem(name)
    assert (problem is None) == valid
    assert problem is None or problem.strip()
