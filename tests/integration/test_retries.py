"""Retries are pinned: one send by default; with more attempts botocore retries and the result says how many."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.connection import CognitoConnection
from app.core.history import HistoryStore
from app.core.recording import send_recorded

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


@pytest.mark.parametrize("error_code", ["LimitExceededException", "TooManyRequestsException", "InternalErrorException"])
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
