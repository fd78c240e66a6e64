"""Run one GUI scenario (bench.gui_child) in a fresh offscreen process and read its JSON result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any


def clean_env() -> dict[str, str]:
    """This environment, offscreen, without a developer's AWS settings (retry modes, endpoints), and
    with bytecode caching on: an installed app starts from .pyc files, so measured processes do too
    (PYTHONDONTWRITEBYTECODE would make every start recompile VerifyDesk's sources, ~100 ms)."""
    dropped = ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_ENDPOINT_URL", "AWS_PROFILE", "PYTHONDONTWRITEBYTECODE")
    env = {key: value for key, value in os.environ.items()
           if key not in dropped and not key.startswith("AWS_ENDPOINT_URL_")}
    env.update(QT_QPA_PLATFORM="offscreen", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return env


def gui_child(scenario: str, args: dict[str, Any], env: dict[str, str] | None = None, *,
              module: str = "bench.gui_child") -> dict[str, Any]:
    """Run one scenario of bench.gui_child (or of another `module` taking `SCENARIO JSON` alike) in
    a fresh process with its own VERIFYDESK_HOME."""
    with tempfile.TemporaryDirectory() as home:
        out = subprocess.run([sys.executable, "-m", module, scenario, json.dumps(args)],
                             env={**clean_env(), "VERIFYDESK_HOME": home, **(env or {})},
                             capture_output=True, text=True, timeout=900, check=False)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{module} {scenario} failed (exit {out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]
