"""The sandbox mails for real: every email it delivers to its inbox is also sent to an SMTP or LMTP
server (`verifydesk sandbox --smtp [lmtp://]HOST:PORT`), so pool → mail server → IMAP → VerifyDesk
can be tried offline.

Sending happens on a thread of its own, so a slow mail server never delays a Cognito response;
a refused message is logged (without its body, which holds the code) and the next one is tried.
"""

from __future__ import annotations

import html
import logging
import queue
import smtplib
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from app.sandbox.inbox import EMAIL, InboxMessage

log = logging.getLogger(__name__)

SENDER = "no-reply@verificationemail.com"  # Cognito's default sender
_SCHEMES = {"smtp": False, "lmtp": True}


@dataclass(frozen=True)
class RelayTarget:
    host: str
    port: int
    lmtp: bool = False

    def __str__(self) -> str:
        return f"{'lmtp' if self.lmtp else 'smtp'}://{self.host}:{self.port}"


def parse_relay_target(text: str) -> RelayTarget:
    """`HOST:PORT` or `smtp://HOST:PORT` (SMTP), `lmtp://HOST:PORT` (LMTP); ValueError says what is wrong."""
    spec = text.strip()
    scheme, found, rest = spec.partition("://")
    if not found:
        scheme, rest = "smtp", spec
    if scheme.lower() not in _SCHEMES:
        raise ValueError(f"--smtp {text!r}: use HOST:PORT, smtp://HOST:PORT or lmtp://HOST:PORT")
    host, colon, port_text = rest.rstrip("/").rpartition(":")
    host = host.strip("[]")
    if not colon or not host:
        raise ValueError(f"--smtp {text!r}: give the mail server as HOST:PORT")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"--smtp {text!r}: the port must be a number from 1 to 65535")
    return RelayTarget(host, int(port_text), _SCHEMES[scheme.lower()])


def as_email(message: InboxMessage, sender: str = SENDER) -> EmailMessage:
    """The inbox message as the email Cognito would send: text and HTML alternatives."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.destination
    email["Subject"] = message.subject or "Your verification code"
    email["Date"] = format_datetime(_sent_at(message))
    email["Message-ID"] = make_msgid(domain="sandbox.verifydesk.invalid")
    email.set_content(message.message)
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in message.message.splitlines() if line)
    email.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
    return email


def _sent_at(message: InboxMessage) -> datetime:
    return datetime.fromisoformat(message.sent_at.replace("Z", "+00:00"))


class MailRelay:
    """Sends the inbox's delivered emails to `target`, one at a time, in order."""

    def __init__(self, target: RelayTarget, *, timeout_s: float = 10.0) -> None:
        self.target = target
        self.timeout_s = timeout_s
        self.sent = 0
        self.failed = 0
        self._queue: queue.Queue[InboxMessage | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> MailRelay:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-mail-relay", daemon=True)
            self._thread.start()
        return self

    def submit(self, message: InboxMessage) -> None:
        """Queue a delivered email (texts and stopped messages are not mailed)."""
        if message.medium == EMAIL and message.delivered:
            self._queue.put(message)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Send what is queued (within `timeout_s`), then stop."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout_s)

    def _run(self) -> None:
        while (message := self._queue.get()) is not None:
            try:
                self._send(message)
            except (OSError, smtplib.SMTPException) as exc:  # logged; the sandbox keeps serving
                self.failed += 1
                log.warning("mail relay: %s did not take message %d: %s: %s",
                            self.target, message.id, type(exc).__name__, exc)
            else:
                self.sent += 1

    def _send(self, message: InboxMessage) -> None:
        kind = smtplib.LMTP if self.target.lmtp else smtplib.SMTP
        with kind(self.target.host, self.target.port, timeout=self.timeout_s) as server:
            server.sendmail(SENDER, [message.destination], as_email(message).as_bytes(policy=SMTP))
