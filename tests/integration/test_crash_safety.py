"""Crash safety: `verifydesk send` processes SIGKILLed at random moments never lose or corrupt history.

Every attempt that reached the server was written to history before it was sent, so after any kill the
history opens, passes `PRAGMA integrity_check`, holds at least one row per request the sandbox saw, and
shows no row as still pending (a dead process's rows read as interrupted).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app.core.auth import AuthFlow, sign_in_password
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.history import HistoryFilter, HistoryStore
from app.core.models import Outcome
from app.core.tokens import Tokens

REPO = Path(__file__).resolve().parents[2]
OPERATION = "GetUserAttributeVerificationCode"
KILLS = 100
PARALLEL = 4
IN_FLIGHT_S = 0.4

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL"),
]


def _access_token(info: Any, user: dict[str, str]) -> str:
    settings = ConnectionSettings(
        region=info.region, client_id=info.client_id, endpoint_url=info.endpoint_url
    )
    step = sign_in_password(
        CognitoConnection(settings), user["username"], user["password"], AuthFlow.USER_PASSWORD_AUTH
    )
    assert isinstance(step, Tokens)
    return step.access_token


def _spawn_send(info: Any, home: Path, token: str, index: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VERIFYDESK_HOME": str(home),
        "VERIFYDESK_ACCESS_TOKEN": token,
        "PYTHONPATH": str(REPO),
    }
    argv = [
        sys.executable, "-m", "app", "send", "--json", "--endpoint-url", info.endpoint_url,
        "--region", info.region, "--client-id", info.client_id, "--attribute", "email",
        "--metadata", f"kill={index}",
    ]
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _full_run_seconds(info: Any, home: Path, token: str) -> float:
    started = time.perf_counter()
    child = _spawn_send(info, home, token, -1)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, (out, err)
    assert json.loads(out)["ok"] is True
    return time.perf_counter() - started


def _assert_history_sound(home: Path, requests_seen: int, processes: int) -> None:
    with HistoryStore(home / "data" / "history.sqlite3") as store:
        assert store.recovered_from is None
        assert store.check_integrity() == []
        rows = store.page(HistoryFilter(), limit=processes + 10)
    assert not [r.id for r in rows if r.outcome is Outcome.PENDING]
    # A request can only reach the server after its row was written.
    assert len(rows) >= requests_seen
    assert len(rows) <= processes


def test_sends_killed_at_random_moments_leave_a_sound_history_with_every_attempt(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    token = _access_token(sandbox_info, fresh_user)
    baseline = sandbox.control.request_count(OPERATION)
    # The server holds every call for a moment, so a good share of the kills land while a request is in
    # flight (its row pending); without it the call takes a few milliseconds and almost none would.
    sandbox.control.inject_fault(OPERATION, delay_s=IN_FLIGHT_S, count=KILLS + 1)
    try:
        _kill_sends_at_random_moments(sandbox, sandbox_info, home, token, baseline)
    finally:
        sandbox.control.clear_faults()


def _kill_sends_at_random_moments(
    sandbox: Any, sandbox_info: Any, home: Path, token: str, baseline: int
) -> None:
    full = _full_run_seconds(sandbox_info, home, token)
    rng = random.Random(20261123)
    spawned = 1
    killed_mid_flight = 0

    for _ in range(KILLS // PARALLEL):
        batch = [_spawn_send(sandbox_info, home, token, spawned + i) for i in range(PARALLEL)]
        spawned += PARALLEL
        deadlines = sorted(rng.uniform(0.05, full * 1.3) for _ in batch)
        start = time.perf_counter()
        for child, deadline in zip(batch, deadlines, strict=True):
            time.sleep(max(0.0, deadline - (time.perf_counter() - start)))
            if child.poll() is None:
                killed_mid_flight += 1
            child.send_signal(signal.SIGKILL)
        for child in batch:
            child.communicate(timeout=60)
        seen = sandbox.control.request_count(OPERATION) - baseline
        _assert_history_sound(home, seen, spawned)

    # The random moments must actually land inside running processes, or this proves nothing.
    assert killed_mid_flight >= KILLS // 2
    with HistoryStore(home / "data" / "history.sqlite3") as store:
        outcomes = {r.outcome for r in store.page(HistoryFilter(), limit=spawned + 10)}
    assert Outcome.INTERRUPTED in outcomes
