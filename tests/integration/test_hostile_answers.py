"""Hostile answers from a real HTTP server: wrong JSON types in a 200, and huge error messages.

Each is one catalogued error, never a traceback; the history row completes and keeps a bounded
copy of what the server said.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.auth import AuthFlow, sign_in_password
from app.core.connection import DEFAULT_READ_TIMEOUT_S, CognitoConnection, ConnectionSettings
from app.core.error_catalogue import UNEXPECTED_ANSWER, lookup
from app.core.errors import ServiceError
from app.core.history import HistoryStore
from app.core.history.records import MAX_SERVER_TEXT_CHARS
from app.core.models import Outcome
from app.core.recording import send_recorded

from support.aws_error_server import answer_server, aws_error_server

REPO = Path(__file__).resolve().parents[2]
SEND = "GetUserAttributeVerificationCode"

WRONGLY_TYPED_SENDS: list[Any] = [
    {"CodeDeliveryDetails": {"Destination": 12345, "DeliveryMedium": "EMAIL", "AttributeName": "email"}},
    {"CodeDeliveryDetails": {"Destination": ["a@b.c"], "DeliveryMedium": "EMAIL"}},
    {"CodeDeliveryDetails": {"Destination": {"to": "a@b.c"}}},
    {"CodeDeliveryDetails": {"DeliveryMedium": True}},
    {"CodeDeliveryDetails": [1, 2]},
    {"CodeDeliveryDetails": "email"},
    [{"CodeDeliveryDetails": {}}],
    "just a string",
]


# Secrets of these tests: what a test signs in with joins the process's redaction list, so they must
# be words no other test expects to read (never "password" or "token").
ACCESS_TOKEN = "hostile-answers-access-token-5b1e"
PASSWORD = "hostile-answers-password-9d4c"


def _conn(url: str, read_timeout_s: float = DEFAULT_READ_TIMEOUT_S) -> CognitoConnection:
    return CognitoConnection(ConnectionSettings(region="us-east-1", client_id="client", endpoint_url=url,
                                                read_timeout_s=read_timeout_s))


@pytest.mark.parametrize("answer", WRONGLY_TYPED_SENDS, ids=range(len(WRONGLY_TYPED_SENDS)))
def test_a_wrongly_typed_200_is_one_clear_error_and_the_row_completes_with_the_answer(
    answer: Any, verifydesk_home: Path,
) -> None:
    with answer_server({SEND: answer}) as server, HistoryStore(verifydesk_home / "h.sqlite3") as history:
        sent = send_recorded(_conn(server.url), history, access_token=ACCESS_TOKEN, username="u",
                             attribute_name="email", client_metadata={})
        assert sent.error is not None
        assert sent.error.code == UNEXPECTED_ANSWER
        assert "never sends" in lookup(sent.error.code).explanation
        assert sent.error.http_status == 200
        record = history.get(sent.history_id or -1)
    assert record is not None
    assert record.outcome is Outcome.ERROR
    assert record.error_code == UNEXPECTED_ANSWER
    assert json.dumps(answer)[:20] in (record.error_message or "")


def test_a_sign_in_whose_expiry_is_not_a_number_is_the_same_clear_error() -> None:
    answer = {"AuthenticationResult": {"AccessToken": "token-value", "ExpiresIn": "soon", "TokenType": "Bearer"}}
    with answer_server({"InitiateAuth": answer}) as server, pytest.raises(ServiceError) as caught:
        sign_in_password(_conn(server.url), "user", PASSWORD, AuthFlow.USER_PASSWORD_AUTH)
    assert caught.value.code == UNEXPECTED_ANSWER
    assert "ExpiresIn" in caught.value.message
    assert "soon" in caught.value.message


def _cli_send(url: str, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VERIFYDESK_HOME": str(home), "VERIFYDESK_ACCESS_TOKEN": ACCESS_TOKEN,
           "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-m", "app", "send", "--endpoint-url", url, "--region", "us-east-1",
            "--client-id", "client", "--attribute", "email", *extra]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_cli_reports_a_wrongly_typed_answer_with_exit_1_and_a_completed_row(verifydesk_home: Path) -> None:
    answer = {"CodeDeliveryDetails": {"Destination": 12345, "DeliveryMedium": "EMAIL"}}
    with answer_server({SEND: answer}) as server:
        done = _cli_send(server.url, verifydesk_home, "--json")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    payload = json.loads(done.stdout)
    assert payload["error"]["code"] == UNEXPECTED_ANSWER
    with HistoryStore(verifydesk_home / "data" / "history.sqlite3") as history:
        record = history.get(payload["history_id"])
    assert record is not None and record.outcome is Outcome.ERROR
    assert "12345" in (record.error_message or "")


def test_a_ten_megabyte_error_message_is_shown_and_stored_as_a_bounded_prefix_with_its_length(
    verifydesk_home: Path,
) -> None:
    message = "Delivery failed: " + "x" * (10 * 1024 * 1024)
    path = verifydesk_home / "h.sqlite3"
    with aws_error_server("CodeDeliveryFailureException", message) as server, HistoryStore(path) as history:
        # 10 MB to read and parse: a deadline a loaded machine meets (the bound is what is tested)
        sent = send_recorded(_conn(server.url, read_timeout_s=120), history, access_token=ACCESS_TOKEN, username="u",
                             attribute_name="email", client_metadata={})
        assert sent.error is not None and sent.error.code == "CodeDeliveryFailureException"
        # What the window's label and the CLI show is bounded too, the length noted.
        assert len(sent.error.message) < MAX_SERVER_TEXT_CHARS
        assert f"{len(message):,} characters" in sent.error.message
        record = history.get(sent.history_id or -1)
    assert record is not None and record.error_message is not None
    assert record.error_message.startswith("Delivery failed: xxx")
    assert len(record.error_message) < MAX_SERVER_TEXT_CHARS + 200
    assert f"{len(message):,} characters" in record.error_message
    stored = sum(p.stat().st_size for p in path.parent.glob("h.sqlite3*"))
    assert stored < 1024 * 1024
