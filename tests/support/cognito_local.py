"""cognito-local (the pinned npm peer in tests/peers) as a process for one test, always stopped.

It reads `./.cognito/config.json` from its working directory; the helper writes one that sends the
Custom Message trigger to a Lambda-Invoke endpoint. DEBUG is never set (it logs passwords).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.prerequisites import require_commands

PEERS = Path(__file__).resolve().parents[1] / "peers"
BIN = PEERS / "node_modules" / ".bin" / "cognito-local"


def require_node() -> None:
    """Skip without node on a developer machine; under CI a missing node is a failure."""
    require_commands("node", "npm", install="apt-get install nodejs npm")


def install() -> None:
    """`sh tests/peers/install.sh`: fast when the pinned version is installed already."""
    done = subprocess.run(["sh", str(PEERS / "install.sh")], capture_output=True, text=True, timeout=600,
                          check=False)
    if done.returncode != 0 or not BIN.exists():
        pytest.fail(f"tests/peers/install.sh failed ({done.returncode}): {done.stderr.strip()[-800:]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class CognitoLocal:
    endpoint_url: str
    workdir: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        log = self.workdir / "cognito-local.log"
        return log.read_text("utf-8", "replace") if log.exists() else ""


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"cognito-local exited with {process.returncode}: {log.read_text('utf-8', 'replace')}")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"cognito-local did not listen on {port} within {deadline_s:g} s: "
                f"{log.read_text('utf-8', 'replace')[-2000:]}")


@contextmanager
def cognito_local(workdir: Path, *, lambda_endpoint: str, custom_message_function: str) -> Iterator[CognitoLocal]:
    """Run cognito-local in `workdir` with the CustomMessage trigger at `lambda_endpoint`."""
    config_dir = workdir / ".cognito"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.json").write_text(json.dumps({
        "LambdaClient": {
            "endpoint": lambda_endpoint, "region": "us-east-1",
            "credentials": {"accessKeyId": "local", "secretAccessKey": "local"},
        },
        "TriggerFunctions": {"CustomMessage": custom_message_function},
    }), "utf-8")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update({"PORT": str(port), "HOST": "127.0.0.1"})
    env.pop("CODE", None)  # a random code, so the test must read it from the data dir
    log_path = workdir / "cognito-local.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(BIN)], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, process, log_path, 60.0)
        yield CognitoLocal(f"http://127.0.0.1:{port}", workdir, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
