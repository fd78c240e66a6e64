"""The real entry points in a child process: `verifydesk --sandbox` opens the window on its own
pool with a profile and the inbox, and the startup path never imports boto3."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore

pytestmark = pytest.mark.gui
PROBE = Path(__file__).resolve().parents[1] / "support" / "window_probe.py"


def _probe(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(PROBE), *args], capture_output=True, text=True, timeout=120,
                          check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    report: dict[str, Any] = json.loads(lines[-1].removeprefix("PROBE "))
    return report


def test_verifydesk_sandbox_opens_the_window_on_its_pool_with_a_profile_and_the_inbox() -> None:
    report = _probe("cli", "--sandbox")
    assert report["ready"] and report["exit_code"] == 0
    assert report["profile"] == "Sandbox" and report["endpoint"].startswith("http://127.0.0.1:")
    assert report["inbox_visible"] and report["inbox_status"].startswith(f"Sandbox at {report['endpoint']}")
    assert report["sandbox_users"] >= 3 and report["username"]  # seeded users, the first one filled in
    saved = ProfileStore(app_paths().profiles_file).get("Sandbox")
    assert saved is not None and saved.sandbox and saved.endpoint_url == report["endpoint"]


def test_a_first_start_without_a_profile_opens_with_history_in_front() -> None:
    report = _probe("cli")
    assert report["ready"] and report["exit_code"] == 0 and report["profile"] in ("", None)
    assert report["front_tabs"] == ["historyDock"] and report["empty_front_tabs"] == []


def test_startup_path_does_not_import_boto3_until_the_first_call_needs_a_client() -> None:
    ProfileStore(app_paths().ensure().profiles_file).save(
        Profile(name="Staging", region="eu-west-1", client_id="1example23456789"))
    report = _probe("startup")
    nothing = {"boto3": False, "botocore": False, "moto": False, "pycognito": False}
    assert report["connected"]  # the saved profile was connected (lazily: no client yet)
    assert report["shown"] == nothing
    assert report["settled"] == nothing
    assert report["after_client"]["boto3"]  # the probe notices
