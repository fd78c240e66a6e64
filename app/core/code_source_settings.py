"""The code source saved with a profile: its type and settings as fields a form can edit, checked
field by field, turned into a source spec (app.core.codes); and a connection test through `wait`.

The mailbox password is never part of it: `has_password` only says one waits in the secret store
(under `SecretKind.MAILBOX_PASSWORD` and the profile's name), like a profile's client secret.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # app.core.codes (and the email package) load when a source is used, not with profiles
    from app.core.codes import CodeSource, SourceSpec
    from app.core.secrets import SecretStore

SANDBOX_KIND, IMAP_KIND, IMAPS_KIND, S3_KIND = "sandbox", "imap", "imaps", "s3"
KINDS = (SANDBOX_KIND, IMAP_KIND, IMAPS_KIND, S3_KIND)
DEFAULT_WAIT_S = 120.0
WAIT_RANGE = (1.0, 1800.0)
TEXT_MAX = 255
PATTERN_MAX = 512
PROBE_DESTINATION = "connection-test@verifydesk.invalid"
"""Whom a connection test searches for: nobody, so the search runs and finds nothing."""


def _text_problem(value: object, what: str, *, required: bool) -> str | None:
    if not isinstance(value, str):
        return f"{what.capitalize()} must be text."
    if not value.strip():
        return f"Enter {what}." if required else None
    if value != value.strip():
        return f"{what.capitalize()} must not start or end with spaces."
    if len(value) > TEXT_MAX:
        return f"At most {TEXT_MAX} characters; this one has {len(value)}."
    if any(unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} for char in value):
        return f"{what.capitalize()} must not contain control characters."
    return None


def _host_problem(host: str) -> str | None:
    if any(char.isspace() or char in "/@?#" for char in host):
        return "A host name has no spaces, /, @, ? or # (e.g. imap.example.com or 127.0.0.1)."
    return None


@dataclass(frozen=True)
class SavedCodeSource:
    """Where the profile's codes arrive. Which fields count depends on `kind`: sandbox none; imap
    and imaps `host`, `port` (None: 143 / 993), `user`, `mailbox`, `ca_file`; s3 `bucket` and
    `prefix`. `pattern` (a regex with one group; empty: 6 digits) and `wait_s` count for all."""

    kind: str = SANDBOX_KIND
    host: str = ""
    port: int | None = None
    user: str = ""
    mailbox: str = "INBOX"
    ca_file: str | None = None
    pattern: str = ""
    bucket: str = ""
    prefix: str = ""
    wait_s: float = DEFAULT_WAIT_S
    has_password: bool = False

    @property
    def is_imap(self) -> bool:
        return self.kind in (IMAP_KIND, IMAPS_KIND)

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for every invalid field; fields are named as in `to_json`."""
        found: list[tuple[str, str | None]] = [("kind", None if self.kind in KINDS else
                                                f"The type must be one of {', '.join(KINDS)}.")]
        if self.is_imap:
            found += [
                ("host", _text_problem(self.host, "the mail server's host name", required=True)
                 or _host_problem(self.host)),
                ("user", _text_problem(self.user, "the mailbox user", required=True)),
                ("mailbox", _text_problem(self.mailbox, "the mailbox (e.g. INBOX)", required=True)),
                ("port", self._port_problem()),
                ("ca_file", None if not self.ca_file else _text_problem(self.ca_file, "the CA file",
                                                                           required=False)),
            ]
        if self.kind == S3_KIND:
            found += [("bucket", _text_problem(self.bucket, "the bucket", required=True)),
                      ("prefix", _text_problem(self.prefix, "the prefix", required=False))]
        found.append(("pattern", self._pattern_problem()))
        found.append(("wait_s", self._wait_problem()))
        flag: object = self.has_password  # from a file: any JSON value
        if not isinstance(flag, bool):
            found.append(("has_password", "Must be true or false."))
        clean = [(name, message) for name, message in found if message]
        if not clean and self.kind != SANDBOX_KIND:
            from app.core.codes import SourceSpecError

            try:
                self.spec()
            except SourceSpecError as exc:
                clean.append(("bucket" if self.kind == S3_KIND else "host", str(exc)))
        return clean

    def _port_problem(self) -> str | None:
        if self.port is None:
            return None
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            return "The port must be a whole number from 1 to 65535."
        return None

    def _pattern_problem(self) -> str | None:
        pattern: object = self.pattern  # from a file: any JSON value
        if not isinstance(pattern, str):
            return "The pattern must be text."
        if len(pattern) > PATTERN_MAX:
            return f"At most {PATTERN_MAX} characters; this one has {len(pattern)}."
        if not pattern:
            return None
        from app.core.codes import PatternError, compile_pattern

        try:
            compile_pattern(pattern)
        except PatternError as exc:
            return str(exc)
        return None

    def _wait_problem(self) -> str | None:
        low, high = WAIT_RANGE
        value = self.wait_s
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            return f"Wait between {low:g} and {high:g} seconds."
        return None

    def spec(self) -> SourceSpec:
        """The source spec these fields describe (SourceSpecError when they describe none)."""
        from app.core.codes import ImapSpec, S3Spec, SandboxSpec, parse_source_spec
        from app.core.codes.spec import IMAP_PORT, IMAPS_PORT

        if self.kind == SANDBOX_KIND:
            return SandboxSpec()
        if self.kind == S3_KIND:
            return parse_source_spec(str(S3Spec(self.bucket, self.prefix)))
        implicit = self.kind == IMAPS_KIND
        port = self.port or (IMAPS_PORT if implicit else IMAP_PORT)
        # Built, printed and parsed again: the same checks as a source typed on the command line.
        return parse_source_spec(str(ImapSpec(self.user, self.host, port, self.mailbox or "INBOX", implicit)))

    @property
    def ca_path(self) -> Path | None:
        return Path(self.ca_file).expanduser() if self.is_imap and self.ca_file else None

    def to_json(self) -> dict[str, Any]:
        return {item.name: getattr(self, item.name) for item in fields(self)}

    @classmethod
    def from_json(cls, raw: object) -> SavedCodeSource:
        """The saved source of one profile entry; ValueError says which field is wrong."""
        if not isinstance(raw, dict):
            raise ValueError("the code source must be a JSON object")
        known = {item.name for item in fields(cls)}
        source = cls(**{key: value for key, value in raw.items() if key in known})
        problems = source.problems()
        if problems:
            name, message = problems[0]
            raise ValueError(f"{name}: {message}")
        return source


