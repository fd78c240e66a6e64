"""Answers Cognito never sends: a 2xx body whose fields have the wrong JSON type.

botocore copies JSON values through as they come (a number where the model says string), or fails
deep in its parser (a list where it expects an object). `shape_problem` checks the decoded body
against the operation's output shape first, so such an answer becomes one clear error that keeps
the answer itself, bounded and redacted.
"""

from __future__ import annotations

import math
from typing import Any

from app.core.redaction import SECRETS

MAX_ANSWER_CHARS = 2_000
# A server's error message as shown and stored: any real one fits (history keeps 4,000 characters).
MAX_MESSAGE_CHARS = 3_800

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "blob": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "double": (int, float),
    "float": (int, float),
    "timestamp": (int, float),  # the JSON protocol sends epoch seconds
    "structure": (dict,),
    "list": (list,),
    "map": (dict,),
}
_NAMES = {str: "a string", int: "a number", float: "a number", bool: "true/false", dict: "an object",
          list: "a list", type(None): "null"}


class UnexpectedAnswerError(Exception):
    """A successful HTTP answer whose body Cognito would never send; `answer` is redacted and bounded."""

    def __init__(self, problem: str, *, status: int | None = None, answer: str = "",
                 request_id: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.answer = answer
        self.request_id = request_id


def json_kind(value: object) -> str:
    """How a tester would name the JSON type of `value`."""
    return _NAMES.get(type(value), type(value).__name__)


# Whole numbers by the model's width; times as epoch seconds within the years datetime can hold.
_RANGES: dict[str, tuple[float, float]] = {
    "integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1), "timestamp": (0, 253_402_300_799),
}


def _fits(value: object, type_name: str) -> bool:
    expected = _JSON_TYPES.get(type_name)
    if expected is None:
        return True  # a type this check does not know: botocore decides
    if isinstance(value, bool) and bool not in expected:
        return False  # JSON true is not a number
    if not isinstance(value, expected):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    low, high = _RANGES.get(type_name, (-math.inf, math.inf))
    return not isinstance(value, int | float) or isinstance(value, bool) or low <= value <= high


def shape_problem(value: object, shape: Any, where: str = "the answer") -> str | None:
    """What in `value` does not fit botocore's `shape` (None when all fits); nulls count as absent."""
    if shape is None or getattr(shape, "is_document_type", False):
        return None
    type_name = str(shape.type_name)
    if not _fits(value, type_name):
        shown = f"{json_kind(value)} ({short_repr(value)})" if isinstance(value, int | float) \
            else json_kind(value)
        return f"{where} is {shown} where Cognito sends {_expected(type_name)}"
    if type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            child = value.get(key)
            if child is not None:
                problem = shape_problem(child, member, f"{where}.{key}" if where != "the answer" else key)
                if problem:
                    return problem
    elif type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            problem = shape_problem(item, shape.member, f"{where}[{index}]")
            if problem:
                return problem
    elif type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            problem = shape_problem(item, shape.value, f"{where}[{key!r}]")
            if problem:
                return problem
    return None


def _expected(type_name: str) -> str:
    return {"string": "a string", "blob": "a string", "integer": "a whole number",
            "long": "a whole number", "boolean": "true or false", "double": "a number",
            "float": "a number", "timestamp": "a time", "structure": "an object",
            "list": "a list", "map": "an object"}.get(type_name, type_name)


def short_repr(value: object) -> str:
    """`value` as a short text for a message (a huge number by its size: Python will not print it)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a {int(value.bit_length() * 0.30103) + 1}-digit number"
    try:
        return answer_excerpt(repr(value))[:80]
    except (ValueError, RecursionError):
        return f"{json_kind(value)} too large to show"


def answer_excerpt(body: bytes | str, limit: int = MAX_ANSWER_CHARS) -> str:
    """Server text for messages and history: redacted first (a cut never leaves the start of a
    secret), then at most `limit` characters with its full length noted when cut."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = SECRETS.redact(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [cut: {len(text):,} characters in all]"
