"""Load a suite file: YAML with positions, the shipped schema, then what a schema cannot say
(users that exist, environment references, data rows and their ${column}s, regexes)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.core.suites.data import CaseTemplate, expand_case
from app.core.suites.model import (
    DEFAULT_ATTRIBUTE,
    DEFAULT_MAX_SENDS_PER_USER,
    Connection,
    Position,
    Problem,
    Suite,
    SuiteError,
    User,
)
from app.core.suites.positions import PathPart, load_yaml, position_of
from app.core.suites.schema import schema_problems

_ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
_CONNECTION_TEXT = ("endpoint_url", "region", "client_id", "user_pool_id")


class _Checker:
    """Collects problems while turning the checked document into a Suite."""

    def __init__(self, document: Any, file: Path, environ: Mapping[str, str]) -> None:
        self.doc = document
        self.file = file
        self.environ = environ
        self.problems: list[Problem] = []

    def at(self, *path: PathPart, key: bool = False) -> Position:
        return position_of(self.doc, list(path), self.file, key=key)

    def fail(self, position: Position, message: str) -> None:
        self.problems.append(Problem(position, message))

    def env_text(self, value: str, *path: PathPart) -> str | None:
        """`value` with each ${env:NAME} replaced; None (and a problem) when a variable is unset."""
        missing = [name for name in _ENV_REF.findall(value) if not self.environ.get(name)]
        if missing:
            self.fail(self.at(*path), f"environment variable {missing[0]} is not set")
            return None
        return _ENV_REF.sub(lambda m: self.environ[m.group(1)], value)

    def connection(self) -> Connection:
        raw = self.doc["connection"]
        values: dict[str, str | None] = {}
        for name in _CONNECTION_TEXT:
            if name in raw:
                values[name] = self.env_text(str(raw[name]), "connection", name)
        if not raw.get("profile") and not (values.get("region") or values.get("endpoint_url")):
            self.fail(self.at("connection"), "connection: give region (and endpoint_url for a local pool)")
        secret_env = raw.get("client_secret_env")
        if secret_env and not self.environ.get(secret_env):
            self.fail(self.at("connection", "client_secret_env"),
                      f"environment variable {secret_env} is not set")
        return Connection(profile=raw.get("profile"), client_secret_env=secret_env,
                          auth_flow=raw.get("auth_flow"), trigger_function=raw.get("trigger_function"),
                          aws_profile=raw.get("aws_profile"), **values)

    def users(self, used: set[str]) -> dict[str, User]:
        users: dict[str, User] = {}
        for key, raw in self.doc["users"].items():
            username = self.env_text(str(raw.get("username", key)), "users", key, "username")
            env = raw.get("password_env")
            if key in used and env and not raw.get("keyring") and not self.environ.get(env):
                self.fail(self.at("users", key, "password_env"),
                          f"users.{key}: environment variable {env} (the password) is not set")
            users[key] = User(key, username or str(key), env, raw.get("keyring"))
        return users

    def templates(self) -> list[CaseTemplate]:
        defaults = self.doc.get("defaults") or {}
        found: list[CaseTemplate] = []
        for index, raw in enumerate(self.doc["cases"]):
            if raw["user"] not in self.doc["users"]:
                names = ", ".join(str(k) for k in self.doc["users"])
                self.fail(self.at("cases", index, "user"),
                          f"cases[{index}].user: no user {raw['user']!r} in users (have: {names})")
                continue
            expect = dict(raw.get("expect") or {})
            if "error_code" in expect and "outcome" not in expect:
                expect["outcome"] = "error"
            if expect.get("outcome") == "error" and raw.get("verify"):
                self.fail(self.at("cases", index, "verify", key=True),
                          f"cases[{index}].verify: a case that expects an error has no code to verify")
            if expect.get("outcome") == "delivered" and "error_code" in expect:
                self.fail(self.at("cases", index, "expect", "error_code", key=True),
                          f"cases[{index}].expect: error_code with outcome delivered can never pass")
            metadata = {**(defaults.get("metadata") or {}), **(raw.get("metadata") or {})}
            found.append(CaseTemplate(
                index=index, raw=raw, expect=expect, metadata=metadata,
                attribute=str(raw.get("attribute") or defaults.get("attribute") or DEFAULT_ATTRIBUTE),
                send_anyway=bool(raw.get("send_anyway", defaults.get("send_anyway", False))),
            ))
        return found


def load_suite(path: Path | str, *, environ: Mapping[str, str] | None = None) -> Suite:
    """The suite at `path`, checked; SuiteError lists every problem with file, line and column."""
    file = Path(path)
    env = os.environ if environ is None else environ
    document, problems = load_yaml(file)
    if problems:
        raise SuiteError(problems)
    problems = schema_problems(document, file)
    if problems:
        raise SuiteError(problems)
    check = _Checker(document, file, env)
    connection = check.connection()
    templates = check.templates()
    users = check.users({t.raw["user"] for t in templates})
    cases = []
    for template in templates:
        expanded, case_problems = expand_case(template, document, file, users)
        cases.extend(expanded)
        check.problems.extend(case_problems)
    if check.problems:
        check.problems.sort(key=lambda p: (str(p.position.file) != str(file), p.position.line,
                                           p.position.column))
        raise SuiteError(check.problems)
    defaults = document.get("defaults") or {}
    return Suite(
        path=file, name=str(document["name"]), connection=connection, users=users, cases=cases,
        pace_s=float(defaults.get("pace_s", 0.0)),
        max_sends_per_user=int(defaults.get("max_sends_per_user", DEFAULT_MAX_SENDS_PER_USER)),
        connection_position=check.at("connection"),
    )
