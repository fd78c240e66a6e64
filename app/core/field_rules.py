"""The shapes of the request fields as botocore's cognito-idp service model states them, one source for
VerifyDesk's own check, the sandbox's check and the tests' oracle.

The model is what the installed SDK sends against; it is read once, lazily (the first check that needs
a limit or a pattern), through the process's shared botocore loader, which the first client would
parse it with anyway. Only the few shapes below are kept.

- Lengths count Unicode code points, as the service's `\\p{..}` classes and length limits do (Python's
  `len`). A UTF-16 count differs for astral characters (emoji, many CJK extensions):
  `utf16_length` gives it, for a warning where the two counts fall either side of a limit.
- A pattern is a character class with `+`, the form every pattern here has: `[...]+` of `\\p{X}`
  categories, `\\t \\n \\r \\S` escapes, ranges and literal characters. `compile_class` reads it
  into a predicate on one character; another form raises PatternSyntaxError.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

SERVICE = "cognito-idp"
ATTRIBUTE_NAME_SHAPE = "AttributeNameType"
TOKEN_SHAPE = "TokenModelType"
CLIENT_METADATA_SHAPE = "ClientMetadataType"

CharTest = Callable[[str], bool]
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "-": "-", ".": ".", "\\": "\\", "]": "]", "[": "["}
# `\s`: Unicode's White_Space characters (as Python's `re` and the `regex` module read `\s` in text).
_WHITE_SPACE = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                         + "".join(chr(point) for point in range(0x2000, 0x200B)))


class PatternSyntaxError(ValueError):
    """A model pattern is not a `[...]+` character class this module reads."""


@dataclass(frozen=True)
class StringRule:
    """A string shape: its name, length bounds (code points) and pattern text (None: any)."""

    shape: str
    min_length: int | None
    max_length: int | None
    pattern: str | None

    @property
    def allows(self) -> CharTest:
        """Whether one character is in the pattern's class (every character when there is no pattern)."""
        return compile_class(self.pattern) if self.pattern else _any_char

    def outside(self, value: str) -> str | None:
        """The first character of `value` the pattern refuses, or None (each distinct character is
        judged once: a 1,000-character token has a few dozen)."""
        allows = self.allows
        refused = {char for char in set(value) if not allows(char)}
        return next((char for char in value if char in refused), None) if refused else None


def _any_char(char: str) -> bool:
    return True


@dataclass(frozen=True)
class FieldRules:
    """The request fields' shapes: AttributeName, AccessToken and ClientMetadata's keys and values."""

    attribute_name: StringRule
    access_token: StringRule
    metadata_key: StringRule
    metadata_value: StringRule


