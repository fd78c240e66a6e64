"""Runs one Python Lambda handler invocation in a child process, the way Lambda's Python runtime does.

Started by `app.sandbox.trigger` as `python -u handler_host.py` (by path: standard library only, no
`app` import). It reads one JSON request on stdin (file, handler, event, request id, function name,
region), loads the handler file fresh, calls `handler(event, context)`, and writes one JSON result
line on the original stdout. Everything the handler prints (stdout and stderr) and logs goes to
stderr, which is the invocation's log; a log record that spans lines is written as one line with
`\\r` in place of `\\n`, as Lambda's runtime does, so a traceback stays one log event.

Mode `check` (first argument) only loads the module and checks the handler is callable.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"


class HandlerError(Exception):
    """The handler could not be loaded; `error_type` is the Lambda runtime's name for why."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class LambdaContext:
    """The context object a Python handler receives (the attributes Lambda documents)."""

    def __init__(self, request: dict[str, Any]) -> None:
        name = str(request.get("function_name") or "function")
        region = str(request.get("region") or "us-east-1")
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{request.get('account_id')}:function:{name}"
        self.memory_limit_in_mb = str(request.get("memory_mb") or 128)
        self.aws_request_id = str(request.get("request_id") or "")
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = str(request.get("log_stream") or "")
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + float(request.get("timeout_s") or 3.0)

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


class _RequestIdFilter(logging.Filter):
    def __init__(self, request_id: str) -> None:
        super().__init__()
        self.request_id = request_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


class _OneLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r\n", "\n").replace("\n", "\r")


def _configure_logging(request_id: str) -> None:
    formatter = logging.Formatter(LOG_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler = _OneLineHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter(request_id))
    root = logging.getLogger()
    root.handlers[:] = [handler]  # like Lambda: the root logger has one handler, level left at WARNING


def load_handler(file: str, name: str) -> Any:
    """The handler function from a fresh load of `file`; HandlerError when that fails."""
    path = Path(file)
    module_name = path.stem
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise HandlerError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {file}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise HandlerError(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {exc.msg} ({path.name}, line {exc.lineno})",
        ) from None
    except Exception as exc:
        raise HandlerError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from None
    function = getattr(module, name, None)
    if function is None:
        raise HandlerError("Runtime.HandlerNotFound", f"Handler '{name}' missing on module '{module_name}'")
    if not callable(function):
        raise HandlerError(
            "Runtime.HandlerNotFound", f"Handler '{name}' on module '{module_name}' is not callable"
        )
    return function


def _max_memory_mb() -> int | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024) + 1


def _error(error_type: str, message: str, request_id: str, stack: list[str] | None = None) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id,
            "stackTrace": stack or []}


def _log_exception(exc: BaseException, request_id: str) -> dict[str, Any]:
    """Log an exception the way Lambda's runtime does and return its error object."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # drop this host's own frame
    stack = traceback.format_list(frames)
    error_type = type(exc).__name__
    message = str(exc)
    text = f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):\n{''.join(stack)}"
    sys.stderr.write(text.rstrip("\n").replace("\n", "\r") + "\n")
    return _error(error_type, message, request_id, stack)


def invoke(request: dict[str, Any]) -> dict[str, Any]:
    """Load and call the handler; the result object written back to the parent."""
    request_id = str(request.get("request_id") or "")
    _configure_logging(request_id)
    try:
        function = load_handler(str(request["file"]), str(request["handler"]))
    except HandlerError as exc:
        sys.stderr.write(f"[ERROR] {exc.error_type}: {exc.message}\n")
        return {"ok": False, "error": _error(exc.error_type, exc.message, request_id), "duration_ms": 0.0,
                "max_memory_mb": _max_memory_mb()}
    context = LambdaContext(request)
    started = time.perf_counter()
    try:
        payload = function(request.get("event"), context)
    except (Exception, SystemExit) as exc:
        duration = (time.perf_counter() - started) * 1000
        return {"ok": False, "error": _log_exception(exc, request_id), "duration_ms": duration,
                "max_memory_mb": _max_memory_mb()}
    duration = (time.perf_counter() - started) * 1000
    try:
        text = json.dumps(payload)
    except (TypeError, ValueError) as exc:
        message = f"Unable to marshal response: {exc}"
        sys.stderr.write(f"[ERROR] Runtime.MarshalError: {message}\n")
        return {"ok": False, "error": _error("Runtime.MarshalError", message, request_id),
                "duration_ms": duration, "max_memory_mb": _max_memory_mb()}
    return {"ok": True, "payload_json": text, "duration_ms": duration, "max_memory_mb": _max_memory_mb()}


def main(argv: list[str]) -> int:
    request = json.loads(sys.stdin.read())
    result_fd = os.dup(1)
    os.dup2(2, 1)  # whatever the handler writes to stdout is log output too
    sys.stdout = sys.stderr
    if argv[1:2] == ["check"]:
        try:
            load_handler(str(request["file"]), str(request["handler"]))
            result: dict[str, Any] = {"ok": True}
        except HandlerError as exc:
            result = {"ok": False, "error": _error(exc.error_type, exc.message, "")}
    else:
        result = invoke(request)
    with os.fdopen(result_fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
