"""Retries are pinned: one send by default; with more attempts botocore retries (never a
LimitExceededException) and the result, in the core and the CLI's JSON, says how many."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.connection import CognitoConnection
from app.core.history import HistoryStore
from app.core.recording import send_recorded

from support.documented_errors import connection_args, run_cli
from support.sandbox_session import connect, signed_in

SEND = "GetUserAttributeVerificationCode"


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox: Any) -> Iterator[None]:
    sandbox.control.clear_faults()
    yield
    sandbox.control.clear_faults()


@pytest.fixture
def access_token(sandbox_info: Any, fresh_user: dict[str, Any]) -> str:
    return signed_in(connect(sandbox_info), fresh_user).access_token


@pytest.fixture
def history(verifydesk_home: Path) -> Iterator[HistoryStore]:
    with HistoryStore(verifydesk_home / "history.sqlite3") as store:
        yield store


def _send(conn: CognitoConnection, history: HistoryStore, token: str) -> Any:
    return send_recorded(conn, history, access_token=token, username="u", attribute_name="email", client_metadata={})


@pytest.mark.parametrize("error_code", ["LimitExceededException", "TooManyRequestsException"])
def test_by_default_a_throttling_error_is_sent_once(
    sandbox: Any, sandbox_info: Any, access_token: str, history: HistoryStore, error_code: str
) -> None:
    before = sandbox.control.request_count(SEND)
    sandbox.control.inject_fault(SEND, error_code=error_code, count=3)
    sent = _send(connect(sandbox_info), history, access_token)
    assert sent.error is not None and sent.error.code == error_code
    assert sent.error.attempts == 1
    assert sandbox.control.request_count(SEND) == before + 1
    row = history.get(sent.history_id)
    assert row is not None and row.attempts == 1


@pytest.mark.parametrize("error_code", ["TooManyRequestsException", "InternalErrorException"])
def test_with_three_attempts_the_call_is_retried_and_reports_the_real_attempts(
    sandbox: Any, sandbox_info: Any, access_token: str, history: HistoryStore, error_code: str
) -> None:
    before = sandbox.control.request_count(SEND)
    sandbox.control.inject_fault(SEND, error_code=error_code, count=2)
    sent = _send(connect(sandbox_info, max_attempts=3), history, access_token)
    assert sent.error is None, sent.error
    assert sent.result is not None and sent.result.attempts == 3
    assert sandbox.control.request_count(SEND) == before + 3
    row = history.get(sent.history_id)
    assert row is not None and row.attempts == 3


def test_when_every_attempt_fails_the_error_reports_all_attempts(
    sandbox: Any, sandbox_info: Any, access_token: str, history: HistoryStore
) -> None:
    before = sandbox.control.request_count(SEND)
    sandbox.control.inject_fault(SEND, error_code="TooManyRequestsException", count=5)
    sent = _send(connect(sandbox_info, max_attempts=3), history, access_token)
    assert sent.error is not None and sent.error.code == "TooManyRequestsException"
    assert sent.error.attempts == 3
    assert sandbox.control.request_count(SEND) == before + 3
    assert [f["remaining"] for f in sandbox.control.faults()] == [2]


def test_a_client_error_that_is_not_retryable_is_sent_once_even_with_attempts(
    sandbox: Any, sandbox_info: Any, access_token: str, history: HistoryStore
) -> None:
    before = sandbox.control.request_count(SEND)
    sandbox.control.inject_fault(SEND, error_code="CodeDeliveryFailureException", count=3)
    sent = _send(connect(sandbox_info, max_attempts=3), history, access_token)
    assert sent.error is not None and sent.error.attempts == 1
    assert sandbox.control.request_count(SEND) == before + 1


def test_with_three_attempts_a_limit_exceeded_is_still_sent_once(
    sandbox: Any, sandbox_info: Any, access_token: str, history: HistoryStore
) -> None:
    before = sandbox.control.request_count(SEND)
    sandbox.control.inject_fault(SEND, error_code="LimitExceededException", count=3)
    sent = _send(connect(sandbox_info, max_attempts=3), history, access_token)
    assert sent.error is not None and sent.error.code == "LimitExceededException"
    assert sent.error.attempts == 1
    assert sandbox.control.request_count(SEND) == before + 1
    assert [f["remaining"] for f in sandbox.control.faults()] == [2]


def _cli_send(info: Any, user: dict[str, Any], monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, Any]:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", user["password"])
    code, out, _ = run_cli(["send", *connection_args(info), "--username", user["username"],
                            "--attribute", "email", "--json", *extra])
    return code, json.loads(out)


def _cli_newest_row() -> dict[str, Any]:
    code, out, _ = run_cli(["history", "--json", "--limit", "1"])
    assert code == 0, out
    row: dict[str, Any] = json.loads(out)["records"][0]
    return row


def test_the_cli_with_three_attempts_retries_an_internal_error_and_reports_the_attempts(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control.inject_fault(SEND, error_code="InternalErrorException", count=2)
    before = sandbox.control.request_count(SEND)
    code, payload = _cli_send(sandbox_info, fresh_user, monkeypatch, "--attempts", "3")
    assert code == 0, payload
    assert payload["ok"] is True and payload["attempts"] == 3
    assert sandbox.control.request_count(SEND) == before + 3
    assert _cli_newest_row()["attempts"] == 3


def test_the_cli_reports_every_attempt_when_the_internal_error_persists(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control.inject_fault(SEND, error_code="InternalErrorException", count=5)
    before = sandbox.control.request_count(SEND)
    code, payload = _cli_send(sandbox_info, fresh_user, monkeypatch, "--attempts", "3")
    assert code == 1, payload
    assert (payload["error"]["code"], payload["error"]["http_status"]) == ("InternalErrorException", 500)
    assert payload["attempts"] == 3
    assert sandbox.control.request_count(SEND) == before + 3
    row = _cli_newest_row()
    assert (row["error_code"], row["attempts"]) == ("InternalErrorException", 3)


def test_the_cli_with_three_attempts_sends_a_limit_exceeded_once(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.control.inject_fault(SEND, error_code="LimitExceededException", count=3)
    before = sandbox.control.request_count(SEND)
    code, payload = _cli_send(sandbox_info, fresh_user, monkeypatch, "--attempts", "3")
    assert code == 1, payload
    assert payload["error"]["code"] == "LimitExceededException"
    assert payload["attempts"] == 1
    assert sandbox.control.request_count(SEND) == before + 1
    row = _cli_newest_row()
    assert (row["error_code"], row["attempts"]) == ("LimitExceededException", 1)
