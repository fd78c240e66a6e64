"""Redaction removes JWTs and registered secrets (raw and base64) from text and log records."""

from __future__ import annotations

import base64
import logging

from app.core.redaction import REDACTED, RedactingFilter, SecretRegistry

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQ"


def test_jwts_are_redacted_anywhere_in_text() -> None:
    registry = SecretRegistry()
    assert registry.redact(f"body: {{'AccessToken': '{JWT}'}}") == f"body: {{'AccessToken': '{REDACTED}'}}"


def test_registered_secrets_are_redacted_raw_and_in_base64() -> None:
    registry = SecretRegistry()
    registry.add("hunter2-password", None, "")
    encoded = base64.b64encode(b"hunter2-password").decode()
    text = registry.redact(f"PASSWORD=hunter2-password auth={encoded}")
    assert "hunter2" not in text
    assert encoded not in text


def test_very_short_values_are_not_registered() -> None:
    registry = SecretRegistry()
    registry.add("ab")
    assert registry.redact("ab cd") == "ab cd"


def test_the_log_filter_redacts_formatted_messages_and_tracebacks() -> None:
    registry_secret = "refresh-token-opaque-1234"
    from app.core.redaction import SECRETS

    SECRETS.add(registry_secret)
    record = logging.LogRecord("botocore", logging.DEBUG, __file__, 1, "Response body: %s", (f"{JWT} {registry_secret}",), None)
    assert RedactingFilter().filter(record)
    assert JWT not in record.getMessage()
    assert registry_secret not in record.getMessage()
    try:
        raise ValueError(registry_secret)
    except ValueError:
        import sys

        failing = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    RedactingFilter().filter(failing)
    assert failing.exc_text is not None
    assert registry_secret not in failing.exc_text
