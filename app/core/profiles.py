"""Saved connections ("profiles") and their ClientMetadata presets, in one JSON file.

The file carries a format marker and a schema version. Every change is a read-modify-write under an
inter-process lock, written atomically, so two windows (or a window and the CLI) never lose each
other's edits or leave half a file. A file that cannot be used (not JSON, not ours, unreadable) is
moved aside with a UTC timestamp and a fresh store starts; `recovered_from` says where it went.
Secrets never go in this file: `has_client_secret` only says one waits in the secret store.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from app.core.atomic import atomic_write_text
from app.core.code_source_settings import SavedCodeSource
from app.core.connection import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_READ_TIMEOUT_S,
    ConnectionSettings,
    settings_problems,
)
from app.core.file_lock import LockTimeoutError, exclusive_lock
from app.core.validation import json_int

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


class _Row(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def value(self) -> str: ...


def _control_char(text: str) -> str | None:
    for char in text:
        if unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"}:
            return f"U+{ord(char):04X}"
    return None


def _text_problem(value: object, *, maximum: int, what: str) -> str | None:
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
            ("name", _text_problem(self.name, maximum=NAME_MAX, what="a profile name")),
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
            ("last_username", None if self.last_username is None else _text_problem(
                self.last_username, maximum=USERNAME_MAX, what="a username")),
            ("aws_profile", None if self.aws_profile is None else _text_problem(
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


def _preset_rows(rows: Iterable[tuple[str, str] | _Row]) -> PresetRows:
    result: PresetRows = []
    for row in rows:
        if isinstance(row, tuple | list):
            pair = tuple(row)
            if len(pair) != 2:
                raise ProfileError("preset", "Each preset row must be a key and a value.")
            key, value = pair
        else:
            key, value = row.key, row.value
        if not isinstance(key, str) or not isinstance(value, str):
            raise ProfileError("preset", "Preset keys and values must be text.")
        surrogate = next((char for char in key + value if "\ud800" <= char <= "\udfff"), None)
        if surrogate is not None:
            raise ProfileError("preset", f"Invalid character U+{ord(surrogate):04X} in a preset row.")
        result.append((key, value))
    if len(result) > PRESET_ROWS_MAX:
        raise ProfileError(
            "preset", f"A preset holds at most {PRESET_ROWS_MAX} rows; this one has {len(result)}."
        )
    if sum(len(key) + len(value) for key, value in result) > PRESET_CHARS_MAX:
        raise ProfileError("preset", f"A preset holds at most {PRESET_CHARS_MAX:,} characters.")
    return result


@dataclass
class _Document:
    profiles: list[Profile] = field(default_factory=list)
    presets: dict[str, dict[str, PresetRows]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """Entries that could not be used; the file needs salvaging when this is not empty."""
    unusable: str | None = None
    """Why the whole file cannot be used; it must be moved aside."""
    newer_version: int | None = None

    def find(self, name: str) -> Profile | None:
        return next((profile for profile in self.profiles if profile.name == name), None)

    def clash(self, name: str, *, ignore: str | None = None) -> Profile | None:
        folded = name.casefold()
        return next(
            (p for p in self.profiles if p.name.casefold() == folded and p.name != ignore), None
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "version": SCHEMA_VERSION,
            "profiles": [profile.to_json() for profile in self.profiles],
            "presets": {
                owner: {name: [list(row) for row in rows] for name, rows in sets.items()}
                for owner, sets in self.presets.items()
            },
        }


def _largest_presets(doc: _Document) -> str:
    """The biggest presets in a document, for a message about its size."""
    sizes = sorted(
        ((len(json.dumps(rows, ensure_ascii=False).encode("utf-8")), owner, name)
         for owner, sets in doc.presets.items() for name, rows in sets.items()), reverse=True)
    if not sizes:
        return "its profiles alone"
    shown = ", ".join(f"{name!r} of {owner!r} {size:,} bytes" for size, owner, name in sizes[:3])
    return f"largest presets: {shown}"


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a valid number here")


def _parse_presets(raw: object, doc: _Document) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        doc.problems.append("presets: not a JSON object")
        return
    names = {profile.name for profile in doc.profiles}
    for owner, sets in raw.items():
        if owner not in names or not isinstance(sets, dict):
            doc.problems.append(f"presets of {owner!r}: no such profile or not an object")
            continue
        kept: dict[str, PresetRows] = {}
        for preset_name, rows in sets.items():
            try:
                _check_preset_name(preset_name)
                if not isinstance(rows, list):
                    raise ProfileError("preset", "Rows must be a list.")
                kept[preset_name] = _preset_rows(rows)
            except ProfileError as exc:
                doc.problems.append(f"preset {preset_name!r} of {owner!r}: {exc.message}")
        if kept:
            doc.presets[owner] = kept


def _check_preset_name(name: object) -> None:
    problem = _text_problem(name, maximum=NAME_MAX, what="a preset name")
    if problem:
        raise ProfileError("preset_name", problem)


def _decode(data: bytes) -> tuple[object, str | None]:
    """The JSON value in `data`, or why there is none."""
    if len(data) > MAX_FILE_BYTES:
        return None, f"it is larger than {MAX_FILE_BYTES:,} bytes"
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_reject_constant, parse_int=json_int), None
    except UnicodeDecodeError:
        return None, "it is not UTF-8 text"
    except (ValueError, RecursionError) as exc:
        return None, f"it is not valid JSON ({str(exc)[:120]})"


def _header_problem(raw: object) -> str | None:
    if not isinstance(raw, dict) or raw.get("format") != FILE_FORMAT:
        return "it is not a VerifyDesk profiles file"
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return "its schema version is missing or invalid"
    if not isinstance(raw.get("profiles", []), list):
        return "its profile list is not a JSON array"
    return None


def _parse_profiles(entries: list[object], doc: _Document) -> None:
    for index, entry in enumerate(entries):
        try:
            profile = Profile.from_json(entry)
        except (ProfileError, TypeError) as exc:
            detail = f"{exc.field}: {exc.message}" if isinstance(exc, ProfileError) else str(exc)
            doc.problems.append(f"profile #{index + 1}: {detail}{_entry_name(entry)}")
            continue
        if doc.clash(profile.name):
            doc.problems.append(f"profile #{index + 1}: name: {profile.name!r} appears twice")
            continue
        doc.profiles.append(profile)


def _entry_name(entry: object) -> str:
    """` (profile 'name')` of a refused entry whose name is text: the notice says which one it was."""
    name = entry.get("name") if isinstance(entry, dict) else None
    if not isinstance(name, str):
        return ""
    quoted = repr(name)
    return f" (profile {quoted[:NAME_MAX + 2]}{'…' if len(quoted) > NAME_MAX + 2 else ''})"


def parse_document(data: bytes) -> _Document:
    """Read the file's bytes; never raises: what is wrong is recorded in the document."""
    if not data.strip():
        return _Document()
    raw, problem = _decode(data)
    problem = problem or _header_problem(raw)
    if problem or not isinstance(raw, dict):
        return _Document(unusable=problem)
    doc = _Document()
    if raw["version"] > SCHEMA_VERSION:
        doc.newer_version = raw["version"]
    _parse_profiles(raw.get("profiles", []), doc)
    _parse_presets(raw.get("presets"), doc)
    return doc


