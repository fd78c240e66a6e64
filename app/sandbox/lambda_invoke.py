"""Running a Lambda function as Lambda does: a local handler file in a child Python process
(`handler_host.py`, loaded fresh on every invocation), or a Lambda-Invoke endpoint; the result and
its Lambda-style log lines (START, the output, END, REPORT)."""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

COGNITO_TIMEOUT_S = 5.0
"""Cognito waits this long for a trigger."""
MEMORY_SIZE_MB = 128
ACCOUNT_ID = "123456789012"
PYTHON_ENV = "VERIFYDESK_TRIGGER_PYTHON"
"""The Python that runs handler files (default: this one; `python3` on PATH in a frozen build)."""
MAX_LOG_LINES = 5000
MAX_LINE_CHARS = 256 * 1024
HOST_SCRIPT = Path(__file__).with_name("handler_host.py")
HOST_FLAG = "--verifydesk-handler-host"
"""argv[1] that makes a frozen build act as the handler host (see app/__main__.py)."""


def _host_command(mode: str) -> list[str]:
    """How to start the handler host: the configured Python, this one, or in a frozen build the
    Python on PATH (where a developer's trigger dependencies live), else the bundle itself."""
    configured = os.environ.get(PYTHON_ENV)
    if configured:
        return [configured, "-u", str(HOST_SCRIPT), mode]
    if not getattr(sys, "frozen", False):
        return [sys.executable, "-u", str(HOST_SCRIPT), mode]
    found = shutil.which("python3") or shutil.which("python")
    if found is not None and HOST_SCRIPT.is_file():
        return [found, "-u", str(HOST_SCRIPT), mode]
    return [sys.executable, HOST_FLAG, mode]



@dataclass(frozen=True)
class LambdaResult:
    """One Lambda invocation as the Invoke API reports it.

    `payload` is the parsed answer (the handler's return value, or Lambda's error object when
    `function_error` is set). `failure` says why there is no answer at all (unreachable, timed out,
    not JSON); then `payload` is None.
    """

    request_id: str
    payload: object
    function_error: str | None
    log_lines: tuple[str, ...]
    duration_ms: float
    failure: str | None = None
    timed_out: bool = False


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def start_line(request_id: str) -> str:
    return f"START RequestId: {request_id} Version: $LATEST"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(request_id: str, duration_ms: float, max_memory_mb: int | None = None) -> str:
    """Lambda's REPORT line (tab-separated fields, as Lambda writes it)."""
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {max(math.ceil(duration_ms), 1)} ms",
        f"Memory Size: {MEMORY_SIZE_MB} MB",
    ]
    if max_memory_mb is not None:
        fields.append(f"Max Memory Used: {max_memory_mb} MB")
    return "\t".join(fields)


def split_log(text: str) -> list[str]:
    """The handler's output as log events: one per line, `\\r` inside a line standing for a newline."""
    lines = []
    for raw in text.split("\n"):
        line = raw.rstrip("\r").replace("\r", "\n")
        if line:
            lines.append(line[:MAX_LINE_CHARS])
    if len(lines) > MAX_LOG_LINES:
        dropped = len(lines) - MAX_LOG_LINES
        lines = [*lines[:MAX_LOG_LINES], f"[VerifyDesk] {dropped} more log lines were dropped"]
    return lines


def run_host(
    request: dict[str, Any], timeout_s: float, *, mode: str = "invoke", env: Mapping[str, str] | None = None
) -> tuple[dict[str, Any] | None, str]:
    """Run handler_host.py once: (its result or None, its log output). TimeoutExpired propagates."""
    command = _host_command(mode)
    if command[1] != HOST_FLAG and not HOST_SCRIPT.is_file():
        raise ValueError(f"the handler host {HOST_SCRIPT} is missing from this installation")
    cwd = Path(str(request["file"])).parent
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
        env=dict(env) if env is not None else None,
    ) as process:
        try:
            out, err = process.communicate(json.dumps(request).encode("utf-8"), timeout=timeout_s)
        except subprocess.TimeoutExpired as expired:
            process.kill()
            out, err = process.communicate()
            expired.stderr = err
            raise
    log = err.decode("utf-8", "replace")
    try:
        result = json.loads(out.decode("utf-8").strip().splitlines()[-1]) if out.strip() else None
    except (ValueError, IndexError):
        result = None
    return (result if isinstance(result, dict) else None), log


def _lambda_env(function_name: str, region: str, handler: str, file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY_SIZE_MB),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "_HANDLER": f"{file.stem}.{handler}",
        "LAMBDA_TASK_ROOT": str(file.parent),
        "PYTHONIOENCODING": "utf-8",
    })
    return env


