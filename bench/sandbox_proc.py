"""`verifydesk sandbox` in its own process, as a tester runs it: the server never shares a GIL with
what is measured."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.sandbox.control import SandboxControl
from bench.child import clean_env


@contextmanager
def sandbox_process() -> Iterator[dict[str, Any]]:
    """Start the sandbox, yield its info (the JSON line it prints), stop it."""
    proc = subprocess.Popen([sys.executable, "-m", "app", "sandbox"], stdout=subprocess.PIPE, env=clean_env(),
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox process exited with {proc.wait()} before printing its info")
        info = json.loads(line)
        SandboxControl(info["endpoint_url"]).set_code_rate(None)  # batches of 100 sends to one user
        yield info
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
