"""Delivered messages: what the sandbox would have emailed or texted, readable by testers and tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

EMAIL = "EMAIL"
SMS = "SMS"

# Why a message was sent.
PURPOSE_VERIFY_ATTRIBUTE = "verify_attribute"
PURPOSE_UPDATE_ATTRIBUTE = "update_attribute"
PURPOSE_SMS_MFA = "sms_mfa"
PURPOSE_EMAIL_OTP = "email_otp"


def medium_for(attribute: str) -> str:
    return EMAIL if attribute == "email" else SMS


def mask_email(address: str) -> str:
    """`alice@example.com` → `a***@e***`, the way Cognito shows an email destination."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def mask_phone(number: str) -> str:
    """`+15555550100` → `+*******0100`: every digit hidden but the last four."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return "+" + "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask(attribute: str, value: str) -> str:
    return mask_email(value) if attribute == "email" else mask_phone(value)


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class InboxMessage:
    """One message; `delivered` is False (and `trigger_error` set) when the trigger stopped it."""

    id: int
    username: str
    attribute: str
    medium: str
    destination: str
    code: str
    subject: str | None
    message: str
    client_metadata: dict[str, str] | None
    sent_at: str
    trigger_error: str | None
    purpose: str
    delivered: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Inbox:
    """The newest `keep` messages in order of sending (ids keep counting); thread-safe."""

    def __init__(self, keep: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._messages: list[InboxMessage] = []
        self._keep = keep
        self._sent = 0
        self._listeners: list[Callable[[InboxMessage], None]] = []

    def add_listener(self, listener: Callable[[InboxMessage], None]) -> None:
        """Call `listener` with every message delivered from now on (outside the inbox's lock)."""
        with self._lock:
            self._listeners.append(listener)

    def deliver(
        self,
        *,
        username: str,
        attribute: str,
        destination: str,
        code: str,
        subject: str | None,
        message: str,
        purpose: str,
        client_metadata: dict[str, str] | None = None,
        trigger_error: str | None = None,
    ) -> InboxMessage:
        with self._lock:
            self._sent += 1
            entry = InboxMessage(
                id=self._sent,
                username=username,
                attribute=attribute,
                medium=medium_for(attribute),
                destination=destination,
                code=code if trigger_error is None else "",
                subject=subject,
                message=message,
                client_metadata=dict(client_metadata) if client_metadata else None,
                sent_at=utc_now_iso(),
                trigger_error=trigger_error,
                purpose=purpose,
                delivered=trigger_error is None,
            )
            self._messages.append(entry)
            if len(self._messages) > self._keep:  # a sandbox left running for days stays small
                del self._messages[: len(self._messages) - self._keep]
            listeners = tuple(self._listeners)
        for listener in listeners:
            listener(entry)
        return entry

    def messages(
        self, username: str | None = None, limit: int | None = None, *, attribute: str | None = None
    ) -> list[InboxMessage]:
        """In sending order, every one or only those to `username` and/or `attribute`; with `limit`,
        only the newest `limit` of them."""
        with self._lock:
            found = [m for m in self._messages if (username is None or m.username == username)
                     and (attribute is None or m.attribute == attribute)]
        return found[-limit:] if limit is not None and limit < len(found) else found

    def latest_code(self, username: str, attribute: str) -> str | None:
        """The code of the newest delivered message to this user's attribute."""
        for entry in reversed(self.messages(username)):
            if entry.attribute == attribute and entry.delivered:
                return entry.code
        return None
