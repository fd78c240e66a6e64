"""The request fields' shapes come from botocore's loaded cognito-idp model, and the checks on them
follow it: pattern, lengths in code points, the whitespace VerifyDesk refuses and the warnings."""

from __future__ import annotations

import sys
import unicodedata
from typing import Any

import botocore.session
import pytest
import regex

from app.core.field_rules import (
    PatternSyntaxError,
    attribute_name_problem,
    attribute_name_warning,
    compile_class,
    field_rules,
    metadata_warnings,
    utf16_length,
)
from app.core.validation import ATTRIBUTE_NAME_FIELD, CLIENT_METADATA_FIELD, request_warnings


def _shape(name: str) -> Any:
    return botocore.session.get_session().get_service_model("cognito-idp").shape_for(name)


def test_the_installed_sdk_states_the_shapes_verifydesk_was_written_against() -> None:
    # A new botocore that changes any of these fails here: read the new shape, decide what the
    # window and the CLI do with it, and update README's "Client-side validation" section.
    assert _shape("AttributeNameType").metadata == {
        "min": 1, "max": 32, "pattern": r"[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+"}
    assert _shape("TokenModelType").metadata == {"pattern": "[A-Za-z0-9-_=.]+", "sensitive": True}
    metadata = _shape("ClientMetadataType")
    assert (metadata.type_name, metadata.metadata) == ("map", {})
    for part in (metadata.key, metadata.value):
        assert (part.name, part.type_name, part.metadata) == ("StringType", "string", {"min": 0, "max": 131072})


def test_the_rules_are_the_models_shapes() -> None:
    rules = field_rules()
    for rule, shape in ((rules.attribute_name, _shape("AttributeNameType")),
                        (rules.access_token, _shape("TokenModelType")),
                        (rules.metadata_value, _shape("ClientMetadataType").value)):
        meta = shape.metadata
        assert (rule.shape, rule.min_length, rule.max_length, rule.pattern) == (
            shape.name, meta.get("min"), meta.get("max"), meta.get("pattern"))


def _assigned(start: int, stop: int) -> list[str]:
    chars = (chr(point) for point in range(start, stop))
    return [c for c in chars if unicodedata.category(c) not in {"Cn", "Cs"}]


@pytest.mark.parametrize("shape", ["AttributeNameType", "TokenModelType", "ConfirmationCodeType"])
def test_a_model_pattern_is_read_as_the_regex_module_reads_it_for_every_assigned_character(shape: str) -> None:
    pattern = _shape(shape).metadata["pattern"]
    allows = compile_class(pattern)
    one = regex.compile(pattern)
    # Every assigned code point (Python's Unicode database) up to the last plane in use.
    differ = [c for c in _assigned(0, 0x40000) + _assigned(0xE0000, sys.maxunicode + 1)
              if allows(c) != (one.fullmatch(c) is not None)]
    assert differ == []


@pytest.mark.parametrize("pattern", ["[a-z]*", "[^a]+", r"[\w]+", r"[\p{]+", "[z-a]+", "abc"])
def test_a_pattern_of_another_form_is_refused_not_misread(pattern: str) -> None:
    with pytest.raises(PatternSyntaxError):
        compile_class(pattern)


@pytest.mark.parametrize(("name", "kind"), [("e mail", "a space (U+0020"), ("a\tb", "a tab (U+0009"),
                                             ("a\nb", "a line break (U+000A"), ("a\rb", "a carriage return")])
def test_whitespace_the_model_would_pass_is_refused_saying_so(name: str, kind: str) -> None:
    assert regex.fullmatch(_shape("AttributeNameType").metadata["pattern"], name)
    problem = attribute_name_problem(name)
    assert problem is not None
    assert kind in problem
    assert "service model would pass it, but no verifiable attribute has such a name" in problem


def test_the_length_limit_counts_code_points_and_a_longer_name_says_both_counts() -> None:
    emoji = "\U0001F600"
    assert attribute_name_problem(emoji * 32) is None  # 32 code points, 64 UTF-16 units
    problem = attribute_name_problem(emoji * 33)
    assert problem == "At most 32 characters; this one has 33 (Unicode code points; 66 in UTF-16 units)."
    assert attribute_name_problem("a" * 33) == "At most 32 characters; this one has 33."


@pytest.mark.parametrize(("name", "counts"), [
    ("\U0001F600" * 17, (17, 34)), ("a" * 31 + "\U0001F600", (32, 33)), ("a" * 16 + "\U0001F600" * 16, (32, 48)),
])
def test_a_name_within_the_limit_in_code_points_but_not_in_utf16_units_is_warned_about(
    name: str, counts: tuple[int, int]
) -> None:
    assert (len(name), utf16_length(name)) == counts
    warning = attribute_name_warning(name)
    assert warning is not None
    assert f"{counts[0]} characters counted in Unicode code points" in warning
    assert f"{counts[1]} in UTF-16 units" in warning
    assert [e.field for e in request_warnings(name)] == [ATTRIBUTE_NAME_FIELD]


@pytest.mark.parametrize("name", ["email", "a" * 32, "\U0001F600" * 16, "a" * 30 + "\U0001F600", "\U0001F600" * 33])
def test_no_count_warning_when_both_counts_are_on_the_same_side_of_the_limit(name: str) -> None:
    assert attribute_name_warning(name) is None


def test_a_metadata_key_or_value_over_the_models_string_limit_is_warned_about_naming_it() -> None:
    limit = _shape("StringType").metadata["max"]
    metadata = {"ok": "x" * limit, "big": "x" * (limit + 1), "k" * (limit + 1): "v"}
    warnings = metadata_warnings(metadata.items())
    assert warnings == [
        f"ClientMetadata value of 'big' has {limit + 1} characters, more than the {limit} the service model "
        "allows: Cognito may refuse the request.",
        f"ClientMetadata key {'k' * 40 + '…'!r} has {limit + 1} characters, more than the {limit} the service "
        "model allows: Cognito may refuse the request.",
    ]
    assert [e.field for e in request_warnings("email", metadata)] == [CLIENT_METADATA_FIELD] * 2
    assert request_warnings("email", {"ok": "x" * limit}) == []
