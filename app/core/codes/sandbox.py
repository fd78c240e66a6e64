"""The sandbox's inbox as a code source, read over its control API like any other process would."""

from __future__ import annotations

import re
import threading
from datetime import datetime
from re import Pattern
from typing import Any

from app.core.codes.extract import find_code, html_to_text
from app.core.codes.model import (
    CODE_SOURCE_ERROR,
    DEFAULT_PATTERN,
    CodeQuery,
    CodeSourceError,
    Deadline,
    FoundCode,
    not_received,
)
from app.core.redaction import SECRETS

SANDBOX_SENDER = "no-reply@verificationemail.com"  # Cognito's default sender
_NEWEST = 200
_HTML_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|!DOCTYPE)[\s/>]")


class SandboxSource:
    """Codes from the sandbox at `endpoint_url`: the newest delivered message to the destination."""

    def __init__(
        self, endpoint_url: str, *, pattern: Pattern[str] = DEFAULT_PATTERN, poll_interval_s: float = 0.2
    ) -> None:
        from app.sandbox.control import SandboxControl

        self.endpoint_url = endpoint_url
        self.pattern = pattern
        self.poll_interval_s = poll_interval_s
        self._control = SandboxControl(endpoint_url, timeout_s=5.0)

    @property
    def description(self) -> str:
        return f"sandbox {self.endpoint_url}"

    def wait(self, query: CodeQuery, cancel: threading.Event) -> FoundCode:
        from app.sandbox.control import SandboxControlError

        deadline = Deadline(query.timeout_s, cancel, self.description)
        subjects: dict[int, str] = {}
        while True:
            deadline.check()
            try:
                messages = self._control.inbox(limit=_NEWEST)
            except SandboxControlError as exc:
                raise CodeSourceError(CODE_SOURCE_ERROR, str(exc)) from None
            for message in reversed(messages):
                found = self._code_in(message, query, deadline, subjects)
                if found is not None:
                    return found
            if deadline.expired():
                raise not_received(
                    self.description, query, "the sandbox inbox", subjects=list(subjects.values())
                )
            deadline.sleep(self.poll_interval_s)

    def _code_in(
        self, message: dict[str, Any], query: CodeQuery, deadline: Deadline, subjects: dict[int, str]
    ) -> FoundCode | None:
        if not message.get("delivered", True) or message.get("trigger_error"):
            return None
        if str(message.get("destination", "")).casefold() != query.destination.strip().casefold():
            return None
        sent_at = _parse_time(message.get("sent_at"))
        if sent_at is None or sent_at < query.since_second:
            return None
        text = str(message.get("message") or "")
        if _HTML_TAG.search(text):  # a trigger's HTML message: its text, not its colours and styles
            text = html_to_text(text)
        match = find_code([text], self.pattern)
        if match is None:
            subjects[int(message.get("id", 0))] = str(message.get("subject") or "(no subject)")
            return None
        SECRETS.add_code(match.code)
        return FoundCode(
            code=match.code, source=self.description, message_date=sent_at,
            sender=SANDBOX_SENDER if message.get("medium") == "EMAIL" else None,
            subject=message.get("subject"), line=match.line, wait_ms=deadline.elapsed_ms(),
        )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