def sandbox_default(sandbox_profile: bool) -> SavedCodeSource | None:
    """The source a profile uses when it saved none: the sandbox's inbox for a sandbox profile."""
    return SavedCodeSource() if sandbox_profile else None


@dataclass(frozen=True)
class ProbeResult:
    """What a connection test found: `ok`, and a sentence saying what happened."""

    ok: bool
    message: str
    code: str | None = None


def probe_source(
    source: CodeSource, cancel: threading.Event | None = None, timeout_s: float = 15.0
) -> ProbeResult:
    """Connect, log in and open the source (an IMAP mailbox is examined; the sandbox inbox and an
    S3 bucket are searched once for a message to nobody); blocking. Errors are returned as they
    would be met while waiting for a code."""
    from app.core.codes import CODE_NOT_IN_MESSAGE, CODE_NOT_RECEIVED, CodeQuery, CodeSourceError

    stop = cancel or threading.Event()
    check = getattr(source, "check", None)  # a mail server may delay a login after a refused one
    try:
        if callable(check):
            opened = check(timeout_s, stop)
            return ProbeResult(True, f"Connected to {source.description} and opened {opened}: it works.")
        source.wait(CodeQuery(PROBE_DESTINATION, datetime.now(UTC), 0.0), stop)
    except CodeSourceError as error:
        if error.code in (CODE_NOT_RECEIVED, CODE_NOT_IN_MESSAGE):
            searched = error.details.get("searched")
            where = f" and searched {searched}" if searched else ""
            return ProbeResult(True, f"Connected to {source.description}{where}: it works.")
        return ProbeResult(False, f"{error.code}: {error.message}\nNext: {error.entry.next_step}", error.code)
    return ProbeResult(True, f"Connected to {source.description}: it works.")


def open_saved_source(
    saved: SavedCodeSource,
    *,
    profile_name: str | None,
    endpoint_url: str | None,
    region: str,
    aws_profile: str | None = None,
    secrets: SecretStore | None = None,
    password: str | None = None,
) -> CodeSource:
    """The source `saved` describes, ready to `wait`; blocking (the keyring may be asked for the
    mailbox password). `password` (typed, not yet saved) wins over VERIFYDESK_IMAP_PASSWORD and the
    keyring entry of `profile_name`. Raises SourceSpecError, PatternError or CodeSourceError."""
    import os

    from app.core.codes import IMAP_PASSWORD_ENV, SourceContext, compile_pattern, open_source

    environ = {**os.environ, IMAP_PASSWORD_ENV: password} if password else os.environ
    context = SourceContext(
        profile_name=profile_name, sandbox_endpoint_url=endpoint_url, region=region, aws_profile=aws_profile,
        ca_file=saved.ca_path, pattern=compile_pattern(saved.pattern), secrets=secrets, environ=environ,
    )
    return open_source(saved.spec(), context)
