"""What every code source takes and gives: the query, the code found, the errors, the deadline."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from app.core.error_catalogue import CANCELLED, CatalogueEntry
from app.core.errors import ErrorContext, ServiceError

# Cognito's default message holds a 6-digit code; the lookarounds keep it out of longer numbers.
DEFAULT_PATTERN = re.compile(r"(?<![0-9])([0-9]{6})(?![0-9])")

CODE_NOT_RECEIVED = "CodeNotReceived"
CODE_NOT_IN_MESSAGE = "CodeNotInMessage"
MAILBOX_LOGIN_FAILED = "MailboxLoginFailed"
MAILBOX_TLS_ERROR = "MailboxTlsError"
MAILBOX_CONNECTION_LOST = "MailboxConnectionLost"
MAILBOX_UNREACHABLE = "MailboxUnreachable"
MAILBOX_NOT_FOUND = "MailboxNotFound"
MAILBOX_PASSWORD_MISSING = "MailboxPasswordMissing"
CODE_SOURCE_ERROR = "CodeSourceError"

_CATALOGUE = {
    CODE_NOT_RECEIVED: (
        "No message to the destination arrived in the code source before the timeout.",
        "Check the destination the send reported (the masked address), spam or receipt rules, "
        "and the pool's email configuration; then send again or wait longer.",
    ),
    CODE_NOT_IN_MESSAGE: (
        "A message to the destination arrived, but no code matching the pattern was found in it.",
        "Check the message template (Custom Message trigger) or set a code pattern for this source.",
    ),
    MAILBOX_LOGIN_FAILED: (
        "The mail server refused the login.",
        "Check the user in the source URL and the password (VERIFYDESK_IMAP_PASSWORD or the "
        "profile's keyring entry); some providers need an app password for IMAP.",
    ),
    MAILBOX_TLS_ERROR: (
        "The TLS connection to the mail server could not be verified.",
        "Check the host name matches the server's certificate; for a server with a private CA, "
        "give its CA file.",
    ),
    MAILBOX_CONNECTION_LOST: (
        "The mail server closed or stopped answering the connection while VerifyDesk waited.",
        "Check the server is up and reachable, then fetch the code again.",
    ),
    MAILBOX_UNREACHABLE: (
        "The mail server could not be reached.",
        "Check the host and port in the source URL, your network and any firewall.",
    ),
    MAILBOX_NOT_FOUND: (
        "The mailbox named in the source does not exist on the server.",
        "Check the mailbox at the end of the source URL (e.g. /INBOX).",
    ),
    MAILBOX_PASSWORD_MISSING: (
        "No password is known for the mailbox.",
        "Set VERIFYDESK_IMAP_PASSWORD, or save the mailbox password with the profile.",
    ),
    CODE_SOURCE_ERROR: (
        "The code source failed.",
        "Read the message and check the source's settings.",
    ),
}


@dataclass
class CodeSourceError(ServiceError):
    """A code source failed; `code` is one of this module's codes (or a service's own)."""

    @property
    def entry(self) -> CatalogueEntry:
        if self.code == CANCELLED:
            return super().entry
        explanation, next_step = _CATALOGUE.get(self.code, _CATALOGUE[CODE_SOURCE_ERROR])
        return CatalogueEntry(self.code, None, explanation, next_step)

    def entry_in(self, context: ErrorContext | None) -> CatalogueEntry:
        """The same entry whatever the context: a code source's advice does not depend on the call."""
        return self.entry


def cancelled_error(where: str) -> CodeSourceError:
    return CodeSourceError(CANCELLED, f"Waiting for the code in {where} was cancelled.")


@dataclass(frozen=True)
class CodeQuery:
    """Wait for the newest message to `destination` that arrived at or after `sent_after`."""

    destination: str
    sent_after: datetime
    timeout_s: float = 120.0

    def __post_init__(self) -> None:
        if self.sent_after.tzinfo is None:
            raise ValueError("sent_after must be timezone-aware")
        if not self.destination.strip():
            raise ValueError("the destination is empty: give the attribute's value from GetUser")
        if "***" in self.destination:
            raise ValueError(
                f"{self.destination!r} is the masked destination; give the attribute's real value (GetUser)"
            )

    @property
    def since_second(self) -> datetime:
        """`sent_after` in UTC, cut to the second: mail servers date messages to the second."""
        return self.sent_after.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class FoundCode:
    """A code and where it came from. `line` is the text line holding the code."""

    code: str = field(repr=False)
    source: str
    message_date: datetime | None
    sender: str | None
    subject: str | None
    line: str = field(repr=False)
    wait_ms: float = 0.0

    def provenance(self) -> dict[str, Any]:
        """What history and the CLI may keep (no code, no body)."""
        return {
            "source": self.source,
            "message_date": self.message_date.isoformat() if self.message_date else None,
            "from": self.sender,
            "subject": self.subject,
        }


class CodeSource(Protocol):
    """A place codes arrive. `wait` blocks (run it off the UI thread) until the code arrives, the
    timeout passes (CodeNotReceived), or `cancel` is set (Cancelled)."""

    @property
    def description(self) -> str: ...

    def wait(self, query: CodeQuery, cancel: threading.Event) -> FoundCode: ...


class Deadline:
    """The time left of one wait, and the cancel flag checked with it."""

    def __init__(self, timeout_s: float, cancel: threading.Event, where: str) -> None:
        self.started = time.monotonic()
        self.ends = self.started + max(timeout_s, 0.0)
        self.cancel = cancel
        self.where = where

    def remaining(self) -> float:
        return max(self.ends - time.monotonic(), 0.0)

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self.started) * 1000.0

    def check(self) -> None:
        """Raise Cancelled when the caller cancelled."""
        if self.cancel.is_set():
            raise cancelled_error(self.where)

    def sleep(self, seconds: float) -> None:
        """Sleep up to `seconds` (never past the deadline); Cancelled as soon as the caller cancels."""
        if self.cancel.wait(min(seconds, self.remaining())):
            raise cancelled_error(self.where)


def not_received(where: str, query: CodeQuery, searched: str, *, subjects: list[str]) -> CodeSourceError:
    """CodeNotInMessage when messages matched but held no code, else CodeNotReceived."""
    since = query.since_second.isoformat().replace("+00:00", "Z")
    details: dict[str, Any] = {
        "source": where, "searched": searched, "recipient": query.destination, "since": since,
        "timeout_s": query.timeout_s,
    }
    if subjects:
        details["subjects"] = subjects
        shown = "; ".join(repr(s) for s in subjects[:3])
        return CodeSourceError(
            CODE_NOT_IN_MESSAGE,
            f"{len(subjects)} message(s) to {query.destination} arrived in {searched} since {since}, "
            f"but none held a code matching the pattern (subject {shown}).",
            details=details,
        )
    return CodeSourceError(
        CODE_NOT_RECEIVED,
        f"No message to {query.destination} arrived in {searched} between {since} and the end of the "
        f"{query.timeout_s:g} s wait.",
        details=details,
    )
