"""Redaction of tokens and secrets from anything written out: logs, exports, error messages.

Two layers: any JWT-shaped string is replaced wherever it appears, and every secret registered at
run time (passwords, client secrets, refresh tokens, which are not JWT-shaped) is replaced too, in
every form it takes when written out: raw, JSON-escaped, inside a printed bytes literal (botocore's
debug log prints request bodies that way, so `"`, `\\` and non-ASCII characters arrive escaped), and
base64 (standard and URL-safe, with and without padding).

One-time verification codes are short digit strings, so they are replaced only where they stand
alone (not inside a longer number such as a timestamp or a request id).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading

REDACTED = "<redacted>"
# Three base64url segments, the first two starting like a JSON object ("eyJ" = '{"').
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
_MIN_SECRET_LENGTH = 4


def written_forms(secret: str) -> set[str]:
    """The forms of `secret` that text written out can hold (see the module docstring)."""
    raw = secret.encode("utf-8", "surrogatepass")
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for form in list(forms):
        # As in repr(body) of a JSON body: a literal that holds '"', so "'" is the escaped quote.
        forms.add(repr(b'"' + form.encode("utf-8", "surrogatepass"))[3:-1])
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms.update((text, text.rstrip("=")))
    return {form for form in forms if len(form) >= _MIN_SECRET_LENGTH}


class SecretRegistry:
    """Secrets known to this process; `redact` removes them (and any JWT) from text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._needles: tuple[str, ...] = ()
        self._codes: frozenset[str] = frozenset()
        self._code_pattern: re.Pattern[str] | None = None

    def add(self, *secrets: str | None) -> None:
        with self._lock:
            needles = set(self._needles)
            for secret in secrets:
                if secret and len(secret) >= _MIN_SECRET_LENGTH:
                    needles.update(written_forms(secret))
            # Longest first, so a secret containing another is replaced whole.
            self._needles = tuple(sorted(needles, key=len, reverse=True))

    def add_code(self, *codes: str | None) -> None:
        """Register one-time codes: replaced wherever they are not part of a longer word or number."""
        with self._lock:
            found = self._codes | {code for code in codes if code and len(code) >= _MIN_SECRET_LENGTH}
            if found == self._codes:
                return
            self._codes = frozenset(found)
            alternatives = "|".join(re.escape(code) for code in sorted(found, key=len, reverse=True))
            self._code_pattern = re.compile(rf"(?<![0-9A-Za-z])(?:{alternatives})(?![0-9A-Za-z])")

    def clear(self) -> None:
        with self._lock:
            self._needles = ()
            self._codes = frozenset()
            self._code_pattern = None

    def redact(self, text: str) -> str:
        text = JWT_PATTERN.sub(REDACTED, text)
        if self._code_pattern is not None:
            text = self._code_pattern.sub(REDACTED, text)
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
