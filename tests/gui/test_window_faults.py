"""Faults on the wire, sent from the real window: each is a clear catalogued error in the result view
within the profile's timeout, the window keeps running its timers and repainting meanwhile, and
history records the attempt. Throttling is retried only when the profile asks, and the attempts the
window shows are the requests the sandbox saw.

The window talks to the sandbox through `support.fault_proxy.FaultProxy` (or to a closed port, or to
a host that does not resolve); sign-in goes through the proxy while it still passes requests on.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.core.error_catalogue import INVALID_RESPONSE, NETWORK_ERROR, TIMEOUT, lookup
from app.core.history import HistoryFilter
from app.core.models import Outcome
from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.ui.window.main_window import MainWindow

from support.fault_proxy import Fault, FaultProxy
from support.sandbox_session import connect, signed_in
from support.window_driver import (
    PROFILE,
    SEND,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    save_sandbox_profile,
    sign_in,
    type_into,
    wait_result,
)

pytestmark = pytest.mark.gui

TIMEOUT_S = 1.0
HEARTBEAT_MS = 10
# "In time" is wait_result's own bound (WAIT_MS, far below a fault that never ends or drips for
# minutes); how long the main thread stalls during a send is measured by bench/, not here.


class Liveness(QObject):
    """A QTimer heartbeat and a count of paint events on the widgets it filters."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks: list[float] = []
        self.paints = 0
        self.timer = QTimer(self)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(time.monotonic()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False

    def beats(self, start: float, end: float) -> int:
        """Heartbeats in [start, end]: a GUI thread blocked by the call would have none."""
        return sum(1 for t in self.ticks if start <= t <= end)


@dataclass
class Sent:
    elapsed_s: float
    beats: int
    paints: int


def _send_and_watch(qtbot: QtBot, window: MainWindow) -> Sent:
    """Click Send and wait for the result, with a heartbeat running and paints of the elapsed label counted."""
    watch = Liveness()
    elapsed_label = window.request_panel.send_bar.elapsed
    elapsed_label.installEventFilter(watch)
    watch.timer.start()
    started = time.monotonic()
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "error")
    finished = time.monotonic()
    watch.timer.stop()
    elapsed_label.removeEventFilter(watch)
    return Sent(finished - started, watch.beats(started, finished), watch.paints)


def _assert_catalogued_error_shown(window: MainWindow, code: str, http_status: int | None) -> None:
    entry = lookup(code)
    assert label(window, "errorCodeLabel") == code
    assert label(window, "errorMessageLabel") not in ("", "(no message)")
    assert entry.explanation in label(window, "errorExplanationLabel")
    assert entry.next_step in label(window, "errorNextStepLabel")
    status = label(window, "errorHttpStatusLabel")
    assert status == (f"HTTP {http_status}" if http_status else "No HTTP response")
    assert "attempts 1" in label(window, "errorDetailsLabel")


def _assert_recorded(qtbot: QtBot, window: MainWindow, code: str, rows_before: int) -> None:
    newest = window.history_store.page(HistoryFilter(), limit=1)[0]
    assert (newest.outcome, newest.error_code, newest.attempts) == (Outcome.ERROR, code, 1)
    table = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == rows_before + 1)


def _save_profile(info: Any, endpoint_url: str) -> None:
    """A plain (not sandbox) profile on `endpoint_url` with 1 s timeouts: the window attaches no
    inbox, so every request through the proxy is one the test made."""
    ProfileStore(app_paths().profiles_file).save(Profile(
        name=PROFILE, region=info.region, client_id=info.client_id, endpoint_url=endpoint_url,
        user_pool_id=info.user_pool_id, read_timeout_s=TIMEOUT_S, connect_timeout_s=TIMEOUT_S,
    ))


@pytest.fixture(scope="module")
def proxy(sandbox: Any) -> Iterator[FaultProxy]:
    upstream = urlparse(sandbox.info.endpoint_url)
    assert upstream.hostname and upstream.port
    with FaultProxy(upstream.hostname, upstream.port) as running:
        yield running


@pytest.fixture
def proxied_window(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, proxy: FaultProxy,
    fresh_user: dict[str, str],
) -> Iterator[MainWindow]:
    """A window whose profile points at the proxy (1 s timeouts), signed in through it."""
    sandbox.control.clear_faults()
    proxy.mode = Fault.PASS
    _save_profile(sandbox.info, proxy.url)
    window = open_window(qtbot)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    yield window
    proxy.mode = Fault.PASS
    proxy.drip_interval_s = 0.05


