"""The shipped JSON Schema of suite files, and its errors as problems at a line and column."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from app.core.suites.model import Problem
from app.core.suites.positions import dotted, position_of

SCHEMA_FILE = "suite.schema.json"


@cache
def suite_schema() -> dict[str, Any]:
    """The schema shipped beside this module (package data)."""
    text = resources.files("app.core.suites").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _message(error: Any) -> str:
    """A sentence for one jsonschema error, in the suite's own words."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "x-error" in schema and error.validator in ("anyOf", "oneOf"):
        return str(schema["x-error"])
    if error.validator == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        return f"expected {' or '.join(str(n) for n in names)}, got {_type_name(error.instance)}"
    if error.validator == "enum":
        choices = ", ".join(json.dumps(v) for v in error.validator_value)
        return f"expected one of {choices}, got {json.dumps(error.instance, default=str)}"
    if error.validator == "const":
        return f"expected {json.dumps(error.validator_value)}, got {json.dumps(error.instance, default=str)}"
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return f"missing required key {missing[0]!r}" if missing else error.message
    return str(error.message)


def schema_problems(document: Any, file: Path) -> list[Problem]:
    """Every place where `document` breaks the schema, in file order."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(suite_schema())
    problems: list[Problem] = []
    for error in validator.iter_errors(document):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = sorted((error.schema.get("properties") or {}).keys())
            extra = [k for k in error.instance if k not in known]
            hint = f"; expected one of: {', '.join(known)}" if known else ""
            for key in extra:
                problems.append(Problem(
                    position_of(document, [*path, key], file, key=True),
                    f"{dotted(path)}: unknown key {key!r}{hint}"))
            continue
        problems.append(Problem(position_of(document, path, file), f"{dotted(path)}: {_message(error)}"))
    problems.sort(key=lambda p: (p.position.line, p.position.column))
    return problems
