"""The profiles file's JSON document: parsing that records what is wrong instead of raising."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.core.profile_model import (
    FILE_FORMAT,
    MAX_FILE_BYTES,
    NAME_MAX,
    PRESET_CHARS_MAX,
    PRESET_ROWS_MAX,
    SCHEMA_VERSION,
    PresetRow,
    PresetRows,
    Profile,
    ProfileError,
    text_problem,
)
from app.core.validation import json_int

log = logging.getLogger(__name__)


def preset_rows(rows: Iterable[tuple[str, str] | PresetRow]) -> PresetRows:
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
class ProfileDocument:
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


def largest_presets(doc: ProfileDocument) -> str:
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


def _parse_presets(raw: object, doc: ProfileDocument) -> None:
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
                check_preset_name(preset_name)
                if not isinstance(rows, list):
                    raise ProfileError("preset", "Rows must be a list.")
                kept[preset_name] = preset_rows(rows)
            except ProfileError as exc:
                doc.problems.append(f"preset {preset_name!r} of {owner!r}: {exc.message}")
        if kept:
            doc.presets[owner] = kept


def check_preset_name(name: object) -> None:
    problem = text_problem(name, maximum=NAME_MAX, what="a preset name")
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


def _parse_profiles(entries: list[object], doc: ProfileDocument) -> None:
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


def parse_document(data: bytes) -> ProfileDocument:
    """Read the file's bytes; never raises: what is wrong is recorded in the document."""
    if not data.strip():
        return ProfileDocument()
    raw, problem = _decode(data)
    problem = problem or _header_problem(raw)
    if problem or not isinstance(raw, dict):
        return ProfileDocument(unusable=problem)
    doc = ProfileDocument()
    if raw["version"] > SCHEMA_VERSION:
        doc.newer_version = raw["version"]
    _parse_profiles(raw.get("profiles", []), doc)
    _parse_presets(raw.get("presets"), doc)
    return doc


