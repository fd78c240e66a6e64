"""A saved connection ("profile"): its fields, their limits and what is wrong with them."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, fields
from typing import Any, Protocol

from app.core.code_source_settings import SavedCodeSource
from app.core.connection import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_READ_TIMEOUT_S,
    ConnectionSettings,
    settings_problems,
)

log = logging.getLogger(__name__)


FILE_FORMAT = "verifydesk.profiles"
SCHEMA_VERSION = 1
MAX_FILE_BYTES = 4 * 1024 * 1024

NAME_MAX = 64
CLIENT_ID_MAX = 128
USER_POOL_ID_MAX = 55
USERNAME_MAX = 128
AWS_PROFILE_MAX = 128
PRESET_ROWS_MAX = 1000
PRESET_CHARS_MAX = 256 * 1024
AUTH_FLOWS = ("USER_SRP_AUTH", "USER_PASSWORD_AUTH")

_CLIENT_ID = re.compile(r"[\w+]+", re.ASCII)
_USER_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)

PresetRows = list[tuple[str, str]]


class ProfileError(ValueError):
    """An invalid profile value, naming the field it is about ("file" for the store itself)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PresetRow(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def value(self) -> str: ...


def _control_char(text: str) -> str | None:
    for char in text:
        if unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"}:
            return f"U+{ord(char):04X}"
    return None


def text_problem(value: object, *, maximum: int, what: str) -> str | None:
    """Why `value` is not a usable single line of text, or None."""
    if not isinstance(value, str):
        return f"{what} must be text."
    if not value.strip():
        return f"Enter {what}."
    if value != value.strip():
        return f"{what.capitalize()} must not start or end with spaces."
    if len(value) > maximum:
        return f"At most {maximum} characters; this one has {len(value)}."
    bad = _control_char(value)
    if bad:
        return f"{what.capitalize()} must not contain control characters ({bad})."
    return None


def _pattern_problem(
    value: object, pattern: re.Pattern[str], maximum: int, what: str, example: str
) -> str | None:
    if not isinstance(value, str):
        return f"{what} must be text."
    if not value:
        return f"Enter {what}, e.g. {example}."
    if len(value) > maximum:
        return f"At most {maximum} characters; this one has {len(value)}."
    if not pattern.fullmatch(value):
        return f"This does not look like {what} (e.g. {example})."
    return None


@dataclass(frozen=True)
class Profile:
    """One saved connection: where the pool is, how to sign in, and what to look at beside it."""

    name: str
    region: str
    client_id: str
    endpoint_url: str | None = None
    user_pool_id: str | None = None
    has_client_secret: bool = False
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    max_attempts: int = 1
    auth_flow: str = "USER_SRP_AUTH"
    last_username: str | None = None
    remember_password: bool = False
    aws_profile: str | None = None
    trigger_function: str | None = None
    sandbox: bool = False
    code_source: SavedCodeSource | None = None
    """Where this profile's codes arrive (the mailbox password is in the secret store)."""

    def problems(self) -> list[ProfileError]:
        """Every invalid field, each with a message for the field it names; empty when valid."""
        connection = {error.field: error.message for error in settings_problems(
            region=self.region, endpoint_url=self.endpoint_url, connect_timeout_s=self.connect_timeout_s,
            read_timeout_s=self.read_timeout_s, max_attempts=self.max_attempts)}
        found: list[tuple[str, str | None]] = [
            ("name", text_problem(self.name, maximum=NAME_MAX, what="a profile name")),
            ("region", connection.get("region")),
            ("client_id", _pattern_problem(
                self.client_id, _CLIENT_ID, CLIENT_ID_MAX, "an app client id", "1example23456789")),
            ("endpoint_url", connection.get("endpoint_url")),
            ("user_pool_id", None if self.user_pool_id is None else _pattern_problem(
                self.user_pool_id, _USER_POOL_ID, USER_POOL_ID_MAX, "a user pool id", "us-east-1_Example")),
            ("read_timeout_s", connection.get("read_timeout_s")),
            ("connect_timeout_s", connection.get("connect_timeout_s")),
            ("max_attempts", connection.get("max_attempts")),
            ("auth_flow", None if self.auth_flow in AUTH_FLOWS
                else f"The sign-in flow must be one of {', '.join(AUTH_FLOWS)}."),
            ("last_username", None if self.last_username is None else text_problem(
                self.last_username, maximum=USERNAME_MAX, what="a username")),
            ("aws_profile", None if self.aws_profile is None else text_problem(
                self.aws_profile, maximum=AWS_PROFILE_MAX, what="an AWS profile name")),
            ("trigger_function", None if self.trigger_function is None else _pattern_problem(
                self.trigger_function, _FUNCTION_NAME, 64, "a Lambda function name (not an ARN)",
                "my-custom-message")),
        ]
        for flag in ("has_client_secret", "remember_password", "sandbox"):
            if not isinstance(getattr(self, flag), bool):
                found.append((flag, "Must be true or false."))
        if self.code_source is not None:
            found += [(f"code_source.{name}", message) for name, message in self.code_source.problems()]
        return [ProfileError(name, message) for name, message in found if message]

    def validated(self) -> Profile:
        """This profile, or ProfileError for its first invalid field."""
        problems = self.problems()
        if problems:
            raise problems[0]
        return self

    def to_settings(self, client_secret: str | None = None) -> ConnectionSettings:
        """The connection this profile describes; the secret comes from the secret store, not here."""
        return ConnectionSettings(
            region=self.region,
            client_id=self.client_id,
            endpoint_url=self.endpoint_url,
            user_pool_id=self.user_pool_id,
            client_secret=client_secret,
            connect_timeout_s=float(self.connect_timeout_s),
            read_timeout_s=float(self.read_timeout_s),
            max_attempts=self.max_attempts,
            profile_name=self.name,
        )

    def to_json(self) -> dict[str, Any]:
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        values["code_source"] = self.code_source.to_json() if self.code_source else None
        return values

    @classmethod
    def from_json(cls, raw: object) -> Profile:
        """A validated profile from one entry of the file; ProfileError names the bad field."""
        if not isinstance(raw, dict):
            raise ProfileError("profile", "Each profile must be a JSON object.")
        known = {item.name for item in fields(cls)}
        for required in ("name", "region", "client_id"):
            if required not in raw:
                raise ProfileError(required, "Missing from the saved profile.")
        values = {key: value for key, value in raw.items() if key in known}
        if values.get("code_source") is not None:
            try:
                values["code_source"] = SavedCodeSource.from_json(values["code_source"])
            except (ValueError, TypeError) as exc:
                raise ProfileError("code_source", str(exc)) from None
        return cls(**values).validated()


