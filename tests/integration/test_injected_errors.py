"""Errors injected in the sandbox reach the caller typed, with the API reference's status and specific
guidance, and land in history; how faults are armed, used up, delayed and refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.calls import get_user, send_verification_code
from app.core.connection import CognitoConnection
from app.core.error_catalogue import TIMEOUT
from app.core.errors import ServiceError
from app.core.history import HistoryFilter, HistoryStore
from app.core.models import Outcome
from app.core.recording import send_recorded, verify_recorded
from app.sandbox import SandboxControlError

from support.documented_errors import (
    documented_errors,
    documented_status,
    model_error_codes,
    unknown_guidance,
)
from support.sandbox_session import connect, service_error, signed_in

SEND = "GetUserAttributeVerificationCode"


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox: Any) -> Iterator[None]:
    sandbox.control.clear_faults()
    yield
    sandbox.control.clear_faults()


@pytest.fixture
def conn(sandbox_info: Any) -> CognitoConnection:
    return connect(sandbox_info)


@pytest.fixture
def access_token(conn: CognitoConnection, fresh_user: dict[str, Any]) -> str:
    return signed_in(conn, fresh_user).access_token


@pytest.fixture
def history(verifydesk_home: Path) -> Iterator[HistoryStore]:
    with HistoryStore(verifydesk_home / "history.sqlite3") as store:
        yield store


@pytest.mark.parametrize("error_code", documented_errors())
def test_each_documented_error_reaches_the_caller_with_specific_guidance_and_a_history_row(
    sandbox: Any, conn: CognitoConnection, access_token: str, history: HistoryStore, error_code: str
) -> None:
    assert error_code in model_error_codes(), f"botocore's model does not list {error_code} for {SEND}"
    status = documented_status(error_code)
    before = sandbox.control.request_count(SEND)
    sandbox.control.inject_fault(SEND, error_code=error_code)
    sent = send_recorded(
        conn, history, access_token=access_token, username="u", attribute_name="email",
        client_metadata={"case": error_code},
    )
    assert sent.error is not None
    assert (sent.error.code, sent.error.http_status) == (error_code, status)
    assert sent.error.message
    assert sent.error.request_id
    assert sent.error.entry.code == error_code  # a catalogued entry, not the unknown-error fallback
    assert sent.error.guidance and sent.error.guidance != unknown_guidance()
    assert sandbox.control.request_count(SEND) == before + 1
    row = history.get(sent.history_id or -1)
    assert row is not None
    assert (row.outcome, row.error_code, row.http_status) == (Outcome.ERROR, error_code, status)
    assert row.request_id == sent.error.request_id
    assert history.count(HistoryFilter(error_code=error_code)) == 1


def test_a_fault_is_used_up_after_count_calls(sandbox: Any, conn: CognitoConnection, access_token: str) -> None:
    sandbox.control.inject_fault(SEND, error_code="CodeDeliveryFailureException", count=2)
    codes = []
    for _ in range(3):
        try:
            send_verification_code(conn, access_token, "email")
            codes.append("ok")
        except ServiceError as error:
            codes.append(error.code)
    assert codes == ["CodeDeliveryFailureException", "CodeDeliveryFailureException", "ok"]
    assert sandbox.control.faults() == []


def test_a_fault_only_hits_its_own_operation(sandbox: Any, conn: CognitoConnection, access_token: str) -> None:
    sandbox.control.inject_fault("VerifyUserAttribute", error_code="InternalErrorException")
    assert send_verification_code(conn, access_token, "email").delivery is not None
    verified = verify_recorded(
        conn, None, access_token=access_token, username=None, attribute_name="email", code="123456"
    )
    assert verified.error is not None and verified.error.code == "InternalErrorException"


def test_a_wildcard_fault_hits_any_operation(sandbox: Any, conn: CognitoConnection, access_token: str) -> None:
    sandbox.control.inject_fault("*", error_code="TooManyRequestsException", message="Slow down, tester.")
    error = service_error(get_user, conn, access_token)
    assert (error.code, error.message) == ("TooManyRequestsException", "Slow down, tester.")
    assert get_user(conn, access_token).attribute("email") is not None


def test_a_custom_status_is_answered(sandbox: Any, conn: CognitoConnection, access_token: str) -> None:
    sandbox.control.inject_fault(SEND, error_code="ThrottlingException", http_status=429)
    error = service_error(send_verification_code, conn, access_token, "email")
    assert (error.code, error.http_status) == ("ThrottlingException", 429)
    assert error.entry.code == "Throttling"


def test_a_delay_slows_the_call_but_it_still_succeeds(
    sandbox: Any, conn: CognitoConnection, access_token: str
) -> None:
    sandbox.control.inject_fault(SEND, delay_s=0.6)
    started = time.perf_counter()
    result = send_verification_code(conn, access_token, "email")
    assert time.perf_counter() - started >= 0.6
    assert result.latency_ms >= 600
    assert result.delivery is not None


def test_a_delay_longer_than_the_read_timeout_is_a_timeout(
    sandbox: Any, sandbox_info: Any, access_token: str, history: HistoryStore
) -> None:
    slow = connect(sandbox_info, read_timeout_s=0.5)
    sandbox.control.inject_fault(SEND, delay_s=1.5)
    sent = send_recorded(slow, history, access_token=access_token, username="u", attribute_name="email",
                         client_metadata={})
    assert sent.error is not None and sent.error.code == TIMEOUT
    row = history.get(sent.history_id or -1)
    assert row is not None and row.error_code == TIMEOUT


def test_a_delayed_error_arrives_late_and_typed(sandbox: Any, conn: CognitoConnection, access_token: str) -> None:
    sandbox.control.inject_fault(SEND, error_code="InternalErrorException", delay_s=0.3)
    started = time.perf_counter()
    error = service_error(send_verification_code, conn, access_token, "email")
    assert error.code == "InternalErrorException"
    assert time.perf_counter() - started >= 0.3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"operation": "Get User", "error_code": "LimitExceededException"}, "operation"),
        ({"operation": SEND, "error_code": "Not-A-Code"}, "error_code"),
        ({"operation": SEND, "error_code": "NetworkError"}, "error_code"),
        ({"operation": SEND, "error_code": "LimitExceededException", "count": 0}, "count"),
        ({"operation": SEND, "delay_s": -1}, "delay_s"),
        ({"operation": SEND}, "error_code or delay_s"),
        ({"operation": SEND, "error_code": "LimitExceededException", "http_status": 99}, "http_status"),
    ],
)
def test_a_fault_that_cannot_be_injected_is_refused_naming_the_value(
    sandbox: Any, kwargs: dict[str, Any], field: str
) -> None:
    operation = kwargs.pop("operation")
    with pytest.raises(SandboxControlError) as caught:
        sandbox.control.inject_fault(operation, **kwargs)
    assert caught.value.status == 400
    assert str(caught.value).startswith(f"{field}:")
    assert sandbox.control.faults() == []
