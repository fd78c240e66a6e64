"""Search files for secrets in every form they could be written in.

Independent of `app.core.redaction` on purpose: the forms are spelled out here again, so a form the
app forgets to redact is still found.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.redaction import SECRETS

_MIN_SEGMENT = 16  # shorter JWT segments (none in practice) would match by chance


def _b64_forms(data: bytes) -> dict[str, bytes]:
    forms: dict[str, bytes] = {}
    for name, encoded in (("base64", base64.b64encode(data)), ("base64url", base64.urlsafe_b64encode(data))):
        forms[name] = encoded
        forms[f"{name} unpadded"] = encoded.rstrip(b"=")
    return forms


def _jwt_segments(token: str) -> dict[str, bytes]:
    """The payload and signature of a JWT alone, and their bytes re-encoded as standard base64.

    The header is left out: it is the same for every token of a pool and carries nothing secret.
    """
    parts = token.split(".")
    if len(parts) != 3 or not token.startswith("eyJ"):
        return {}
    forms: dict[str, bytes] = {}
    for name, segment in (("payload", parts[1]), ("signature", parts[2])):
        if len(segment) < _MIN_SEGMENT:
            continue
        forms[f"JWT {name}"] = segment.encode()
        try:
            decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError):
            continue
        forms[f"JWT {name} as base64"] = base64.b64encode(decoded)
        forms[f"JWT {name} as base64 unpadded"] = base64.b64encode(decoded).rstrip(b"=")
    return forms


def secret_forms(secret: str) -> dict[str, bytes]:
    """Each way `secret` could sit in a file, by name."""
    raw = secret.encode("utf-8")
    forms = {"raw": raw}
    for name, text in (("JSON", json.dumps(secret)[1:-1]), ("JSON utf-8", json.dumps(secret, ensure_ascii=False)[1:-1])):
        forms[name] = text.encode("utf-8")
        forms[f"{name} in a printed bytes body"] = repr(b'"' + text.encode("utf-8"))[3:-1].encode()
    forms.update(_b64_forms(raw))
    forms.update(_jwt_segments(secret))
    return forms


def files_under(*roots: Path) -> list[Path]:
    return sorted(path for root in roots if root.exists() for path in root.rglob("*") if path.is_file())


def find_secrets(files: Iterable[Path], secrets: dict[str, str]) -> list[tuple[str, str, str]]:
    """(file, which secret, which form) for every secret form found in a file."""
    needles = [(label, form, needle) for label, secret in secrets.items() for form, needle in secret_forms(secret).items()]
    hits = []
    for path in files:
        content = path.read_bytes()
        hits.extend((str(path), label, form) for label, form, needle in needles if needle in content)
    return hits


@contextmanager
def empty_secret_registry() -> Iterator[None]:
    """Start with no registered secrets (an in-process sandbox registers its own when it starts), so
    the app must register everything it redacts; restore the registry afterwards."""
    saved = SECRETS._needles  # tests only: no public way to snapshot the registry
    SECRETS.clear()
    try:
        yield
    finally:
        merged = set(saved) | set(SECRETS._needles)
        SECRETS._needles = tuple(sorted(merged, key=len, reverse=True))