def run_handler_file(
    file: Path,
    handler: str,
    event: object,
    *,
    function_name: str,
    timeout_s: float = 3.0,
    region: str = "us-east-1",
) -> LambdaResult:
    """Invoke a handler file once in a fresh child process, as Lambda's Python runtime would."""
    request_id = str(uuid.uuid4())
    request = {
        "file": str(file), "handler": handler, "event": event, "request_id": request_id,
        "function_name": function_name, "region": region, "account_id": ACCOUNT_ID,
        "memory_mb": MEMORY_SIZE_MB, "timeout_s": timeout_s,
        "log_stream": f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}",
    }
    env = _lambda_env(function_name, region, handler, file)
    started = time.perf_counter()
    try:
        result, log = run_host(request, timeout_s, env=env)
    except subprocess.TimeoutExpired as expired:
        log = (expired.stderr or b"").decode("utf-8", "replace")
        duration = (time.perf_counter() - started) * 1000
        message = f"{_iso_now()} {request_id} Task timed out after {timeout_s:.2f} seconds"
        lines = [start_line(request_id), *split_log(log), message, end_line(request_id),
                 report_line(request_id, duration)]
        return LambdaResult(request_id, {"errorMessage": message}, "Unhandled", tuple(lines), duration,
                            timed_out=True)
    except (OSError, ValueError) as exc:
        return LambdaResult(request_id, None, None, (), 0.0, failure=f"could not run the handler: {exc}")
    if result is None:
        duration = (time.perf_counter() - started) * 1000
        message = f"RequestId: {request_id} Error: Runtime exited without providing a reason"
        error = {"errorType": "Runtime.ExitError", "errorMessage": message}
        lines = [start_line(request_id), *split_log(log), message, end_line(request_id),
                 report_line(request_id, duration)]
        return LambdaResult(request_id, error, "Unhandled", tuple(lines), duration)
    duration = float(result.get("duration_ms") or 0.0)
    memory = result.get("max_memory_mb")
    lines = [start_line(request_id), *split_log(log), end_line(request_id),
             report_line(request_id, duration, memory if isinstance(memory, int) else None)]
    if result.get("ok"):
        payload = json.loads(str(result.get("payload_json") or "null"))
        return LambdaResult(request_id, payload, None, tuple(lines), duration)
    return LambdaResult(request_id, result.get("error"), "Unhandled", tuple(lines), duration)


def invoke_url(  # noqa: PLR0911 (one return per way an HTTP call can end)
    url: str, event: object, *, timeout_s: float = COGNITO_TIMEOUT_S
) -> LambdaResult:
    """POST the event to a Lambda-Invoke endpoint (RequestResponse, log tail requested)."""
    request = urllib.request.Request(  # noqa: S310 (http(s) checked by TriggerTarget.parse)
        url, data=json.dumps(event).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "X-Amz-Invocation-Type": "RequestResponse",
                 "X-Amz-Log-Type": "Tail"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # a local endpoint: no proxy
    started = time.perf_counter()
    fallback_id = str(uuid.uuid4())

    def failed(reason: str) -> LambdaResult:
        return LambdaResult(fallback_id, None, None, (), (time.perf_counter() - started) * 1000,
                            failure=reason, timed_out="timeout" in reason.lower())

    try:
        with opener.open(request, timeout=timeout_s) as response:
            body = response.read()
            headers = response.headers
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        kind = exc.headers.get("x-amzn-ErrorType", "").split(":")[0] or f"HTTP {exc.code}"
        detail = _error_message(detail)
        return failed(f"{kind} (HTTP {exc.code}) from {url}: {detail.strip()[:300]}")
    except TimeoutError:
        return failed("Socket timeout while invoking Lambda function")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return failed("Socket timeout while invoking Lambda function")
        return failed(f"could not reach {url}: {exc.reason}")
    except OSError as exc:
        return failed(f"could not reach {url}: {exc}")
    duration = (time.perf_counter() - started) * 1000
    request_id = headers.get("x-amzn-RequestId") or fallback_id
    lines = _tail_lines(headers.get("X-Amz-Log-Result"))
    if not lines:  # no log tail (e.g. sam local): the platform lines Lambda would have written
        lines = [start_line(request_id), end_line(request_id), report_line(request_id, duration)]
    try:
        payload = json.loads(body) if body.strip() else None
    except ValueError:
        return LambdaResult(request_id, None, None, tuple(lines), duration,
                            failure=f"the endpoint answered with a body that is not JSON: {body[:200]!r}")
    return LambdaResult(request_id, payload, headers.get("X-Amz-Function-Error") or None, tuple(lines),
                        duration)


def _error_message(body: str) -> str:
    """The message of a Lambda API error body (`{"Message": ...}`), or the body itself."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    if isinstance(parsed, dict):
        return str(parsed.get("message") or parsed.get("Message") or body)
    return body


def _tail_lines(header: str | None) -> list[str]:
    if not header:
        return []
    try:
        text = base64.b64decode(header, validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return [f"[VerifyDesk] the endpoint's X-Amz-Log-Result is not base64: {header[:80]!r}"]
    return split_log(text)
