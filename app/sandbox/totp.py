"""RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits), like authenticator apps."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP_S = 30
DIGITS = 6
# Codes one step either side of now are accepted, like Cognito, for clock drift.
WINDOW_STEPS = 1


def new_secret() -> str:
    """A fresh shared secret: 20 random bytes in unpadded base32 (32 characters), like Cognito's."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(secret: str, counter: int) -> str:
    """RFC 4226: the code for one counter value."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def totp(secret: str, at: float | None = None) -> str:
    """The code an authenticator shows at `at` (default: now)."""
    moment = time.time() if at is None else at
    return hotp(secret, int(moment // STEP_S))


def verify(secret: str, code: str, at: float | None = None) -> bool:
    """True when `code` is the code of the current step or of one step either side."""
    if len(code) != DIGITS or not code.isdigit():
        return False
    step = int((time.time() if at is None else at) // STEP_S)
    return any(
        hmac.compare_digest(hotp(secret, step + delta), code)
        for delta in range(-WINDOW_STEPS, WINDOW_STEPS + 1)
    )