class ProfileStore:
    """The profiles file: list, get, save, delete, rename, and metadata presets per profile.

    Reads never raise; an unusable file is moved aside (see `recovered_from` and `notice`). Writes
    raise ProfileError naming the field, or "file" when the store itself cannot be written.
    """

    def __init__(self, path: Path, *, lock_timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.recovered_from: Path | None = None
        """Where an unusable file found at `path` was moved; None when it was fine."""
        self.recovery_problems: list[str] = []
        """What was wrong with the file (or the entries dropped from it) when it was recovered."""
        self.problem: str | None = None
        """Why the store cannot be used at all right now (e.g. the file could not be moved aside)."""
        self._lock_timeout_s = lock_timeout_s
        self._read()

    # --- reading ---------------------------------------------------------------------------------

    @property
    def notice(self) -> str | None:
        """One sentence for the UI when something happened to the file; None when all is well."""
        if self.problem:
            return self.problem
        if self.recovered_from is not None:
            what = "; ".join(self.recovery_problems[:3]) or "it could not be used"
            return (
                f"The profiles file could not be used ({what}). "
                f"The old file was kept at {self.recovered_from}."
            )
        return None

    def _read_bytes(self) -> tuple[bytes | None, str | None]:
        try:
            return self.path.read_bytes(), None
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            return None, f"it could not be read ({exc.strerror or exc})"

    def _load(self) -> _Document:
        data, error = self._read_bytes()
        if error:
            return _Document(unusable=error)
        return parse_document(data or b"")

    def _read(self) -> _Document:
        """The document for a read; recovers under the lock when the file needs it."""
        doc = self._load()
        if doc.unusable is None and (not doc.problems or doc.newer_version is not None):
            return doc  # a newer schema's entries we cannot read are left alone, not salvaged
        try:
            with self._lock():
                return self._load_for_write(check_version=False)
        except ProfileError as exc:
            self.problem = exc.message
            return _Document(profiles=doc.profiles, presets=doc.presets)

    def _load_for_write(self, *, check_version: bool = True) -> _Document:
        """Under the lock: the current document, after moving an unusable file aside."""
        doc = self._load()
        if doc.unusable is not None:
            self._quarantine([doc.unusable])
            return _Document()
        if doc.newer_version is not None:
            if check_version:
                raise ProfileError(
                    "file",
                    f"The profiles file was written by a newer VerifyDesk (schema {doc.newer_version}); "
                    "update VerifyDesk to change profiles.",
                )
            return doc
        if doc.problems:
            # Keep the original bytes aside, then carry on with every entry that could be read.
            self._quarantine(doc.problems)
            self._write(doc)
        return doc

    def _quarantine(self, problems: list[str]) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{suffix}")
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ProfileError(
                "file", f"The profiles file {self.path} cannot be used and could not be moved aside ({exc})."
            ) from exc
        self.recovered_from = target
        self.recovery_problems = list(problems)
        log.warning("profiles file %s was unusable (%s); moved to %s", self.path, "; ".join(problems), target)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        try:
            with exclusive_lock(self.lock_path, timeout_s=self._lock_timeout_s):
                yield
        except LockTimeoutError as exc:
            raise ProfileError(
                "file", "Another VerifyDesk is still saving profiles; try again in a moment."
            ) from exc
        except OSError as exc:
            raise ProfileError(
                "file", f"Cannot use the profiles folder {self.path.parent} ({exc.strerror or exc})."
            ) from exc

    @contextmanager
    def _editing(self, field: str = "file") -> Iterator[_Document]:
        """Read-modify-write under the lock; the document is written when the body succeeds
        (a change that would make the file too large to read is refused as a ProfileError on `field`)."""
        with self._lock():
            doc = self._load_for_write()
            yield doc
            self._write(doc, field)

    def _write(self, doc: _Document, field: str = "file") -> None:
        text = json.dumps(doc.to_json(), indent=2, ensure_ascii=False) + "\n"
        size = len(text.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            # The reader refuses files over the limit: writing one would lose every profile at the next read.
            raise ProfileError(field, (
                f"Not saved: the profiles file would grow to {size:,} bytes, over the {MAX_FILE_BYTES:,} "
                f"bytes VerifyDesk reads ({_largest_presets(doc)}). Delete or shorten a preset first; "
                "nothing was changed."))
        try:
            atomic_write_text(self.path, text)
        except OSError as exc:
            raise ProfileError(
                "file", f"Could not save profiles to {self.path} ({exc.strerror or exc})."
            ) from exc

    # --- profiles --------------------------------------------------------------------------------

    def list(self) -> list[Profile]:
        """Every saved profile, sorted by name (case-insensitive)."""
        return sorted(self._read().profiles, key=lambda p: (p.name.casefold(), p.name))

    def names(self) -> builtins.list[str]:
        return [profile.name for profile in self.list()]

    def get(self, name: str) -> Profile | None:
        return self._read().find(name)

    def save(self, profile: Profile, *, new: bool = False) -> Profile:
        """Add or replace the profile with this name; `new=True` refuses to replace one.

        Raises ProfileError naming the invalid field, or "name" when `new` and the name is taken
        (names are unique regardless of case).
        """
        profile.validated()
        with self._editing() as doc:
            existing = doc.find(profile.name)
            clash = doc.clash(profile.name, ignore=profile.name)
            if clash is not None or (new and existing is not None):
                taken = clash.name if clash is not None else profile.name
                raise ProfileError("name", f"A profile named {taken!r} already exists.")
            if existing is None:
                doc.profiles.append(profile)
            else:
                doc.profiles[doc.profiles.index(existing)] = profile
        return profile

    def delete(self, name: str) -> bool:
        """Remove the profile and its presets; False when there was none of that name."""
        with self._editing() as doc:
            existing = doc.find(name)
            if existing is not None:
                doc.profiles.remove(existing)
            doc.presets.pop(name, None)
        return existing is not None

    def rename(self, old: str, new: str) -> Profile:
        """Give a profile a new name, keeping its presets. Secrets are keyed by name: move them too
        (`SecretStore.move_profile`)."""
        problem = _text_problem(new, maximum=NAME_MAX, what="a profile name")
        if problem:
            raise ProfileError("name", problem)
        with self._editing() as doc:
            existing = doc.find(old)
            if existing is None:
                raise ProfileError("name", f"No saved profile named {old!r}.")
            if doc.clash(new, ignore=old):
                raise ProfileError("name", f"A profile named {new!r} already exists.")
            renamed = replace(existing, name=new)
            doc.profiles[doc.profiles.index(existing)] = renamed
            if old in doc.presets:
                doc.presets[new] = doc.presets.pop(old)
        return renamed

    # --- presets ---------------------------------------------------------------------------------

    def list_presets(self, profile_name: str) -> dict[str, PresetRows]:
        """The profile's ClientMetadata presets by name (sorted), each a list of (key, value) rows."""
        sets = self._read().presets.get(profile_name, {})
        return {name: list(sets[name]) for name in sorted(sets, key=lambda n: (n.casefold(), n))}

    def save_preset(
        self, profile_name: str, preset_name: str, rows: Iterable[tuple[str, str] | _Row]
    ) -> None:
        """Add or replace a preset of a saved profile."""
        _check_preset_name(preset_name)
        clean = _preset_rows(rows)
        recovered_before = self.recovered_from
        with self._editing("preset") as doc:
            if doc.find(profile_name) is None:
                if self.recovered_from is not None and self.recovered_from != recovered_before:
                    raise ProfileError("file", f"{self.notice} The preset was not saved.")
                raise ProfileError(
                    "profile", f"Save the profile {profile_name!r} before adding presets to it."
                )
            doc.presets.setdefault(profile_name, {})[preset_name] = clean

    def delete_preset(self, profile_name: str, preset_name: str) -> bool:
        with self._editing() as doc:
            sets = doc.presets.get(profile_name, {})
            found = sets.pop(preset_name, None) is not None
            if not sets:
                doc.presets.pop(profile_name, None)
        return found
