"""The disk fills while a send is in flight: the result still reaches the tester, and history says
plainly that it could not record it, then records it as soon as the file takes it.

A real 2 MB tmpfs (mounted by the test, as root) holds VERIFYDESK_HOME; the sandbox holds the call
for a few seconds and the disk is filled halfway through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app.core.history import HistoryStore
from app.core.models import Outcome
from app.core.recording import send_recorded

from support.sandbox_session import connect, signed_in
from support.small_disk import fill, small_disk

pytestmark = pytest.mark.linux_only  # a tmpfs mount

REPO = Path(__file__).resolve().parents[2]
SEND = "GetUserAttributeVerificationCode"
IN_FLIGHT_S = 3.0


def _wait_at_sandbox(sandbox: Any, operation: str, baseline: int) -> None:
    """Until the call is at the sandbox (held there IN_FLIGHT_S): its row was begun before it left."""
    deadline = time.monotonic() + 30
    while sandbox.control.request_count(operation) == baseline:
        assert time.monotonic() < deadline, "the call never reached the sandbox"
        time.sleep(0.01)


def _fill_once_in_flight(sandbox: Any, disk: Path) -> threading.Thread:
    baseline = sandbox.control.request_count(SEND)
    filler = threading.Thread(target=lambda: (_wait_at_sandbox(sandbox, SEND, baseline), fill(disk)), daemon=True)
    filler.start()
    return filler


def test_a_send_whose_disk_fills_in_flight_returns_its_delivery_and_is_recorded_once_space_frees(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], tmp_path: Path,
) -> None:
    conn = connect(sandbox_info)
    token = signed_in(conn, fresh_user).access_token
    with small_disk(tmp_path / "disk") as disk, HistoryStore(disk / "data" / "history.sqlite3") as history:
        sandbox.control.inject_fault(SEND, delay_s=IN_FLIGHT_S)
        filler = _fill_once_in_flight(sandbox, disk)
        try:
            sent = send_recorded(conn, history, access_token=token, username=fresh_user["username"],
                                 attribute_name="email", client_metadata={})
        finally:
            sandbox.control.clear_faults()
        filler.join()
        assert sent.ok and sent.result is not None and sent.result.delivery is not None
        assert sent.history_problem is not None
        assert "full" in sent.history_problem and str(disk) in sent.history_problem
        assert history.unwritten == [sent.history_id]
        (disk / "filler.bin").unlink()
        assert history.flush_unwritten() == [sent.history_id]
        record = history.get(sent.history_id or -1)
    assert record is not None
    assert record.outcome is Outcome.SUCCESS
    assert record.delivery == sent.result.delivery


_CLI_CALLS = {
    "send": (SEND, ["send"]),
    "update-attribute": ("UpdateUserAttributes", ["update-attribute", "--value", "changed@example.com"]),
}


@pytest.mark.parametrize("command", sorted(_CLI_CALLS))
def test_the_cli_prints_the_delivery_and_says_the_attempt_could_not_be_recorded(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], tmp_path: Path, command: str,
) -> None:
    operation, words = _CLI_CALLS[command]
    token = signed_in(connect(sandbox_info), fresh_user).access_token
    with small_disk(tmp_path / "disk") as disk:
        env = {**os.environ, "VERIFYDESK_HOME": str(disk), "VERIFYDESK_ACCESS_TOKEN": token,
               "PYTHONPATH": str(REPO)}
        argv = [sys.executable, "-m", "app", *words, "--json", "--endpoint-url", sandbox_info.endpoint_url,
                "--region", sandbox_info.region, "--client-id", sandbox_info.client_id, "--attribute", "email"]
        baseline = sandbox.control.request_count(operation)
        sandbox.control.inject_fault(operation, delay_s=IN_FLIGHT_S)
        try:
            child = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
            _wait_at_sandbox(sandbox, operation, baseline)  # so its row was begun before the disk fills
            fill(disk)
            out, err = child.communicate(timeout=60)
        finally:
            sandbox.control.clear_faults()
    assert "Traceback" not in err, err
    assert child.returncode == 0, (out, err)
    payload = json.loads(out)
    assert payload["ok"] is True
    deliveries = payload.get("code_delivery_details_list") or [payload["code_delivery_details"]]
    assert [d["DeliveryMedium"] for d in deliveries] == ["EMAIL"]
    assert "could not record" in payload["history_problem"]
    assert err.count("Note: ") == 1 and "could not record" in err
