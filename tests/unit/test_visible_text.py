"""The one escaping rule the terminal and the window share: whatever a server sends, what is shown
holds no character that acts instead of being read, and each such character gets its own escape."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from app.core.visible import ACTIVE, shown, shown_lines

_ESCAPE = re.compile(r"\\(?:[nrte]|x[0-9a-f]{2}|u[0-9a-f]{4})")
_NAMED = {"n": "\n", "r": "\r", "t": "\t", "e": "\x1b"}


def _unshown(text: str) -> str:
    """The inverse of `shown` for text that held no backslash of its own."""
    def one(match: re.Match[str]) -> str:
        body = match.group()[1:]
        return _NAMED[body] if body in _NAMED else chr(int(body[1:], 16))
    return _ESCAPE.sub(one, text)


def _acts(char: str) -> bool:
    """What a terminal or a text layout would act on: controls, format characters that steer
    direction, line and paragraph separators, surrogates."""
    category = unicodedata.category(char)
    return category in {"Cc", "Cs", "Zl", "Zp"} or (category == "Cf" and unicodedata.bidirectional(char) in {
        "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "LRM", "RLM", "ALM"})


_ANY = st.characters(exclude_categories=())  # surrogates too (excluded by default)


@given(st.text(alphabet=_ANY))
def test_shown_text_holds_no_acting_character(text: str) -> None:
    result = shown(text)
    assert not any(_acts(char) for char in result)
    assert ACTIVE.search(result) is None
    result.encode("utf-8")  # lone surrogates too: always encodable


@given(st.text(alphabet=st.characters(exclude_categories=(), exclude_characters="\\")))
def test_shown_text_can_be_read_back_to_what_was_sent(text: str) -> None:
    assert _unshown(shown(text)) == text


def test_each_acting_character_has_a_visible_escape_of_its_own() -> None:
    sent = "a\r\nNext: fake\x1b[2J\x1b]0;title\x07\u202e\u2028\x85\ud800"
    assert shown(sent) == "a\\r\\nNext: fake\\e[2J\\e]0;title\\x07\\u202e\\u2028\\x85\\ud800"


def test_shown_lines_keeps_line_breaks_and_escapes_the_rest_of_each_line() -> None:
    assert shown_lines("START x\r\nline\x1b[31m red\u202e\nEND") == "START x\\r\nline\\e[31m red\\u202e\nEND"


def test_values_that_are_not_text_are_shown_as_text() -> None:
    assert shown(None) == "None"
    assert shown(404) == "404"
