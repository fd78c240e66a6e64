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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from app.core.atomic import atomic_write_text
from app.core.file_lock import LockTimeoutError, exclusive_lock
from app.core.profile_file import (
    ProfileDocument,
    check_preset_name,
    largest_presets,
    parse_document,
    preset_rows,
)
from app.core.profile_model import (
    MAX_FILE_BYTES,
    NAME_MAX,
    PresetRow,
    PresetRows,
    Profile,
    ProfileError,
    text_problem,
)

# Profile and ProfileError stay importable from here for the profile dialog.
log = logging.getLogger(__name__)


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

    def _load(self) -> ProfileDocument:
        data, error = self._read_bytes()
        if error:
            return ProfileDocument(unusable=error)
        return parse_document(data or b"")

    def _read(self) -> ProfileDocument:
        """The document for a read; recovers under the lock when the file needs it."""
        doc = self._load()
        if doc.unusable is None and (not doc.problems or doc.newer_version is not None):
            return doc  # a newer schema's entries we cannot read are left alone, not salvaged
        try:
            with self._lock():
                return self._load_for_write(check_version=False)
        except ProfileError as exc:
            self.problem = exc.message
            return ProfileDocument(profiles=doc.profiles, presets=doc.presets)

    def _load_for_write(self, *, check_version: bool = True) -> ProfileDocument:
        """Under the lock: the current document, after moving an unusable file aside."""
        doc = self._load()
        if doc.unusable is not None:
            self._quarantine([doc.unusable])
            return ProfileDocument()
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
    def _editing(self, field: str = "file") -> Iterator[ProfileDocument]:
        """Read-modify-write under the lock; the document is written when the body succeeds
        (a change that would make the file too large to read is refused as a ProfileError on `field`)."""
        with self._lock():
            doc = self._load_for_write()
            yield doc
            self._write(doc, field)

    def _write(self, doc: ProfileDocument, field: str = "file") -> None:
        text = json.dumps(doc.to_json(), indent=2, ensure_ascii=False) + "\n"
        size = len(text.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            # The reader refuses files over the limit: writing one would lose every profile at the next read.
            raise ProfileError(field, (
                f"Not saved: the profiles file would grow to {size:,} bytes, over the {MAX_FILE_BYTES:,} "
                f"bytes VerifyDesk reads ({largest_presets(doc)}). Delete or shorten a preset first; "
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
        problem = text_problem(new, maximum=NAME_MAX, what="a profile name")
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
        self, profile_name: str, preset_name: str, rows: Iterable[tuple[str, str] | PresetRow]
    ) -> None:
        """Add or replace a preset of a saved profile."""
        check_preset_name(preset_name)
        clean = preset_rows(rows)
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
