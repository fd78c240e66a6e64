"""The IMAP code source: one server-side SEARCH per look, IDLE when offered, read-only throughout.

The mailbox is opened with EXAMINE and messages are read with BODY.PEEK, so nothing is marked read,
moved or deleted. The search runs on the server (SINCE the day before the send, and the recipient in
To, Delivered-To or X-Original-To), so a mailbox of 10,000 messages costs one SEARCH; only the
candidates' arrival dates and recipient headers are fetched, and of the newest only the first
`MAX_MESSAGE_BYTES`. TLS is verified against the system's trust store (plus a CA file if given).
"""

from __future__ import annotations

import contextlib
import functools
import imaplib
import logging
import select
import ssl
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from re import Pattern
from typing import Any

from app.core.codes.extract import MAX_MESSAGE_BYTES, find_code, parse_message
from app.core.codes.model import (
    CODE_SOURCE_ERROR,
    DEFAULT_PATTERN,
    MAILBOX_CONNECTION_LOST,
    MAILBOX_LOGIN_FAILED,
    MAILBOX_NOT_FOUND,
    MAILBOX_TLS_ERROR,
    MAILBOX_UNREACHABLE,
    CodeQuery,
    CodeSourceError,
    Deadline,
    FoundCode,
    not_received,
)
from app.core.codes.spec import ImapSpec
from app.core.redaction import SECRETS

# imaplib's protocol trace (debug level) would carry message bodies, and so the codes.
logging.getLogger("imapclient.imaplib").setLevel(logging.INFO)

_HEADER_FIELDS = "BODY.PEEK[HEADER.FIELDS (TO CC DELIVERED-TO X-ORIGINAL-TO)]"
_IDLE_SLICE_S = 0.5
_IDLE_RENEW_S = 600.0  # well inside the 29 minutes RFC 2177 allows
_COMMAND_TIMEOUT_S = 30.0
_MIN_COMMAND_TIMEOUT_S = 2.0
_CLOSED_AFTER = 3  # readable-but-empty IDLE checks in a row: the server has closed the connection


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """The system's trust store, plus `ca_file` when given; host names always checked.

    Loading the trust store costs tens of milliseconds, so a context is kept per CA file (and its
    modification time); contexts are safe to share between connections and threads.
    """
    stamp = None
    if ca_file is not None:
        try:
            stamp = ca_file.stat().st_mtime_ns
        except OSError as exc:
            message = f"The CA file {ca_file} could not be read: {exc}"
            raise CodeSourceError(MAILBOX_TLS_ERROR, message) from None
    return _tls_context(str(ca_file) if ca_file else None, stamp)


