"""Faults on the wire between the app and the sandbox: each is a clear catalogued error, in time, in history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from app.core.auth import AuthFlow, sign_in_password
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.error_catalogue import INVALID_RESPONSE, NETWORK_ERROR, TIMEOUT, lookup
from app.core.history import HistoryFilter, HistoryStore
from app.core.models import UPDATE_OPERATION, Outcome
from app.core.recording import send_recorded, update_recorded
from app.core.tokens import Tokens

from support.fault_proxy import Fault, FaultProxy

READ_TIMEOUT_S = 1.0
# The faults never end or drip for minutes: ending well under this proves the timeouts applied, with
# room for a loaded machine (how long a timeout takes beyond its setting is not a pass/fail figure).
BOUND_S = 30.0
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def proxy(sandbox: Any) -> Iterator[FaultProxy]:
    upstream = urlparse(sandbox.info.endpoint_url)
    assert upstream.hostname and upstream.port
    with FaultProxy(upstream.hostname, upstream.port) as running:
        yield running


@pytest.fixture
def access_token(sandbox_info: Any, fresh_user: dict[str, str]) -> str:
    direct = CognitoConnection(ConnectionSettings(
        region=sandbox_info.region, client_id=sandbox_info.client_id, endpoint_url=sandbox_info.endpoint_url,
    ))
    tokens = sign_in_password(direct, fresh_user["username"], fresh_user["password"], AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(tokens, Tokens)
    return tokens.access_token


def _through(proxy: FaultProxy, sandbox_info: Any, **changes: Any) -> CognitoConnection:
    return CognitoConnection(ConnectionSettings(
        region=sandbox_info.region, client_id=sandbox_info.client_id, endpoint_url=proxy.url,
        connect_timeout_s=READ_TIMEOUT_S, read_timeout_s=READ_TIMEOUT_S, **changes,
    ))


@pytest.mark.parametrize(
    ("fault", "expected_code", "expected_status"),
    [
        (Fault.RESET, NETWORK_ERROR, None),
        (Fault.CLOSE_EMPTY, NETWORK_ERROR, None),
        (Fault.HTML_500, INVALID_RESPONSE, 500),
        (Fault.HTML_502, INVALID_RESPONSE, 502),
        (Fault.HTML_503, INVALID_RESPONSE, 503),
        (Fault.GARBAGE_JSON, INVALID_RESPONSE, None),
        (Fault.NEVER_ENDS, TIMEOUT, None),
    ],
)
def test_each_wire_fault_is_a_catalogued_error_within_the_timeout_and_recorded(
    proxy: FaultProxy, sandbox_info: Any, access_token: str, verifydesk_home: Any,
    fault: Fault, expected_code: str, expected_status: int | None,
) -> None:
    proxy.mode = fault
    conn = _through(proxy, sandbox_info)
    with HistoryStore(verifydesk_home / "history.sqlite3") as history:
        started = time.perf_counter()
        sent = send_recorded(
            conn, history, access_token=access_token, username="u", attribute_name="email",
            client_metadata={"fault": fault.value},
        )
        elapsed = time.perf_counter() - started
        assert sent.error is not None
        assert sent.error.code == expected_code
        assert sent.error.http_status == expected_status
        assert lookup(sent.error.code).next_step
        assert elapsed < BOUND_S
        record = history.get(sent.history_id or -1)
        assert record is not None
        assert record.outcome is Outcome.ERROR
        assert record.error_code == expected_code
        assert history.count(HistoryFilter(error_code=expected_code)) == 1


def test_a_slow_drip_slower_than_the_read_timeout_times_out(
    proxy: FaultProxy, sandbox_info: Any, access_token: str
) -> None:
    proxy.mode = Fault.SLOW_DRIP
    proxy.drip_interval_s = READ_TIMEOUT_S * 1.5
    started = time.perf_counter()
    sent = send_recorded(
        _through(proxy, sandbox_info), None, access_token=access_token, username="u",
        attribute_name="email", client_metadata={},
    )
    assert sent.error is not None and sent.error.code == TIMEOUT
    assert time.perf_counter() - started < BOUND_S


def _proxy_workers() -> set[threading.Thread]:
    """The fault proxy's threads still serving a connection (named after their target, `_handle`)."""
    return {thread for thread in threading.enumerate() if thread.name.endswith("(_handle)")}


