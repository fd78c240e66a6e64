"""A Lambda-Invoke-compatible HTTP endpoint that runs a local Python handler file.

It speaks the part of Lambda's Invoke API that trigger callers use (what `sam local start-lambda`
serves): `POST /2015-03-31/functions/<name>/invocations` with the event as the body answers with the
handler's return value; a handler that raised answers 200 with `X-Amz-Function-Error: Unhandled` and
Lambda's error object; `X-Amz-Log-Type: Tail` adds the last 4 KB of the invocation's log, base64, in
`X-Amz-Log-Result`. `X-Amz-Invocation-Type` Event (202, runs in the background) and DryRun (204) work
too. So boto3's `lambda` client, the sandbox and cognito-local can all call a handler file that is
loaded fresh on every invocation (`app.sandbox.lambda_invoke.run_handler_file`).
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from app.sandbox.foreground import serve_until_signalled
from app.sandbox.lambda_invoke import ACCOUNT_ID, LambdaResult, run_handler_file
from app.sandbox.trigger import TriggerTarget

INVOKE_PREFIX = "/2015-03-31/functions/"
INVOKE_SUFFIX = "/invocations"
LOG_TAIL_BYTES = 4096
DEFAULT_TIMEOUT_S = 3.0
"""Lambda's default function timeout."""


@dataclass(frozen=True)
class RunnerInvocation:
    """One invocation the runner served: the function name asked for, the request headers, the event
    and the result."""

    function_name: str
    headers: dict[str, str]
    event: object
    result: LambdaResult


def log_tail(lines: tuple[str, ...] | list[str]) -> str:
    """`X-Amz-Log-Result`: the last 4 KB of the log, base64 (a multi-line event keeps `\\r`s)."""
    text = "".join(line.replace("\n", "\r") + "\n" for line in lines).encode("utf-8")
    return base64.b64encode(text[-LOG_TAIL_BYTES:]).decode("ascii")