@functools.lru_cache(maxsize=4)
def _tls_context(ca_file: str | None, stamp: int | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise CodeSourceError(
                MAILBOX_TLS_ERROR, f"The CA file {ca_file} could not be read as PEM certificates: {exc}"
            ) from None
    return context


class ImapSource:
    """Codes from an IMAP mailbox (see the module docstring)."""

    def __init__(
        self,
        spec: ImapSpec,
        password: str,
        *,
        ca_file: Path | None = None,
        pattern: Pattern[str] = DEFAULT_PATTERN,
        use_idle: bool = True,
        poll_interval_s: float = 2.0,
    ) -> None:
        SECRETS.add(password)
        self.spec = spec
        self._password = password
        self.ca_file = ca_file
        self.pattern = pattern
        self.use_idle = use_idle
        self.poll_interval_s = poll_interval_s

    @property
    def description(self) -> str:
        return str(self.spec)

    def wait(self, query: CodeQuery, cancel: threading.Event) -> FoundCode:
        deadline = Deadline(query.timeout_s, cancel, self.description)
        deadline.check()
        client, uid_next = self._connect(deadline)
        try:
            return _Wait(self, client, query, deadline, uid_next).run()
        except CodeSourceError:
            raise
        except (imaplib.IMAP4.abort, OSError, EOFError) as exc:
            raise self._lost(exc) from None
        except imaplib.IMAP4.error as exc:
            raise CodeSourceError(CODE_SOURCE_ERROR, f"{self.spec.host} refused a command: {exc}") from None
        finally:
            _close(client)

    def check(self, timeout_s: float, cancel: threading.Event) -> str:
        """Connect, log in and examine the mailbox, then log out (a connection test); blocking.
        Returns what was opened; raises CodeSourceError as `wait` would."""
        deadline = Deadline(timeout_s, cancel, self.description)
        client, _ = self._connect(deadline)
        _close(client)
        return f"{self.spec.host} mailbox {self.spec.mailbox}"

    def _lost(self, exc: BaseException) -> CodeSourceError:
        reason = str(exc) or type(exc).__name__
        return CodeSourceError(
            MAILBOX_CONNECTION_LOST,
            f"The connection to {self.spec.host}:{self.spec.port} was lost while waiting ({reason}).",
        )

    def _connect(self, deadline: Deadline) -> tuple[Any, int | None]:
        """A logged-in connection with the mailbox examined, and the mailbox's next UID."""
        from imapclient import IMAPClient
        from imapclient.exceptions import LoginError
        from imapclient.imapclient import SocketTimeout

        spec = self.spec
        context = tls_context(self.ca_file) if spec.implicit_tls else None
        timeout = _command_timeout(deadline)
        where = f"{spec.host}:{spec.port}"
        try:
            client = IMAPClient(spec.host, spec.port, ssl=spec.implicit_tls, ssl_context=context,
                                timeout=SocketTimeout(connect=timeout, read=timeout))
        except ssl.SSLCertVerificationError as exc:
            raise _tls_error(where, exc, self.ca_file) from None
        except ssl.SSLError as exc:
            raise CodeSourceError(MAILBOX_TLS_ERROR, f"TLS with {where} failed: {exc}") from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise CodeSourceError(MAILBOX_UNREACHABLE, f"{where} could not be reached: {exc}") from None
        client.normalise_times = False
        step = "tls"
        try:
            if not spec.implicit_tls and client.has_capability("STARTTLS"):
                client.starttls(tls_context(self.ca_file))
            step = "login"
            client.login(spec.user, self._password)
            step = "select"
            uid_next = client.select_folder(spec.mailbox, readonly=True).get(b"UIDNEXT")
        except ssl.SSLCertVerificationError as exc:
            _close(client)
            raise _tls_error(where, exc, self.ca_file) from None
        except CodeSourceError:
            _close(client)
            raise
        except imaplib.IMAP4.abort as exc:
            _close(client)
            raise self._lost(exc) from None
        except (LoginError, imaplib.IMAP4.error) as exc:
            _close(client)
            raise self._refused(step, exc) from None
        except (OSError, EOFError) as exc:
            _close(client)
            raise self._lost(exc) from None
        return client, uid_next if isinstance(uid_next, int) else None

    def _refused(self, step: str, exc: Exception) -> CodeSourceError:
        where = f"{self.spec.host}:{self.spec.port}"
        if step == "select":
            return CodeSourceError(
                MAILBOX_NOT_FOUND, f"{where} could not open the mailbox {self.spec.mailbox!r}: {_text(exc)}"
            )
        if step == "tls":
            return CodeSourceError(MAILBOX_TLS_ERROR, f"STARTTLS with {where} failed: {_text(exc)}")
        return CodeSourceError(
            MAILBOX_LOGIN_FAILED, f"{where} refused the login of {self.spec.user!r}: {_text(exc)}"
        )


class _Wait:
    """One wait on an open, selected connection."""

    def __init__(
        self, source: ImapSource, client: Any, query: CodeQuery, deadline: Deadline, uid_next: int | None
    ) -> None:
        self.source = source
        # Messages from this UID on arrived after the wait began, so after the send, whatever the
        # server's clock says: a server whose clock is behind still delivers the code.
        self.fresh_from = uid_next
        self.client = client
        self.query = query
        self.deadline = deadline
        self.seen: set[int] = set()
        self.subjects: list[str] = []

    def run(self) -> FoundCode:
        # IDLE only where the server offers it; `use_idle=False` polls even then.
        idle = self.source.use_idle and bool(self.client.has_capability("IDLE"))
        while True:
            self.deadline.check()
            found = self._look()
            if found is not None:
                return found
            if self.deadline.expired():
                where = f"{self.source.spec.host} mailbox {self.source.spec.mailbox}"
                raise not_received(self.source.description, self.query, where, subjects=self.subjects)
            if idle:
                self._idle()
            else:
                self.deadline.sleep(self.source.poll_interval_s)
                _arm(self.client, self.deadline)
                self.client.noop()

    def _criteria(self) -> list[Any]:
        to = self.query.destination.strip()
        day_before = (self.query.since_second - timedelta(days=1)).date()
        return ["SINCE", day_before, "OR", "HEADER", "To", to,
                "OR", "HEADER", "Delivered-To", to, "HEADER", "X-Original-To", to]

    def _look(self) -> FoundCode | None:
        _arm(self.client, self.deadline)
        charset = None if self.query.destination.isascii() else "UTF-8"
        uids = [uid for uid in self.client.search(self._criteria(), charset) if uid not in self.seen]
        if not uids:
            return None
        self.seen.update(uids)
        for uid, arrived in self._candidates(uids):
            found = self._read(uid, arrived)
            if found is not None:
                return found
        return None

    def _candidates(self, uids: list[int]) -> list[tuple[int, datetime]]:
        """The messages really to the destination that arrived after the send, newest first (those
        that arrived during the wait before any others)."""
        since = self.query.since_second
        fetched = self.client.fetch(uids, ["INTERNALDATE", _HEADER_FIELDS])
        found: list[tuple[bool, datetime, int]] = []
        for uid, data in fetched.items():
            arrived = data.get(b"INTERNALDATE")
            headers = _section(data, b"BODY[HEADER")
            if not isinstance(arrived, datetime) or arrived.tzinfo is None:
                continue
            fresh = self.fresh_from is not None and uid >= self.fresh_from
            if not fresh and arrived < since:
                continue
            if headers is not None and parse_message(headers).is_to(self.query.destination):
                found.append((fresh, arrived, uid))
        return [(uid, arrived) for _, arrived, uid in sorted(found, reverse=True)]

    def _read(self, uid: int, arrived: datetime) -> FoundCode | None:
        _arm(self.client, self.deadline)
        data = self.client.fetch([uid], [f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>"]).get(uid, {})
        raw = _section(data, b"BODY[]")
        if raw is None:
            return None
        message = parse_message(raw)
        match = find_code(message.texts, self.source.pattern)
        if match is None:
            self.subjects.append(message.subject or "(no subject)")
            return None
        SECRETS.add_code(match.code)
        return FoundCode(
            code=match.code, source=self.source.description, message_date=message.date or arrived,
            sender=message.sender, subject=message.subject, line=match.line,
            wait_ms=self.deadline.elapsed_ms(),
        )

    def _idle(self) -> None:
        """Wait in IDLE until the mailbox changes, the deadline passes or the caller cancels."""
        self.client.idle()
        outcome = "error"
        try:
            outcome = self._idle_until_change()
        finally:
            if outcome != "closed":
                try:
                    _arm(self.client, self.deadline)
                    self.client.idle_done()
                except Exception:
                    if outcome != "error":
                        raise  # else the error already on its way says more
        if outcome == "closed":
            raise EOFError("the server closed the connection")

    def _idle_until_change(self) -> str:
        deadline = self.deadline
        empty_reads = 0
        renew_at = deadline.remaining() - _IDLE_RENEW_S
        while deadline.remaining() > max(renew_at, 0.0) and not deadline.cancel.is_set():
            readable = _readable(self.client, min(_IDLE_SLICE_S, deadline.remaining()))
            responses = self.client.idle_check(timeout=0) if readable else []
            if readable and not responses:
                empty_reads += 1
                if empty_reads >= _CLOSED_AFTER:
                    return "closed"
                continue
            empty_reads = 0
            if any(response and response[0] == b"BYE" for response in responses):
                return "closed"
            if _changed(responses):
                return "changed"
        return "timeout"


def _changed(responses: Iterable[Any]) -> bool:
    return any(len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT") for response in responses)


def _readable(client: Any, timeout: float) -> bool:
    sock = client.socket()
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    ready, _, _ = select.select([sock], [], [], timeout)
    return bool(ready)


def _command_timeout(deadline: Deadline) -> float:
    return min(max(deadline.remaining(), _MIN_COMMAND_TIMEOUT_S), _COMMAND_TIMEOUT_S)


def _arm(client: Any, deadline: Deadline) -> None:
    """Bound the next command by the time left (a little more, so a last look can finish)."""
    client.socket().settimeout(_command_timeout(deadline))


def _section(data: dict[bytes, Any], prefix: bytes) -> bytes | None:
    for key, value in data.items():
        if isinstance(key, bytes) and key.startswith(prefix) and isinstance(value, bytes):
            return value
    return None


def _text(value: object) -> str:
    """A server's words as text (imaplib's errors carry them as bytes, or as a printed bytes literal)."""
    if isinstance(value, BaseException) and len(value.args) == 1:
        value = value.args[0]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    text = str(value)
    if text[:2] in ("b'", 'b"') and text.endswith(text[1]):
        return text[2:-1]
    return text


def _tls_error(where: str, exc: ssl.SSLCertVerificationError, ca_file: Path | None) -> CodeSourceError:
    hint = (f" (not even with the CA file {ca_file})" if ca_file
            else "; for a server with a private or self-signed certificate, give its CA file")
    return CodeSourceError(
        MAILBOX_TLS_ERROR, f"The certificate of {where} could not be verified: {exc.verify_message}{hint}."
    )


def _close(client: Any) -> None:
    try:
        client.socket().settimeout(2.0)
        client.logout()
    except Exception:  # the connection may already be gone; closing must not hide the result
        with contextlib.suppress(Exception):  # nothing more to close
            client.shutdown()

