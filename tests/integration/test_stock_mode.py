"""The app works with every runtime patch off (VERIFYDESK_STOCK=1), so the stock behaviour of each
patched library stays one variable away: sign-in (SRP), send and verify through the CLI and through
the window, each in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.paths import app_paths

ROOT = Path(__file__).resolve().parents[2]
WINDOW_TEST = ROOT / "tests" / "gui" / "stock_mode_window.py"


def _stock_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "VERIFYDESK_STOCK": "1", **extra}


def _cli(argv: list[str], env: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run([sys.executable, "-m", "app", *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}, done.stderr


def test_cli_signs_in_with_srp_sends_and_verifies_with_every_patch_off(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str]
) -> None:
    env = _stock_env(VERIFYDESK_PASSWORD=fresh_user["password"])
    base = [
        "--endpoint-url", sandbox_info.endpoint_url, "--region", sandbox_info.region,
        "--client-id", sandbox_info.client_id, "--user-pool-id", sandbox_info.user_pool_id,
        "--auth-flow", "USER_SRP_AUTH", "--username", fresh_user["username"], "--attribute", "email", "--json",
    ]
    code, sent, err = _cli(["send", *base], env)
    assert code == 0, (sent, err)
    assert sent["ok"] is True and sent["code_delivery_details"]["DeliveryMedium"] == "EMAIL"

    verification = sandbox.control.latest_code(fresh_user["username"], "email")
    code, verified, err = _cli(["verify", *base, "--code", verification], env)
    assert code == 0, (verified, err)
    assert verified["ok"] is True

    log = app_paths().log_file.read_text(encoding="utf-8")
    for patch in ("botocore shared lean data loader", "pycognito.aws_srp without its package"):
        assert f"runtime patch {patch!r} not applied, VERIFYDESK_STOCK=1" in log, log


@pytest.mark.gui
def test_window_signs_in_sends_and_verifies_with_every_patch_off(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(WINDOW_TEST), "-q", "-p", "no:cacheprovider",
         f"--basetemp={tmp_path / 'inner'}"],
        cwd=ROOT, env=_stock_env(), capture_output=True, text=True, timeout=280, check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout, done.stdout[-4000:]
