"""A full scripted session leaves no token, password or client secret in any file it wrote.

Sign in (both flows) with a password that needs escaping in JSON and a client with a secret, refresh,
send, verify, fail once, export history as CSV and JSON, all with DEBUG logging (botocore prints
request and response bodies there). Then every file under VERIFYDESK_HOME and the exports is searched
for every secret: raw, JSON-escaped, as printed inside a bytes body, base64 (standard and URL-safe,
with and without padding), and each JWT's payload and signature on their own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.auth import (
    AuthFlow,
    Challenge,
    new_password_answers,
    refresh,
    respond_to_challenge,
    sign_in_password,
)
from app.core.history import HistoryStore
from app.core.logs import configure_logging
from app.core.paths import app_paths
from app.core.recording import send_recorded, verify_recorded
from app.core.redaction import REDACTED
from app.core.tokens import Tokens

from support.sandbox_session import connect
from support.secret_scan import empty_secret_registry, files_under, find_secrets

# Quotes, a backslash and non-ASCII: JSON and bytes reprs escape these, so a raw-only search misses them.
AWKWARD_PASSWORD = 'Mot-dé-passe"\\9!ü\'€'


@pytest.fixture
def debug_logging() -> Iterator[None]:
    """Root at DEBUG, so botocore's request/response bodies reach the app's log file."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    with empty_secret_registry():
        yield
    root.setLevel(previous)


@pytest.mark.usefixtures("debug_logging")
def test_a_full_session_writes_no_secret_anywhere(sandbox: Any, sandbox_info: Any, verifydesk_home: Path, tmp_path: Path) -> None:
    paths = app_paths().ensure()
    log_file = configure_logging(paths, level=logging.DEBUG)
    conn = connect(sandbox_info, secret=True)
    user = sandbox.control.create_user(challenge="NEW_PASSWORD_REQUIRED")
    first = sign_in_password(conn, user["username"], user["password"], AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(first, Challenge) and first.name == "NEW_PASSWORD_REQUIRED"
    answered = respond_to_challenge(conn, first, new_password_answers(AWKWARD_PASSWORD, {"name": "Zoë"}))
    assert isinstance(answered, Tokens)
    tokens: list[Tokens] = [answered]
    for flow in AuthFlow:
        step = sign_in_password(conn, user["username"], AWKWARD_PASSWORD, flow)
        assert isinstance(step, Tokens), step
        tokens.append(step)
    assert tokens[-1].refresh_token
    refreshed = refresh(conn, tokens[-1].refresh_token, user["username"])
    tokens.append(refreshed)
    access = refreshed.access_token

    exports = tmp_path / "exports"
    exports.mkdir()
    with HistoryStore(paths.history_db) as history:
        sent = send_recorded(
            conn, history, access_token=access, username=user["username"], attribute_name="email",
            client_metadata={"purpose": "secrets-test"},
        )
        assert sent.ok, sent.error
        code = sandbox.control.latest_code(user["username"], "email")
        verified = verify_recorded(
            conn, history, access_token=access, username=user["username"], attribute_name="email", code=code,
        )
        assert verified.ok, verified.error
        # An error path too: a token that is no longer valid, echoed in no message.
        failed = send_recorded(
            conn, history, access_token=access + "x", username=user["username"], attribute_name="email",
            client_metadata={},
        )
        assert not failed.ok
        assert history.export(exports / "h.csv") >= 3
        assert history.export(exports / "h.json") >= 3
    for handler in logging.getLogger().handlers:
        handler.flush()

    # The log really holds botocore's debug output with bodies, redacted: the search below means something.
    log_text = log_file.read_text(encoding="utf-8")
    for operation in ("InitiateAuth", "RespondToAuthChallenge", "GetUserAttributeVerificationCode",
                      "VerifyUserAttribute"):
        assert f"Making request for OperationModel(name={operation})" in log_text
    assert "'body': b'{" in log_text and REDACTED in log_text

    secrets = {"password": AWKWARD_PASSWORD, "first password": user["password"],
               "client secret": sandbox_info.client_secret}
    for index, issued in enumerate(tokens):
        secrets.update({f"access token {index}": issued.access_token, f"id token {index}": issued.id_token or ""})
        if issued.refresh_token:
            secrets[f"refresh token {index}"] = issued.refresh_token
    written = files_under(verifydesk_home, exports)
    assert {p.name for p in written} >= {"h.csv", "h.json", "verifydesk.log", "history.sqlite3"}
    assert find_secrets(written, {k: v for k, v in secrets.items() if v}) == []