@pytest.mark.parametrize(
    ("fault", "code", "http_status"),
    [
        (Fault.RESET, NETWORK_ERROR, None),
        (Fault.HTML_500, INVALID_RESPONSE, 500),
        (Fault.HTML_502, INVALID_RESPONSE, 502),
        (Fault.HTML_503, INVALID_RESPONSE, 503),
        (Fault.GARBAGE_JSON, INVALID_RESPONSE, None),
        (Fault.NEVER_ENDS, TIMEOUT, None),
        (Fault.SLOW_DRIP, TIMEOUT, None),
    ],
)
def test_each_wire_fault_is_a_catalogued_error_in_time_while_the_window_keeps_painting(
    qtbot: QtBot, proxied_window: MainWindow, proxy: FaultProxy, fault: Fault, code: str, http_status: int | None,
) -> None:
    window = proxied_window
    rows_before = find(window, QTableView, "historyTable").model().rowCount()
    proxy.mode = fault
    proxy.drip_interval_s = TIMEOUT_S * 1.5  # each byte later than the read timeout
    requests_before = proxy.requests

    sent = _send_and_watch(qtbot, window)

    assert proxy.requests == requests_before + 1  # sent once: faults are not retried by default
    _assert_catalogued_error_shown(window, code, http_status)
    if code == TIMEOUT:
        assert sent.elapsed_s >= TIMEOUT_S * 0.9
        assert sent.beats >= 3, f"{sent.beats} heartbeats in {sent.elapsed_s:.1f} s"
        assert sent.paints >= 3, f"the elapsed time repainted {sent.paints} times in {sent.elapsed_s:.1f} s"
    _assert_recorded(qtbot, window, code, rows_before)
    # The window is usable again: the fault gone, the next send succeeds.
    proxy.mode = Fault.PASS
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")


def test_a_drip_that_beats_each_read_timeout_is_cut_off_at_the_total_deadline(
    qtbot: QtBot, proxied_window: MainWindow, proxy: FaultProxy,
) -> None:
    window = proxied_window
    rows_before = find(window, QTableView, "historyTable").model().rowCount()
    proxy.mode = Fault.SLOW_DRIP
    proxy.drip_interval_s = TIMEOUT_S / 4  # every read in time; the whole answer would take minutes

    sent = _send_and_watch(qtbot, window)

    _assert_catalogued_error_shown(window, TIMEOUT, None)
    assert sent.elapsed_s >= TIMEOUT_S * 0.9, f"took {sent.elapsed_s:.1f} s"
    assert sent.beats >= 3, f"{sent.beats} heartbeats in {sent.elapsed_s:.1f} s"
    _assert_recorded(qtbot, window, TIMEOUT, rows_before)


def _paste_token_window(qtbot: QtBot, sandbox: Any, user: dict[str, str], endpoint_url: str) -> MainWindow:
    """A window on a profile whose endpoint cannot be reached, signed in by pasting an access token."""
    token = signed_in(connect(sandbox.info), user).access_token
    _save_profile(sandbox.info, endpoint_url)
    window = open_window(qtbot)
    type_into(qtbot, window, "accessTokenEdit", token)
    click(qtbot, window, "useTokenButton")
    qtbot.waitUntil(lambda: window.session.is_signed_in)  # GetUser cannot load: no attribute list
    pick_attribute(qtbot, window, "email")
    return window


def test_connection_refused_is_a_network_error(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    window = _paste_token_window(qtbot, sandbox, fresh_user, f"http://127.0.0.1:{closed_port}")
    rows_before = find(window, QTableView, "historyTable").model().rowCount()

    _send_and_watch(qtbot, window)

    _assert_catalogued_error_shown(window, NETWORK_ERROR, None)
    assert "refused" in label(window, "errorMessageLabel").lower()
    _assert_recorded(qtbot, window, NETWORK_ERROR, rows_before)


def test_a_host_that_does_not_resolve_is_a_dns_network_error(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str]
) -> None:
    window = _paste_token_window(qtbot, sandbox, fresh_user, "http://cognito.does-not-exist.invalid")
    rows_before = find(window, QTableView, "historyTable").model().rowCount()

    _send_and_watch(qtbot, window)

    _assert_catalogued_error_shown(window, NETWORK_ERROR, None)
    assert "DNS" in label(window, "errorMessageLabel")
    _assert_recorded(qtbot, window, NETWORK_ERROR, rows_before)


# --- throttling: retried only when asked, and the attempts shown are the real ones ------------------


# LimitExceededException is never retried (test_window_documented_errors.py).
@pytest.mark.parametrize("error_code", ["TooManyRequestsException"])
@pytest.mark.parametrize(
    ("max_attempts", "faults", "shown_attempts", "outcome"),
    [
        (1, 3, 1, "error"),  # the default: never retried
        (3, 2, 3, "success"),  # raised: retried until answered
        (3, 5, 3, "error"),  # raised: every attempt throttled
    ],
)
def test_the_attempts_shown_are_the_requests_the_sandbox_saw(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str],
    error_code: str, max_attempts: int, faults: int, shown_attempts: int, outcome: str,
) -> None:
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info, max_attempts=max_attempts)
    window = open_window(qtbot)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    sandbox.control.inject_fault(SEND, error_code=error_code, http_status=400, count=faults)
    before = sandbox.control.request_count(SEND)
    try:
        click(qtbot, window, "sendButton")
        wait_result(qtbot, window, outcome)
    finally:
        sandbox.control.clear_faults()

    assert sandbox.control.request_count(SEND) == before + shown_attempts
    if outcome == "success":
        assert label(window, "attemptsLabel") == str(shown_attempts)
    else:
        assert label(window, "errorCodeLabel") == error_code
        assert f"attempts {shown_attempts}" in label(window, "errorDetailsLabel")
    newest = window.history_store.page(HistoryFilter(), limit=1)[0]
    assert newest.attempts == shown_attempts
