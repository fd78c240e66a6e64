"""`verifydesk send` stopped by Ctrl+C or SIGTERM, and on a nearly full disk, as real processes against
the sandbox: one line (or one JSON object), the right exit status, nothing sent that is not recorded."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli.parser import build_parser
from app.cli.run import run_command
from app.core.history import HistoryFilter, HistoryStore
from app.core.models import Outcome

from support.small_disk import small_disk as mount_small_disk

REPO = Path(__file__).resolve().parents[2]
SEND = "GetUserAttributeVerificationCode"
SIGN_IN = "InitiateAuth"
HELD_S = 20.0  # how long the sandbox holds the call: far longer than the test waits

pytestmark = [
    pytest.mark.usefixtures("sandbox"),
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and tmpfs"),
]


def _send_argv(info: Any, *extra: str) -> list[str]:
    return ["send", "--endpoint-url", info.endpoint_url, "--region", info.region,
            "--client-id", info.client_id, "--attribute", "email", *extra]


def _spawn(argv: list[str], home: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", *argv], cwd=REPO, text=True,
        env={**os.environ, "VERIFYDESK_HOME": str(home), "PYTHONPATH": str(REPO), **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _access_token(info: Any, user: dict[str, str]) -> str:
    import boto3

    client = boto3.client("cognito-idp", region_name=info.region, endpoint_url=info.endpoint_url,
                          aws_access_key_id="x", aws_secret_access_key="x")
    result = client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH", ClientId=info.client_id,
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]})
    token: str = result["AuthenticationResult"]["AccessToken"]
    return token


def _wait_for_request(sandbox: Any, operation: str, before: int, child: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while sandbox.control.request_count(operation) == before:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the call never reached the sandbox"
        time.sleep(0.05)


def _history(home: Path) -> list[Any]:
    with HistoryStore(home / "data" / "history.sqlite3") as store:
        return store.page(HistoryFilter(), limit=10)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
                         ids=["ctrl-c", "sigterm"])
def test_a_send_stopped_in_flight_says_cancelled_in_one_line_and_its_row_reads_interrupted(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], tmp_path: Path, signum: int, status: int
) -> None:
    home = tmp_path / "home"
    token = _access_token(sandbox_info, fresh_user)
    before = sandbox.control.request_count(SEND)
    sandbox.control.inject_fault(SEND, delay_s=HELD_S)
    try:
        child = _spawn(_send_argv(sandbox_info, "--json"), home, VERIFYDESK_ACCESS_TOKEN=token)
        _wait_for_request(sandbox, SEND, before, child)
        child.send_signal(signum)
        out, err = child.communicate(timeout=30)
    finally:
        sandbox.control.clear_faults()

    assert child.returncode == status, err
    assert err.count("\n") == 1 and "cancelled" in err and "Traceback" not in err, err
    payload = json.loads(out)
    assert (payload["ok"], payload["error"]["code"]) == (False, "Cancelled")
    rows = _history(home)
    assert [(r.id, r.outcome) for r in rows] == [(payload["history_id"], Outcome.INTERRUPTED)]


def test_ctrl_c_during_the_sign_in_says_cancelled_in_one_line_and_records_nothing(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    before = sandbox.control.request_count(SIGN_IN)
    sandbox.control.inject_fault(SIGN_IN, delay_s=HELD_S)
    try:
        child = _spawn(_send_argv(sandbox_info, "--username", fresh_user["username"]), home,
                       VERIFYDESK_PASSWORD=fresh_user["password"])
        _wait_for_request(sandbox, SIGN_IN, before, child)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        sandbox.control.clear_faults()

    assert child.returncode == 130, err
    assert (out, err) == ("", "verifydesk: cancelled (Ctrl+C).\n")
    assert _history(home) == []


# --- a nearly full disk -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs of our own (as root); skipped where mounting is not allowed, except on CI."""
    with mount_small_disk(tmp_path / "disk", "2m") as disk:
        yield disk


def _fill(disk: Path, leave: int) -> None:
    """Fill `disk` until about `leave` bytes are free."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave))
    stat = os.statvfs(disk)
    assert stat.f_bavail * stat.f_frsize <= leave + 8192


@pytest.mark.linux_only
def test_send_on_a_nearly_full_disk_is_one_json_error_naming_the_disk_before_anything_is_sent(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], small_disk: Path
) -> None:
    _fill(small_disk, 48 * 1024)
    home = small_disk / "home"
    before = {op: sandbox.control.request_count(op) for op in (SIGN_IN, SEND)}

    child = _spawn(_send_argv(sandbox_info, "--username", fresh_user["username"], "--json"), home,
                   VERIFYDESK_PASSWORD=fresh_user["password"])
    out, err = child.communicate(timeout=60)

    assert child.returncode == 2, err
    assert out.count("\n") == 1 and "Traceback" not in err, (out, err)
    error = json.loads(out)["error"]
    assert error["field"] == "VERIFYDESK_HOME"
    assert "full" in error["message"] and str(home) in error["message"]
    assert {op: sandbox.control.request_count(op) for op in before} == before


@pytest.mark.linux_only
def test_a_history_that_cannot_take_the_pending_row_stops_the_send_before_it_leaves(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], small_disk: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the free-space check (here turned off), the disk filling up under the history itself is the
    same error, and still nothing is sent."""
    monkeypatch.setattr("app.cli.home.MIN_FREE_BYTES", 0)
    home = small_disk / "home"
    monkeypatch.setenv("VERIFYDESK_HOME", str(home))
    monkeypatch.setenv("VERIFYDESK_ACCESS_TOKEN", _access_token(sandbox_info, fresh_user))
    with HistoryStore(home / "data" / "history.sqlite3"):
        pass  # the history exists; what is left is too little for the next row
    _fill(small_disk, 0)
    before = sandbox.control.request_count(SEND)

    out, err = io.StringIO(), io.StringIO()
    code = run_command(build_parser().parse_args(_send_argv(sandbox_info, "--json")),
                       stdin=io.StringIO(), stdout=out, stderr=err)

    assert code == 2, err.getvalue()
    error = json.loads(out.getvalue())["error"]
    assert error["field"] == "VERIFYDESK_HOME" and "full" in error["message"]
    assert sandbox.control.request_count(SEND) == before