def function_name_from(path_name: str) -> str:
    """The function name from the path segment: a plain name, or an ARN (qualifier dropped)."""
    name = urllib.parse.unquote(path_name)
    if name.startswith("arn:"):
        parts = name.split(":")
        if len(parts) >= 7 and parts[5] == "function":
            return parts[6]
    return name.split(":", 1)[0]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    runner: LambdaRunner

    def __init__(self, address: tuple[str, int], runner: LambdaRunner) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.runner = runner
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the runner reports invocations through its callback."""

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, error_type: str, message: str) -> None:
        body = json.dumps({"Type": "User", "Message": message, "message": message}).encode("utf-8")
        self._send(status, body, {"Content-Type": "application/json", "x-amzn-ErrorType": error_type})

    def do_GET(self) -> None:
        self._error(404, "UnrecognizedClientException",
                    f"Only POST {INVOKE_PREFIX}<name>{INVOKE_SUFFIX} is served here.")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        path = urllib.parse.urlsplit(self.path).path
        if not (path.startswith(INVOKE_PREFIX) and path.endswith(INVOKE_SUFFIX)):
            self._error(404, "UnrecognizedClientException", f"No route {path}; this endpoint serves "
                        f"POST {INVOKE_PREFIX}<name>{INVOKE_SUFFIX}.")
            return
        name = function_name_from(path[len(INVOKE_PREFIX):-len(INVOKE_SUFFIX)])
        runner = self.server.runner
        if runner.function_name is not None and name != runner.function_name:
            arn = f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{name}"
            self._error(404, "ResourceNotFoundException", f"Function not found: {arn}")
            return
        try:
            event = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            self._error(400, "InvalidRequestContentException",
                        f"Could not parse request body into json: {exc}")
            return
        headers = {key: value for key, value in self.headers.items()}
        invocation_type = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        if invocation_type == "DryRun":
            self._send(204, b"", {})
            return
        if invocation_type == "Event":
            threading.Thread(target=runner.invoke, args=(name, headers, event), daemon=True).start()
            self._send(202, b"", {})
            return
        result = runner.invoke(name, headers, event)
        if result.failure is not None:
            self._error(500, "ServiceException", result.failure)
            return
        reply = {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST",
                 "x-amzn-RequestId": result.request_id}
        if result.function_error:
            reply["X-Amz-Function-Error"] = result.function_error
        if (self.headers.get("X-Amz-Log-Type") or "").lower() == "tail":
            reply["X-Amz-Log-Result"] = log_tail(result.log_lines)
        self._send(200, json.dumps(result.payload).encode("utf-8"), reply)


class LambdaRunner:
    """Serves one handler file at a Lambda-Invoke endpoint; a context manager (or `start()`/`stop()`).

    `function_name` None answers to any function name (like a single-function `sam local`); a name
    makes other names 404 ResourceNotFoundException. `events` are the events received, in order.
    """

    def __init__(
        self,
        handler_spec: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        function_name: str | None = None,
        on_invocation: Callable[[RunnerInvocation], None] | None = None,
    ) -> None:
        if handler_spec.strip().lower().startswith(("http://", "https://")):
            raise ValueError(f"handler {handler_spec!r}: expected path/to/file.py:handler, not a URL")
        self.target = TriggerTarget.parse(handler_spec, function_name or "function")
        self.handler_spec = handler_spec
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self.function_name = function_name
        self.on_invocation = on_invocation
        self._lock = threading.Lock()
        self._invocations: list[RunnerInvocation] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("The Lambda runner is not running: call start() first.")
        host, port = self._server.server_address[:2]
        host = str(host)
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 (a wildcard bind is reached through loopback)
            host = "127.0.0.1"
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def invocation_url(self, function_name: str) -> str:
        name = urllib.parse.quote(function_name, safe="")
        return f"{self.endpoint_url}{INVOKE_PREFIX}{name}{INVOKE_SUFFIX}"

    @property
    def invocations(self) -> list[RunnerInvocation]:
        with self._lock:
            return list(self._invocations)

    @property
    def events(self) -> list[object]:
        """The events received, oldest first."""
        return [invocation.event for invocation in self.invocations]

    def invoke(self, function_name: str, headers: dict[str, str], event: object) -> LambdaResult:
        """Run the handler once for an event (what a POST does), and remember it."""
        file, handler = self.target.file, self.target.handler
        if file is None or handler is None:
            raise RuntimeError("the runner's target is not a handler file")
        region = event.get("region") if isinstance(event, dict) else None
        result = run_handler_file(
            file, handler, event, function_name=function_name,
            timeout_s=self.timeout_s, region=region if isinstance(region, str) and region else "us-east-1",
        )
        invocation = RunnerInvocation(function_name, headers, event, result)
        with self._lock:
            self._invocations.append(invocation)
        if self.on_invocation is not None:
            self.on_invocation(invocation)
        return result

    def start(self) -> LambdaRunner:
        """Listen and serve in a background thread; OSError when the port is taken."""
        if self._server is not None:
            return self
        try:
            server = _Server((self.host, self.port), self)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from None
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="lambda-runner", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> LambdaRunner:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _print_invocation(invocation: RunnerInvocation) -> None:
    for line in invocation.result.log_lines:
        print(line, file=sys.stderr, flush=True)


def run_foreground(
    handler: str, host: str = "127.0.0.1", port: int = 0, timeout_s: float = DEFAULT_TIMEOUT_S
) -> int:
    """`verifydesk lambda-runner`: print one JSON line with the endpoint, echo each invocation's log to
    stderr, serve until Ctrl+C or SIGTERM; 2 when it cannot start."""
    try:
        runner = LambdaRunner(handler, host, port, timeout_s=timeout_s, on_invocation=_print_invocation)
        runner.start()
    except (OSError, ValueError) as exc:
        print(f"verifydesk lambda-runner: cannot start: {exc}", file=sys.stderr)
        return 2

    def announce() -> None:
        line = {"endpoint_url": runner.endpoint_url, "handler": handler,
                "invoke_path": f"{INVOKE_PREFIX}{{function}}{INVOKE_SUFFIX}", "timeout_s": timeout_s}
        print(json.dumps(line), flush=True)
        print(f"VerifyDesk Lambda runner for {handler} at {runner.endpoint_url} (Ctrl+C to stop)",
              file=sys.stderr, flush=True)

    try:
        serve_until_signalled(announce)
    finally:
        runner.stop()
    return 0
