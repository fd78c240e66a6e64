"""A full scripted session leaves no token, password or client secret in any file it wrote."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.auth import AuthFlow, refresh, sign_in_password
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.history import HistoryStore
from app.core.logs import configure_logging
from app.core.paths import app_paths
from app.core.recording import send_recorded, verify_recorded
from app.core.tokens import Tokens


@pytest.fixture
def debug_logging() -> Iterator[None]:
    """botocore debug output (it logs request bodies and headers) goes to the app's log file."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield
    root.setLevel(previous)


def _needles(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")]


def _files_under(*roots: Path) -> list[Path]:
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


@pytest.mark.usefixtures("debug_logging")
def test_a_full_session_writes_no_secret_anywhere(
    sandbox: Any, sandbox_info: Any, verifydesk_home: Path, tmp_path: Path
) -> None:
    user = sandbox.control.create_user()
    paths = app_paths().ensure()
    log_file = configure_logging(paths, level=logging.DEBUG)
    settings = ConnectionSettings(
        region=sandbox_info.region, client_id=sandbox_info.client_id_with_secret,
        endpoint_url=sandbox_info.endpoint_url, user_pool_id=sandbox_info.user_pool_id,
        client_secret=sandbox_info.client_secret,
    )
    conn = CognitoConnection(settings)
    tokens: list[Tokens] = []
    for flow in AuthFlow:
        step = sign_in_password(conn, user["username"], user["password"], flow)
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

    assert log_file.exists()
    assert "initiate_auth" in log_file.read_text(encoding="utf-8").lower() or log_file.stat().st_size > 0

    secrets = {user["password"], sandbox_info.client_secret}
    for issued in tokens:
        secrets.update(issued.secrets)
    written = _files_under(verifydesk_home, exports)
    assert written, "the session wrote nothing: the search would prove nothing"
    hits = [
        (str(path.relative_to(tmp_path)), needle[:12])
        for path in written
        for secret in secrets
        for needle in _needles(secret)
        if needle in path.read_bytes()
    ]
    assert hits == []
