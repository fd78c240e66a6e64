"""Code source specs: `sandbox`, `imap://USER@HOST[:PORT]/MAILBOX`, `imaps://…`, `s3://BUCKET/PREFIX`,
or the name of a source saved with the profile. Parsing names what is wrong; it never connects."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

SANDBOX = "sandbox"
IMAP_PORT = 143
IMAPS_PORT = 993
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_FORMS = "sandbox, imap://USER@HOST[:PORT]/MAILBOX, imaps://USER@HOST[:PORT]/MAILBOX, s3://BUCKET/PREFIX"


class SourceSpecError(ValueError):
    """A source spec that cannot be used; the message says which part is wrong."""


@dataclass(frozen=True)
class SandboxSpec:
    def __str__(self) -> str:
        return SANDBOX


@dataclass(frozen=True)
class ImapSpec:
    """An IMAP mailbox; `implicit_tls` for imaps:// (else STARTTLS when the server offers it)."""

    user: str
    host: str
    port: int
    mailbox: str
    implicit_tls: bool

    def __str__(self) -> str:
        scheme = "imaps" if self.implicit_tls else "imap"
        default = IMAPS_PORT if self.implicit_tls else IMAP_PORT
        port = "" if self.port == default else f":{self.port}"
        user = urllib.parse.quote(self.user, safe="")
        return f"{scheme}://{user}@{self.host}{port}/{urllib.parse.quote(self.mailbox, safe='/')}"


@dataclass(frozen=True)
class S3Spec:
    """Where an SES receipt rule stores messages: a bucket and a key prefix (may be empty)."""

    bucket: str
    prefix: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


SourceSpec = SandboxSpec | ImapSpec | S3Spec


def _imap(text: str) -> ImapSpec:
    url = urllib.parse.urlsplit(text)
    implicit = url.scheme.lower() == "imaps"
    if url.query or url.fragment:
        raise SourceSpecError(f"{text!r}: an IMAP source has no ?query or #fragment")
    if url.password is not None:
        raise SourceSpecError(
            f"{url.scheme}://…: the password does not belong in the URL; set VERIFYDESK_IMAP_PASSWORD "
            "or save it with the profile"
        )
    if not url.username:
        raise SourceSpecError(f"{text!r}: the user is missing (imap://USER@HOST/MAILBOX; "
                              "write an @ in the user as %40)")
    host = url.hostname
    if not host:
        raise SourceSpecError(f"{text!r}: the host is missing")
    try:
        port = url.port
    except ValueError:
        raise SourceSpecError(f"{text!r}: the port must be a number from 1 to 65535") from None
    if port == 0:
        raise SourceSpecError(f"{text!r}: the port must be a number from 1 to 65535")
    mailbox = urllib.parse.unquote(url.path.lstrip("/")) or "INBOX"
    return ImapSpec(
        user=urllib.parse.unquote(url.username),
        host=host,
        port=port or (IMAPS_PORT if implicit else IMAP_PORT),
        mailbox=mailbox,
        implicit_tls=implicit,
    )


def _s3(text: str) -> S3Spec:
    rest = text[len("s3://"):]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise SourceSpecError(f"{text!r}: the bucket is missing (s3://BUCKET/PREFIX)")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise SourceSpecError(
            f"{text!r}: {bucket!r} is not an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)"
        )
    return S3Spec(bucket, prefix)


def parse_source_spec(text: str, saved: Mapping[str, str] | None = None) -> SourceSpec:
    """The source `text` names; a saved source's name resolves through `saved` (name → spec)."""
    spec = text.strip()
    if not spec:
        raise SourceSpecError(f"the code source is empty; use one of: {_FORMS}")
    lowered = spec.lower()
    if lowered == SANDBOX:
        return SandboxSpec()
    scheme = lowered.partition("://")[0] if "://" in lowered else None
    if scheme in ("imap", "imaps"):
        return _imap(spec)
    if scheme == "s3":
        return _s3(spec)
    if scheme is not None:
        raise SourceSpecError(f"{spec!r}: unknown scheme {scheme}://; use one of: {_FORMS}")
    if saved and spec in saved:
        target = saved[spec]
        if target.strip() == spec or (target.strip() in saved):
            raise SourceSpecError(f"the saved source {spec!r} names another saved source")
        try:
            return parse_source_spec(target)
        except SourceSpecError as exc:
            raise SourceSpecError(f"the saved source {spec!r}: {exc}") from None
    known = f" or a saved source ({', '.join(sorted(saved))})" if saved else ""
    raise SourceSpecError(f"{spec!r} is not a code source; use one of: {_FORMS}{known}")
