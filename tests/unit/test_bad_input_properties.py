"""Bad input, generated: attribute names, tokens, ClientMetadata text and JSON files, profile files and
history exports. Nothing raises an unhandled exception, every rejection names its field (or the keys
it is about), and what is accepted round-trips exactly.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import regex
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from app.core.history import AttemptCompletion, AttemptStart, HistoryStore, records
from app.core.history.export import CSV_COLUMNS, read_csv_text
from app.core.models import SEND_OPERATION, VERIFY_OPERATION, CodeDeliveryDetails, ConnectionInfo, Outcome
from app.core.profile_model import FILE_FORMAT, Profile
from app.core.profiles import ProfileStore
from app.core.redaction import SecretRegistry
from app.core.tokens import TokenDecodeError, describe_access_token
from app.core.validation import (
    ACCESS_TOKEN_FIELD,
    ATTRIBUTE_NAME_FIELD,
    CLIENT_METADATA_FIELD,
    CODE_FIELD,
    MetadataImportError,
    MetadataRow,
    parse_metadata_bytes,
    parse_metadata_json,
    parse_metadata_text,
    request_warnings,
    validate_send,
    validate_verify,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKEN = "eyJraWQiOiJ4In0.eyJzdWIiOiJ4In0.c2ln"
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on

# --- attribute names, tokens, codes --------------------------------------------------------------

_names = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["L", "M", "S", "N", "P"]), min_size=1, max_size=32),
    st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=10, max_size=34),
    st.sampled_from(["email", "phone_number", "custom:x", "a" * 32, "a" * 33, "e mail", "a\tb", "\x00", "\u200b"]),
)


@cache
def _model_shape(name: str) -> dict[str, Any]:
    """A shape's constraints straight from botocore's own loader (not VerifyDesk's shared one)."""
    import botocore.session

    return dict(botocore.session.get_session().get_service_model("cognito-idp").shape_for(name).metadata)


def _valid_name(name: str) -> bool:
    """The oracle: the model's length bounds in code points, its pattern read by the `regex` module's
    own \\p{..} classes, and VerifyDesk's one addition, no space, tab, CR or LF."""
    shape = _model_shape("AttributeNameType")
    return (shape["min"] <= len(name) <= shape["max"] and regex.fullmatch(shape["pattern"], name) is not None
            and regex.search(r"[\t\n\r ]", name) is None)


def _unicode_versions_agree(text: str) -> bool:
    """False for a character Python's Unicode database leaves unassigned but `regex`'s newer one assigns."""
    return not any(unicodedata.category(c) == "Cn" and regex.match(r"\P{Cn}", c) for c in text)


@FAST
@given(token=st.one_of(st.just(TOKEN), st.text(max_size=60)), name=_names, code=st.text(max_size=40))
@example(token=TOKEN, name="\n\x1f", code="")  # whitespace first, a pattern refusal after it
def test_a_request_is_judged_field_by_field_and_never_raises(token: str, name: str, code: str) -> None:
    assume(_unicode_versions_agree(name))
    errors = validate_verify(token, name, code)
    fields_named = [e.field for e in errors]
    assert set(fields_named) <= {ACCESS_TOKEN_FIELD, ATTRIBUTE_NAME_FIELD, CODE_FIELD}
    assert len(fields_named) == len(set(fields_named))
    assert (ATTRIBUTE_NAME_FIELD in fields_named) == (not _valid_name(name))
    token_ok = regex.fullmatch(_model_shape("TokenModelType")["pattern"], token) is not None
    assert (ACCESS_TOKEN_FIELD in fields_named) == (not token_ok)
    for error in errors:
        assert error.message and str(error).startswith(f"{error.field}: ")
    # The character named: the first the model's pattern refuses, else the first whitespace (which the
    # model passes and VerifyDesk refuses).
    model_pattern = _model_shape("AttributeNameType")["pattern"]
    bad_char = (next((c for c in name if not regex.fullmatch(model_pattern, c)), None)
                or next((c for c in name if not regex.fullmatch(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]", c)), None))
    if bad_char is not None and len(name) <= 32:
        message = next(e.message for e in errors if e.field == ATTRIBUTE_NAME_FIELD)
        # The offending character is named: as itself or by code point.
        assert repr(bad_char) in message or f"U+{ord(bad_char):04X}" in message
    units = len(name.encode("utf-16-le")) // 2
    warned = [w.message for w in request_warnings(name)]
    if len(name) <= 32 < units:
        assert warned and f"{len(name)} characters" in warned[0] and f"{units} in UTF-16 units" in warned[0]
    else:
        assert warned == []


@FAST
@given(token=st.one_of(
    st.text(max_size=200),
    st.lists(st.text("ABCabc0123456789-_=", max_size=30), min_size=3, max_size=3).map(".".join),
    st.binary(max_size=120).map(lambda raw: "eyJhbGciOiJub25lIn0." + raw.hex() + ".sig"),
    st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8) | st.none(), max_size=5).map(
        lambda claims: "eyJhbGciOiJub25lIn0." + _b64(json.dumps(claims)) + ".sig"),
))
def test_describing_any_pasted_token_either_works_or_says_why_it_is_not_a_jwt(token: str) -> None:
    try:
        info = describe_access_token(token)
    except TokenDecodeError as exc:
        assert str(exc).startswith("Not a JWT")
    else:
        assert isinstance(info.warnings(now=0), list)


def _b64(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# --- ClientMetadata text and files ------------------------------------------------------------------

_keys = st.text(min_size=1, max_size=20).filter(
    lambda k: "=" not in k and not any(c in LINE_BREAKS for c in k) and k.strip() != "")
_values = st.text(max_size=40).filter(lambda v: not any(c in LINE_BREAKS for c in v))


@FAST
@given(metadata=st.dictionaries(_keys, _values, min_size=1, max_size=15), crlf=st.booleans())
def test_key_value_lines_paste_back_exactly_as_typed(metadata: dict[str, str], crlf: bool) -> None:
    first = next(iter(metadata))
    assume(not first.lstrip().startswith("{"))
    text = ("\r\n" if crlf else "\n").join(f"{k}={v}" for k, v in metadata.items())
    assert parse_metadata_text(text) == metadata


@FAST
@given(text=st.text(max_size=300))
def test_any_pasted_text_is_a_map_of_strings_or_a_refusal_with_a_message(text: str) -> None:
    try:
        metadata = parse_metadata_text(text)
    except MetadataImportError as exc:
        assert exc.message
        assert all(key in exc.message or repr(key) in exc.message for key in exc.keys)
    else:
        assert metadata and all(isinstance(k, str) and k and isinstance(v, str) for k, v in metadata.items())


_json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
_json_any = st.recursive(
    _json_scalars | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@FAST
@given(top=_json_any.filter(lambda value: not isinstance(value, dict)))
def test_a_json_top_level_that_is_not_an_object_is_refused_naming_its_type(top: object) -> None:
    with pytest.raises(MetadataImportError) as caught:
        parse_metadata_json(json.dumps(top))
    assert type(top).__name__ in caught.value.message


@FAST
@given(good=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=4),
       bad=st.dictionaries(st.text(min_size=1, max_size=8), _json_any.filter(lambda v: not isinstance(v, str)),
                           min_size=1, max_size=4))
def test_non_string_values_are_refused_naming_every_such_key(good: dict[str, str], bad: dict[str, object]) -> None:
    document = {**good, **bad}
    with pytest.raises(MetadataImportError) as caught:
        parse_metadata_json(json.dumps(document))
    assert set(caught.value.keys) == set(bad)
    named = list(bad)[:10]
    assert all(repr(key) in caught.value.message for key in named)
    assert "ClientMetadata values must be strings" in caught.value.message


@SLOW
@given(depth=st.sampled_from([1_000, 10_000, 100_000]), opener=st.sampled_from(["[", '{"a":']))
def test_deep_nesting_is_refused_not_a_crash(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = '{"k":' + opener * depth + "1" + closer * depth + "}"
    with pytest.raises(MetadataImportError) as caught:
        parse_metadata_json(text)
    # Python's parser either gives up ("nested too deeply") or reads it and the value is not a string.
    assert "nested too deeply" in caught.value.message or caught.value.keys == ("k",)


@SLOW
@given(prefix=st.sampled_from([b"", b"\xef\xbb\xbf"]), bad=st.binary(min_size=1, max_size=8))
def test_invalid_utf8_is_refused_naming_the_byte_and_a_utf8_bom_is_read(prefix: bytes, bad: bytes) -> None:
    good = prefix + json.dumps({"k": "v ✓"}, ensure_ascii=False).encode()
    assert parse_metadata_bytes(good) == {"k": "v ✓"}
    raw = prefix + b'{"k": "' + bad + b'"}'
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as expected:
        with pytest.raises(MetadataImportError) as caught:
            parse_metadata_bytes(raw)
        assert caught.value.message == f"Not UTF-8 text (byte {expected.start} is invalid)."
    else:
        assume(False)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_file_is_refused_as_not_utf8(encoding: str) -> None:
    raw = ("\ufeff" if not encoding.endswith(("le", "be")) else "") + '{"k": "v"}'
    with pytest.raises(MetadataImportError, match=r"Not UTF-8 text|Not valid JSON"):
        parse_metadata_bytes(raw.encode(encoding))


def test_one_megabyte_values_and_many_keys_are_accepted_whole() -> None:
    big = {"a": "x" * 1_000_000, "b": "é" * 500_000, **{f"k{i}": str(i) for i in range(10_000)}}
    raw = json.dumps(big, ensure_ascii=False).encode()
    assert parse_metadata_bytes(raw) == big
    rows = [MetadataRow(k, v) for k, v in big.items()]
    assert validate_send(TOKEN, "email", rows) == []


def test_a_grid_with_ten_thousand_rows_reports_each_problem_by_row_and_field() -> None:
    rows = [MetadataRow(f"k{i % 5000}", "v") for i in range(10_000)] + [MetadataRow("", "orphan")]
    errors = validate_send(TOKEN, "email", rows)
    assert len(errors) == 5001
    assert {e.field for e in errors} == {CLIENT_METADATA_FIELD}
    assert errors[0].message == "row 5001 key: Duplicate key 'k0' (also row 1)."
    assert errors[-1].message == "row 10001 key: Key is empty; give this value a key."


# --- profile files --------------------------------------------------------------------------------

PROFILE_FIELDS = {f.name for f in fields(Profile)}
_entry_values = st.one_of(_json_any, st.sampled_from(["eu-west-1", "abc123", "http://127.0.0.1:9", "x", ""]))
_entries = st.dictionaries(st.sampled_from(sorted(PROFILE_FIELDS)), _entry_values, max_size=8)


@contextmanager
def _profiles_file(content: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profiles.json"
        path.write_bytes(content)
        yield path


@FAST
@given(entries=st.lists(_entries, max_size=4))
def test_dropped_profile_entries_are_reported_by_number_and_field_and_the_notice_says_where(
    entries: list[dict[str, object]],
) -> None:
    document = {"format": FILE_FORMAT, "version": 1, "profiles": entries}
    with _profiles_file(json.dumps(document).encode()) as path:
        store = ProfileStore(path)
        kept = store.list()
        assert store.problem is None
        if store.recovered_from is None:
            assert store.notice is None
            assert len(kept) == len(entries)
            return
        assert store.notice is not None and str(store.recovered_from) in store.notice
        assert store.recovered_from.read_bytes() == json.dumps(document).encode()
        for problem in store.recovery_problems:
            match = re.match(r"profile #(\d+): (\w+): .+", problem)
            assert match, problem
            assert 1 <= int(match[1]) <= len(entries)
            assert match[2] in PROFILE_FIELDS | {"profile"}, problem
        assert len(kept) + len(store.recovery_problems) == len(entries)
        assert ProfileStore(path).recovered_from is None  # the salvaged file reads cleanly now


@SLOW
@given(content=st.binary(max_size=400))
def test_any_bytes_in_the_profiles_file_recover_with_a_notice_and_keep_the_old_file(content: bytes) -> None:
    with _profiles_file(content) as path:
        store = ProfileStore(path)
        assert store.list() == []
        if content.strip():
            assert store.recovered_from is not None
            assert store.recovered_from.read_bytes() == content
            assert store.notice is not None and str(store.recovered_from) in store.notice
        else:
            assert store.notice is None


# --- history exports ------------------------------------------------------------------------------

_text = st.text(max_size=60).filter(lambda t: "eyJ" not in t)
_optional = st.none() | _text
_starts = st.builds(
    AttemptStart,
    operation=st.sampled_from([SEND_OPERATION, VERIFY_OPERATION]),
    connection=st.builds(ConnectionInfo, region=_text, endpoint_url=_optional, user_pool_id=_optional,
                         client_id=_text, profile_name=_optional),
    username=_optional,
    attribute_name=_text,
    client_metadata=st.dictionaries(_text, _text, max_size=4),
)
_completions = st.none() | st.builds(
    AttemptCompletion,
    outcome=st.sampled_from([Outcome.SUCCESS, Outcome.ERROR]),
    delivery=st.none() | st.builds(CodeDeliveryDetails, _optional, _optional, _optional),
    error_code=_optional, error_message=_optional,
    http_status=st.none() | st.integers(100, 599), request_id=_optional,
    latency_ms=st.none() | st.floats(0, 1e7, allow_nan=False), attempts=st.none() | st.integers(1, 10),
    cancelled=st.booleans(), trigger_log=_optional,
)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


@SLOW
@given(attempts=st.lists(st.tuples(_starts, _completions), min_size=1, max_size=6))
def test_any_records_export_to_csv_and_json_that_read_back_equal(
    attempts: list[tuple[AttemptStart, AttemptCompletion | None]],
) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch.object(records, "SECRETS", SecretRegistry()),
        HistoryStore(Path(tmp) / "h.sqlite3") as store,
    ):
        for start, completion in attempts:
            row_id = store.begin(start)
            if completion is not None:
                store.complete(row_id, completion)
        expected = [record.to_dict() for record in store.page(limit=100)]
        assert store.export(Path(tmp) / "h.json") == len(attempts)
        assert store.export(Path(tmp) / "h.csv") == len(attempts)
        assert json.loads((Path(tmp) / "h.json").read_text(encoding="utf-8")) == expected
        with (Path(tmp) / "h.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    assert len(rows) == len(expected)
    for row, record in zip(rows, expected, strict=True):
        delivery = record.pop("delivery") or {}
        record["delivery_attribute_name"] = delivery.get("attribute_name")
        record["delivery_medium"] = delivery.get("delivery_medium")
        record["delivery_destination"] = delivery.get("destination")
        if record["latency_ms"] is not None:  # the CSV keeps a tenth of a millisecond
            record["latency_ms"] = round(record["latency_ms"], 1)
        assert json.loads(row.pop("client_metadata")) == record.pop("client_metadata")
        assert {column: read_csv_text(cell) for column, cell in row.items()} == {
            column: _cell(record[column]) for column in CSV_COLUMNS if column != "client_metadata"
        }