def test_a_drip_that_beats_each_read_timeout_is_still_cut_off_at_the_total_deadline(
    proxy: FaultProxy, sandbox_info: Any, access_token: str, verifydesk_home: Any,
) -> None:
    proxy.mode = Fault.SLOW_DRIP
    proxy.drip_interval_s = READ_TIMEOUT_S / 4  # every read in time; the whole answer takes minutes
    earlier = _proxy_workers()  # e.g. a never-ending answer of another test, still holding on
    with HistoryStore(verifydesk_home / "history.sqlite3") as history:
        started = time.perf_counter()
        sent = send_recorded(_through(proxy, sandbox_info), history, access_token=access_token, username="u",
                             attribute_name="email", client_metadata={})
        elapsed = time.perf_counter() - started
        record = history.get(sent.history_id or -1)
    assert sent.error is not None and sent.error.code == TIMEOUT
    assert READ_TIMEOUT_S * 0.9 <= elapsed < BOUND_S
    assert record is not None and (record.outcome, record.error_code) == (Outcome.ERROR, TIMEOUT)
    # The call does not linger with the server: its socket was shut down, so the dripping ends too.
    deadline = time.monotonic() + 2
    while _proxy_workers() - earlier and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _proxy_workers() - earlier


def test_an_attribute_update_dripping_in_time_is_cut_off_at_the_total_deadline_and_recorded(
    proxy: FaultProxy, sandbox_info: Any, access_token: str, verifydesk_home: Any,
) -> None:
    proxy.mode = Fault.SLOW_DRIP
    proxy.drip_interval_s = READ_TIMEOUT_S / 4
    with HistoryStore(verifydesk_home / "history.sqlite3") as history:
        started = time.perf_counter()
        updated = update_recorded(
            _through(proxy, sandbox_info), history, access_token=access_token, username="u",
            attribute_name="email", new_value="new@example.com", client_metadata={},
            old_value="old@example.com", check_with_get_user=False)
        elapsed = time.perf_counter() - started
        record = history.get(updated.history_id or -1)
    assert updated.error is not None and updated.error.code == TIMEOUT
    assert READ_TIMEOUT_S * 0.9 <= elapsed < BOUND_S
    assert record is not None
    assert (record.operation, record.outcome, record.error_code) == (UPDATE_OPERATION, Outcome.ERROR, TIMEOUT)


def test_cli_timeout_bounds_the_whole_call_against_a_never_ending_drip(
    proxy: FaultProxy, sandbox_info: Any, access_token: str, verifydesk_home: Any,
) -> None:
    proxy.mode = Fault.SLOW_DRIP
    proxy.drip_interval_s = 0.5
    env = {**os.environ, "VERIFYDESK_HOME": str(verifydesk_home), "VERIFYDESK_ACCESS_TOKEN": access_token,
           "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-m", "app", "send", "--json", "--timeout", "2", "--endpoint-url", proxy.url,
            "--region", sandbox_info.region, "--client-id", sandbox_info.client_id, "--attribute", "email"]
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)
    elapsed = time.perf_counter() - started
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["error"]["code"] == TIMEOUT
    assert elapsed < BOUND_S  # the 2 s deadline applied: the drip itself lasts minutes


def test_a_slow_drip_within_the_timeout_still_succeeds(
    proxy: FaultProxy, sandbox_info: Any, access_token: str
) -> None:
    proxy.mode = Fault.SLOW_DRIP
    proxy.drip_interval_s = 0.001  # the whole answer well within the call's total deadline
    sent = send_recorded(
        _through(proxy, sandbox_info), None, access_token=access_token, username="u",
        attribute_name="email", client_metadata={},
    )
    assert sent.error is None, sent.error
    assert sent.result is not None and sent.result.delivery is not None


def test_connection_refused_is_a_network_error(sandbox_info: Any, access_token: str) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    conn = CognitoConnection(ConnectionSettings(
        region=sandbox_info.region, client_id=sandbox_info.client_id,
        endpoint_url=f"http://127.0.0.1:{closed_port}", connect_timeout_s=READ_TIMEOUT_S,
    ))
    sent = send_recorded(conn, None, access_token=access_token, username="u", attribute_name="email",
                         client_metadata={})
    assert sent.error is not None and sent.error.code == NETWORK_ERROR
    assert "refused" in sent.error.message.lower()


def test_an_unknown_host_is_a_dns_network_error(sandbox_info: Any, access_token: str) -> None:
    conn = CognitoConnection(ConnectionSettings(
        region=sandbox_info.region, client_id=sandbox_info.client_id,
        endpoint_url="http://cognito.does-not-exist.invalid", connect_timeout_s=READ_TIMEOUT_S,
    ))
    started = time.perf_counter()
    sent = send_recorded(conn, None, access_token=access_token, username="u", attribute_name="email",
                         client_metadata={})
    assert sent.error is not None and sent.error.code == NETWORK_ERROR
    assert "DNS" in sent.error.message
    assert time.perf_counter() - started < 10


@pytest.fixture(autouse=True)
def _back_to_pass(proxy: FaultProxy) -> Iterator[None]:
    yield
    proxy.mode = Fault.PASS
    proxy.drip_interval_s = 0.05
