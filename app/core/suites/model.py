"""A suite as the runner sees it: plain data, every case expanded (data rows included)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DELIVERED = "delivered"
ERROR = "error"
DEFAULT_MAX_SENDS_PER_USER = 5
DEFAULT_ATTRIBUTE = "email"


@dataclass(frozen=True)
class Position:
    """Where something is in a file: 1-based line and column."""

    file: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One reason a suite is refused, at its place in the file."""

    position: Position
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"file": str(self.position.file), "line": self.position.line,
                "column": self.position.column, "message": self.message}


class SuiteError(Exception):
    """The suite is invalid; `problems` says where and why (nothing was sent)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Connection:
    """A saved profile, or the pieces of a connection (environment references already resolved)."""

    profile: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    client_id: str | None = None
    user_pool_id: str | None = None
    client_secret_env: str | None = None
    auth_flow: str | None = None
    trigger_function: str | None = None
    aws_profile: str | None = None


@dataclass(frozen=True)
class User:
    """A user cases sign in as; the secret is only named (`password_env` or a profile's keyring)."""

    key: str
    username: str
    password_env: str | None = None
    keyring_profile: str | None = None


@dataclass(frozen=True)
class Expect:
    """What a case expects of its send (None: not checked)."""

    outcome: str = DELIVERED
    delivery_medium: str | None = None
    destination: str | None = None
    error_code: str | None = None
    latency_ms_max: float | None = None
    trigger_metadata: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class Case:
    """One send (a data row is a case of its own)."""

    name: str
    user: str
    attribute: str
    metadata: dict[str, str]
    expect: Expect
    position: Position
    send_anyway: bool = False
    update_value: str | None = None
    verify_code_from: str | None = None
    source_name: str = ""
    """The case's name in the file, before a data row's suffix (what `--only` also matches)."""


@dataclass(frozen=True)
class Suite:
    """A validated suite."""

    path: Path
    name: str
    connection: Connection
    users: dict[str, User]
    cases: list[Case]
    pace_s: float = 0.0
    max_sends_per_user: int = DEFAULT_MAX_SENDS_PER_USER
    connection_position: Position | None = field(default=None, compare=False)

    def selected(self, only: str | None) -> list[Case]:
        """The cases named `only` (a data row's full name, or the case's name for all its rows)."""
        if not only:
            return list(self.cases)
        return [c for c in self.cases if only in (c.name, c.source_name)]
