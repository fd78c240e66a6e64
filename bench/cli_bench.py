"""`verifydesk send --json` as a process, against a bare boto3 script and the AWS CLI making the same call."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.child import clean_env
from bench.report import Figure, interleaved_medians

BARE_SCRIPT = """
import os, boto3
from botocore import UNSIGNED
from botocore.config import Config
client = boto3.client("cognito-idp", region_name=os.environ["R"], endpoint_url=os.environ["U"],
                      config=Config(signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": 1}))
print(client.get_user_attribute_verification_code(AccessToken=os.environ["T"], AttributeName="email",
      ClientMetadata={"bench": "1"})["CodeDeliveryDetails"])
"""


def _sign_in(info: dict[str, Any]) -> tuple[str, str]:
    from app.core.auth import AuthFlow, sign_in_password
    from app.core.connection import CognitoConnection, ConnectionSettings
    from app.core.tokens import Tokens

    user = next(u for u in info["users"] if u["username"] == "alice")
    conn = CognitoConnection(ConnectionSettings(region=info["region"], client_id=info["client_id"],
                                                endpoint_url=info["endpoint_url"]))
    tokens = sign_in_password(conn, user["username"], user["password"], AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(tokens, Tokens)
    return tokens.access_token, user["username"]


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000


def per_send_costs(info: dict[str, Any], token: str, username: str, batches: tuple[int, ...]) -> list[str]:
    """In one process: the mean cost per send for batches of 1, 10 and 100 (must stay flat)."""
    from app.core.connection import CognitoConnection, ConnectionSettings
    from app.core.history import HistoryStore
    from app.core.recording import send_recorded

    lines = ["| sends in one process (core: send_recorded, history included) | ms per send (mean) |", "|---|---|"]
    conn = CognitoConnection(ConnectionSettings(region=info["region"], client_id=info["client_id"],
                                                endpoint_url=info["endpoint_url"]))
    with tempfile.TemporaryDirectory() as tmp, HistoryStore(Path(tmp) / "h.sqlite3") as history:
        send_recorded(conn, history, access_token=token, username=username, attribute_name="email", client_metadata={})
        for batch in batches:
            started = time.perf_counter()
            for _ in range(batch):
                sent = send_recorded(conn, history, access_token=token, username=username, attribute_name="email",
                                     client_metadata={"bench": "1"})
                assert sent.ok, sent.error
            lines.append(f"| {batch} | {(time.perf_counter() - started) * 1000 / batch:.2f} |")
    return lines


def awscli() -> str | None:
    """The `aws` command of this venv (the bench extra installs awscli), else one on PATH."""
    return shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


def run(info: dict[str, Any], *, repeat: int = 9, batches: tuple[int, ...] = (1, 10, 100)) -> tuple[list[Figure], list[str]]:
    """`verifydesk send --json` against a bare boto3 script and the AWS CLI, alternating runs."""
    with tempfile.TemporaryDirectory() as home:
        token, username = _sign_in(info)
        env = {**clean_env(), "VERIFYDESK_HOME": home, "VERIFYDESK_ACCESS_TOKEN": token,
               "R": info["region"], "U": info["endpoint_url"], "T": token,
               "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        ours = [sys.executable, "-m", "app", "send", "--endpoint-url", info["endpoint_url"], "--region", info["region"],
                "--client-id", info["client_id"], "--attribute", "email", "--metadata", "bench=1", "--json"]
        bare = [sys.executable, "-c", BARE_SCRIPT]
        _timed(ours, env)  # warm the disk cache and the history file
        _timed(bare, env)
        ours_ms, bare_ms = interleaved_medians(lambda: _timed(ours, env), lambda: _timed(bare, env), repeat=repeat)
        figures = [Figure("`verifydesk send --json` process", ours_ms, "ms", 1.15, baseline=bare_ms,
                          baseline_name="bare `python -c` boto3 script")]
        lines = [f"- CLI send vs bare boto3 script: {repeat} alternating runs each."]
        aws = awscli()
        if aws is None:
            lines.append("- awscli is not installed (`make bench` installs it with the bench extra): "
                         "the AWS CLI comparison was skipped.")
        else:
            command = [aws, "cognito-idp", "get-user-attribute-verification-code", "--access-token", token,
                       "--attribute-name", "email", "--client-metadata", "bench=1",
                       "--endpoint-url", info["endpoint_url"], "--region", info["region"], "--no-sign-request",
                       "--output", "json"]
            _timed(command, env)
            ours_ms2, aws_ms = interleaved_medians(lambda: _timed(ours, env), lambda: _timed(command, env),
                                                   repeat=repeat)
            figures.append(Figure("`verifydesk send --json` process", ours_ms2, "ms", 0.7, baseline=aws_ms,
                                  baseline_name="`aws cognito-idp get-user-attribute-verification-code`"))
            lines.append(f"- CLI send vs awscli ({aws}): {repeat} alternating runs each.")
        lines += ["", *per_send_costs(info, token, username, batches)]
    return figures, lines
