"""Redaction of tokens and secrets from anything written out: logs, exports, error messages.

Two layers: any JWT-shaped string is replaced wherever it appears, and every secret registered at
run time (passwords, client secrets, refresh tokens, which are not JWT-shaped) is replaced too, raw
and in base64.
"""

from __future__ import annotations

import base64
import logging
import re
import threading

REDACTED = "<redacted>"
# Three base64url segments, the first two starting like a JSON object ("eyJ" = '{"').
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
_MIN_SECRET_LENGTH = 4


class SecretRegistry:
    """Secrets known to this process; `redact` removes them (and any JWT) from text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._needles: tuple[str, ...] = ()

    def add(self, *secrets: str | None) -> None:
        with self._lock:
            needles = set(self._needles)
            for secret in secrets:
                if secret and len(secret) >= _MIN_SECRET_LENGTH:
                    needles.add(secret)
                    needles.add(base64.b64encode(secret.encode("utf-8")).decode("ascii"))
            # Longest first, so a secret containing another is replaced whole.
            self._needles = tuple(sorted(needles, key=len, reverse=True))

    def clear(self) -> None:
        with self._lock:
            self._needles = ()

    def redact(self, text: str) -> str:
        text = JWT_PATTERN.sub(REDACTED, text)
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, REDACTED)
        return text


SECRETS = SecretRegistry()


def redact(text: str) -> str:
    """`text` without any JWT or registered secret."""
    return SECRETS.redact(text)


class RedactingFilter(logging.Filter):
    """Rewrites every record's final message without secrets (botocore debug output included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