def utf16_length(text: str) -> int:
    """`text`'s length in UTF-16 code units (an astral character counts two)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _take_item(body: str, at: int) -> tuple[CharTest | str, int]:
    """One item of a class body at `at`: a literal character, or a test for an escape class."""
    char = body[at]
    if char != "\\":
        return char, at + 1
    if at + 1 >= len(body):
        raise PatternSyntaxError("a class ends with a lone backslash")
    escape = body[at + 1]
    if escape == "p":
        end = body.find("}", at)
        if body[at + 2 : at + 3] != "{" or end < 0:
            raise PatternSyntaxError("\\p without {category}")
        category = body[at + 3 : end]
        if not category or not category.isalpha():
            raise PatternSyntaxError(f"\\p{{{category}}} is not a category")
        return (lambda c, cat=category: unicodedata.category(c).startswith(cat)), end + 1
    if escape == "S":
        return (lambda c: c not in _WHITE_SPACE), at + 2
    if escape == "s":
        return (lambda c: c in _WHITE_SPACE), at + 2
    if escape in _ESCAPES:
        return _ESCAPES[escape], at + 2
    raise PatternSyntaxError(f"the escape \\{escape} is not read here")


@cache
def compile_class(pattern: str) -> CharTest:
    """A predicate on one character for a `[...]+` pattern (ranges: `a-z`; a `-` after a range, or
    first or last, is literal)."""
    if not (pattern.startswith("[") and pattern.endswith("]+")) or pattern.startswith("[^"):
        raise PatternSyntaxError(f"{pattern!r} is not a [...]+ character class")
    body = pattern[1:-2]
    literals: set[str] = set()
    ranges: list[tuple[str, str]] = []
    tests: list[CharTest] = []
    at = 0
    while at < len(body):
        item, at = _take_item(body, at)
        if callable(item):
            tests.append(item)
            continue
        if body[at : at + 1] == "-" and at + 1 < len(body):
            upper, after = _take_item(body, at + 1)
            if callable(upper) or upper < item:
                raise PatternSyntaxError(f"bad range {item!r}-{upper!r} in {pattern!r}")
            ranges.append((item, upper))
            at = after
            continue
        literals.add(item)
    frozen = frozenset(literals)

    @cache  # a verdict per character: the same few dozen come back in every token
    def allows(char: str) -> bool:
        return (char in frozen or any(low <= char <= high for low, high in ranges)
                or any(test(char) for test in tests))

    return allows


def _rule_of(shape: Any) -> StringRule:
    meta = shape.metadata
    return StringRule(shape.name, meta.get("min"), meta.get("max"), meta.get("pattern"))


_lock = threading.RLock()


@cache
def _model() -> Any:
    from app.runtime.botocore_data import botocore_session

    return botocore_session().get_service_model(SERVICE)


@cache
def _load() -> FieldRules:
    model = _model()
    metadata: Any = model.shape_for(CLIENT_METADATA_SHAPE)
    return FieldRules(
        attribute_name=_rule_of(model.shape_for(ATTRIBUTE_NAME_SHAPE)),
        access_token=_rule_of(model.shape_for(TOKEN_SHAPE)),
        metadata_key=_rule_of(metadata.key),
        metadata_value=_rule_of(metadata.value),
    )


def field_rules() -> FieldRules:
    """The fields' shapes from botocore's loaded cognito-idp model (read on the first call)."""
    with _lock:  # one thread parses the model; the others wait for its result
        return _load()


def rule_of_shape(shape_name: str) -> StringRule:
    """Any string shape of the cognito-idp model (e.g. ConfirmationCodeType) as a StringRule."""
    with _lock:
        return _rule_of(_model().shape_for(shape_name))


# --- VerifyDesk's checks on these shapes ----------------------------------------------------------

_WHITESPACE_NAMES = {" ": "a space", "\t": "a tab", "\n": "a line break", "\r": "a carriage return"}


def describe_char(char: str) -> str:
    """`U+0009` and the character's Unicode name when it has one."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def attribute_name_problem(name: str) -> str | None:
    """Why `name` is not an AttributeName to send, or None when it is: the model's length (in code
    points) and pattern, and no whitespace (the model's pattern passes space, tab, CR and LF, but no
    attribute that can be verified has such a name)."""
    if not name:  # answered without reading the model
        return "Enter an attribute name, e.g. email or phone_number."
    rule = field_rules().attribute_name
    if len(name) < (rule.min_length or 0):
        return "Enter an attribute name, e.g. email or phone_number."
    if rule.max_length is not None and len(name) > rule.max_length:
        units = utf16_length(name)
        counted = f" (Unicode code points; {units} in UTF-16 units)" if units != len(name) else ""
        return f"At most {rule.max_length} characters; this one has {len(name)}{counted}."
    bad = rule.outside(name)
    if bad is not None:
        shown = repr(bad) if bad.isprintable() else describe_char(bad)
        return f"Cannot contain the character {shown}; use letters, numbers, symbols or punctuation."
    space = next((char for char in name if char.isspace()), None)
    if space is not None:
        kind = _WHITESPACE_NAMES.get(space, "whitespace")
        return (f"Cannot contain {kind} ({describe_char(space)}): botocore's service model would pass it, "
                "but no verifiable attribute has such a name. Send anyway sends it unchanged.")
    return None


def attribute_name_warning(name: str) -> str | None:
    """A warning (not a refusal) when `name`'s code-point count and UTF-16 count fall either side of
    the model's length limit: Cognito counts code points and passes it, a UTF-16 count would not."""
    limit = field_rules().attribute_name.max_length
    units = utf16_length(name)
    if limit is None or not len(name) <= limit < units:
        return None
    return (f"{len(name)} characters counted in Unicode code points (what Cognito counts; at most "
            f"{limit}), but {units} in UTF-16 units: a client counting UTF-16 would refuse it.")


def access_token_problem(token: str) -> str | None:
    """Why `token` does not match the model's TokenModelType, or None when it does."""
    if not token:
        return "Sign in or paste an access token."
    bad = field_rules().access_token.outside(token)
    if bad is not None:
        shown = "a space or line break" if bad.isspace() else repr(bad)
        return f"Contains {shown}; a token has only letters, digits and - _ = . characters."
    return None


def _shown_key(key: str) -> str:
    return repr(key if len(key) <= 40 else key[:40] + "…")


def metadata_warnings(metadata: Iterable[tuple[str, str]]) -> list[str]:
    """A warning for each ClientMetadata key or value longer than the model's string limit (the
    service may refuse the whole request); VerifyDesk still sends it."""
    rules = field_rules()
    found: list[str] = []
    for key, value in metadata:
        for what, text, rule in (("key", key, rules.metadata_key), ("value", value, rules.metadata_value)):
            if rule.max_length is not None and len(text) > rule.max_length:
                subject = f"key {_shown_key(key)}" if what == "key" else f"value of {_shown_key(key)}"
                found.append(f"ClientMetadata {subject} has {len(text)} characters, more than the "
                             f"{rule.max_length} the service model allows: Cognito may refuse the request.")
    return found
