"""A registered secret is redacted in every form written text can hold it: raw, JSON-escaped, inside a
printed bytes body (botocore's debug log), and base64 (standard and URL-safe, padded or not)."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.core.redaction import REDACTED, SecretRegistry, written_forms

EMPTY_BODY = {"AuthParameters": {"PASSWORD": ""}}


def _bodies(value: str) -> list[str]:
    """How botocore's debug log shows a request body holding `value`, and how JSON files hold it."""
    body = {"AuthParameters": {"PASSWORD": value}}
    texts = [json.dumps(body), json.dumps(body, ensure_ascii=False)]
    return texts + [repr(text.encode("utf-8", "surrogatepass")) for text in texts]


def _encodings(value: str) -> list[str]:
    raw = value.encode("utf-8", "surrogatepass")
    encoded = [base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]
    return encoded + [text.rstrip("=") for text in encoded]


def test_a_password_with_quotes_backslashes_and_accents_is_redacted_from_a_logged_body() -> None:
    password = 'Mot-dé-passe"\\9!ü\'€'
    registry = SecretRegistry()
    registry.add(password)
    for rendered, expected in zip(_bodies(password), _bodies(REDACTED), strict=True):
        assert registry.redact(f"Making request with params: {{'body': {rendered}}}") == (
            f"Making request with params: {{'body': {expected}}}"
        )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=st.text(min_size=4, max_size=40))
def test_any_secret_is_redacted_in_every_written_form(secret: str) -> None:
    assume("eyJ" not in secret)
    frames = [*_bodies(""), *_bodies(REDACTED), f"auth={REDACTED};"]
    assume(not any(form in frame for form in written_forms(secret) for frame in frames))
    registry = SecretRegistry()
    registry.add(secret)
    for rendered, expected in zip(_bodies(secret), _bodies(REDACTED), strict=True):
        assert registry.redact(rendered) == expected
    for encoded in _encodings(secret):
        assert registry.redact(f"auth={encoded};") == f"auth={REDACTED};"
