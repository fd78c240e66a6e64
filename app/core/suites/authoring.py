"""Writing suites: "Save as case" appends the current request, with its last result as the
expectation, to a suite file (created when missing), keeping the file's comments and layout."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.atomic import atomic_write_text
from app.core.models import CodeDeliveryDetails
from app.core.suites.model import Position, Problem, SuiteError
from app.core.suites.positions import load_yaml
from app.core.suites.schema import schema_problems

_KEY = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class NewCase:
    """A request and how it ended, as "Save as case" gets them from the window."""

    name: str
    username: str
    attribute: str
    metadata: dict[str, str] = field(default_factory=dict)
    delivery: CodeDeliveryDetails | None = None
    error_code: str | None = None
    send_anyway: bool = False


def expectation_of(case: NewCase) -> dict[str, Any]:
    """The last result as an expectation: the error's code, or where the code went."""
    if case.error_code:
        return {"outcome": "error", "error_code": case.error_code}
    expect: dict[str, Any] = {"outcome": "delivered"}
    if case.delivery and case.delivery.delivery_medium:
        expect["delivery_medium"] = case.delivery.delivery_medium
    if case.delivery and case.delivery.destination:
        expect["destination"] = "^" + re.escape(case.delivery.destination) + "$"
    return expect


def _user_key(users: dict[str, Any], username: str) -> str:
    for key, user in users.items():
        if str(user.get("username", key)) == username:
            return str(key)
    base = _KEY.sub("-", username).strip("-") or "user"
    key, n = base, 2
    while key in users:
        key, n = f"{base}-{n}", n + 1
    return key


def _new_suite(name: str, profile: str) -> Any:
    from ruamel.yaml.comments import CommentedMap

    document = CommentedMap()
    document["version"] = 1
    document["name"] = name
    document["connection"] = CommentedMap(profile=profile)
    document["users"] = CommentedMap()
    document["cases"] = []
    return document


def save_case(path: Path, case: NewCase, *, profile: str, suite_name: str | None = None) -> str:
    """Append `case` to the suite at `path` (a new suite on `profile` when the file is missing) and
    return the case's name. A new user reads its password from `profile`'s keyring entry. The file
    is written atomically, only when the result still matches the schema (else SuiteError)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    file = Path(path)
    if file.exists():
        document, problems = load_yaml(file)
        if problems:
            raise SuiteError(problems)
    else:
        document = _new_suite(suite_name or file.stem, profile)
    if not isinstance(document, dict):
        raise SuiteError([Problem(Position(file, 1, 1), "the suite is not a mapping")])
    users = document.setdefault("users", CommentedMap())
    key = _user_key(users, case.username)
    if key not in users:
        users[key] = CommentedMap(username=case.username, keyring=profile)
    cases = document.setdefault("cases", CommentedSeq())
    taken = {str(c.get("name")) for c in cases if isinstance(c, dict)}
    name, n = case.name, 2
    while name in taken:
        name, n = f"{case.name} ({n})", n + 1
    entry = CommentedMap(name=name, user=key, attribute=case.attribute)
    if case.metadata:
        entry["metadata"] = CommentedMap(case.metadata)
    if case.send_anyway:
        entry["send_anyway"] = True
    entry["expect"] = CommentedMap(expectation_of(case))
    cases.append(entry)
    problems = schema_problems(document, file)
    if problems:
        raise SuiteError(problems)
    buffer = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.dump(document, buffer)
    atomic_write_text(file, buffer.getvalue(), mode=0o644)
    return name
