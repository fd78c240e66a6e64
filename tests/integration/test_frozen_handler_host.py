"""A frozen build without a Python on PATH runs trigger files through its own entry point.

`python -m app --verifydesk-handler-host MODE` is what the built app runs as
`verifydesk --verifydesk-handler-host MODE` (same `app/__main__.py`); these tests drive it with the
request the sandbox sends and check the answer is the handler host's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.sandbox import lambda_invoke
from app.sandbox.lambda_invoke import HOST_FLAG, run_handler_file

TRIGGERS = Path(__file__).resolve().parents[1] / "support" / "triggers"
ROOT = Path(__file__).resolve().parents[2]


def _event() -> dict[str, object]:
    return {
        "version": "1", "triggerSource": "CustomMessage_VerifyUserAttribute", "userName": "alice",
        "request": {"userAttributes": {"email": "a@example.com"}, "codeParameter": "{####}",
                    "clientMetadata": {"k": "v"}},
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }


def test_the_app_entry_point_invokes_a_handler_file_as_the_handler_host_does() -> None:
    request = {"file": str(TRIGGERS / "echo.py"), "handler": "handler", "event": _event(),
               "request_id": "req-1", "function_name": "fn", "region": "us-east-1",
               "account_id": "123456789012", "memory_mb": 128, "timeout_s": 3.0, "log_stream": "s"}
    done = subprocess.run(
        [sys.executable, "-m", "app", HOST_FLAG, "invoke"], input=json.dumps(request).encode(),
        capture_output=True, cwd=ROOT, timeout=60, check=True,
    )
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert result["ok"] is True
    returned = json.loads(result["payload_json"])
    assert "{####}" in returned["response"]["emailMessage"]
    assert '"k": "v"' in returned["response"]["emailMessage"]
    assert "ECHO event" in done.stderr.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in launcher is a shell script")
def test_a_frozen_build_without_python_on_path_hosts_handlers_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """Simulate the frozen app: sys.executable is a launcher that runs `python -m app "$@"`."""
    launcher = tmp_path / "verifydesk"
    launcher.write_text(f'#!/bin/sh\ncd "{ROOT}" && exec "{sys.executable}" -m app "$@"\n')
    launcher.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(launcher))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv(lambda_invoke.PYTHON_ENV, raising=False)

    result = run_handler_file(TRIGGERS / "echo.py", "handler", _event(), function_name="fn", timeout_s=30.0)

    assert result.function_error is None, result
    assert isinstance(result.payload, dict)
    assert "{####}" in result.payload["response"]["emailMessage"]
