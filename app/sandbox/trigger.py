"""Invoking the Custom Message trigger: a Lambda-Invoke endpoint or a local Python handler file.

A target is parsed once (`TriggerTarget.parse`); each invocation gets the event, runs the function,
and maps the outcome to what Cognito answers:

- the function raised (Lambda's `X-Amz-Function-Error`) → UserLambdaValidationException,
  "CustomMessage failed with error <message>.";
- it returned something Cognito cannot use (not the event, no `response`, no code placeholder,
  too long; see `app.core.trigger_event`) → InvalidLambdaResponseException;
- it could not be reached, took longer than Cognito waits, or answered with something that is not
  Lambda's JSON → UnexpectedLambdaException.

A handler file runs in a child Python process (`handler_host.py`), loaded fresh on every invocation
so a developer edits and re-sends without restarting; its output becomes Lambda-style log lines
(START, what it printed or logged, a traceback as Lambda prints it, END, REPORT). A URL target is
called with `X-Amz-Log-Type: Tail`, and its log tail is used when it sends one.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.trigger_event import validate_custom_message_response
from app.sandbox.lambda_invoke import COGNITO_TIMEOUT_S, invoke_url, run_handler_file, run_host

USER_LAMBDA_VALIDATION = "UserLambdaValidationException"
INVALID_LAMBDA_RESPONSE = "InvalidLambdaResponseException"
UNEXPECTED_LAMBDA = "UnexpectedLambdaException"
INVOKE_PATH = "/2015-03-31/functions/{name}/invocations"
LOAD_TIMEOUT_S = 30.0
TRIGGER_NAME = "CustomMessage"
DEMO = "demo"
"""The spec naming the sandbox's demo trigger, `app/sandbox/demo_trigger.py:handler`."""
DEMO_FILE = Path(__file__).with_name("demo_trigger.py")
_USAGE = ("expected a Lambda-Invoke endpoint URL (http://host:port), path/to/file.py:handler, "
          f"or {DEMO!r} for the demo trigger")


@dataclass(frozen=True)
class TriggerTarget:
    """Where the trigger runs: `url` (the invocations URL) or `file` + `handler`."""

    spec: str
    function_name: str
    url: str | None = None
    file: Path | None = None
    handler: str | None = None

    @property
    def is_file(self) -> bool:
        return self.file is not None

    def describe(self) -> str:
        if self.file is not None:
            return f"{self.file}:{self.handler} (local handler file, function {self.function_name})"
        return f"{self.url} (Lambda-Invoke endpoint)"

    @classmethod
    def parse(cls, spec: str, function_name: str) -> TriggerTarget:
        """A URL (`http(s)://host:port`, or the full invocations URL), `path/to/file.py:handler`, or
        "demo"; ValueError naming the spec and what is wrong."""
        text = spec.strip()
        if not text:
            raise ValueError(f"trigger {spec!r}: {_USAGE}")
        if not function_name or "/" in function_name:
            raise ValueError(f"function name {function_name!r}: expected a Lambda function name")
        if text.lower().startswith(("http://", "https://")):
            return cls(spec, function_name, url=_invocations_url(text, function_name))
        if "://" in text:
            raise ValueError(f"trigger {spec!r}: only http and https endpoints are supported")
        if text.lower() == DEMO:
            text = f"{DEMO_FILE}:handler"
        return _parse_file_spec(spec, text, function_name)


def _invocations_url(text: str, function_name: str) -> str:
    parts = urllib.parse.urlsplit(text)
    try:
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise ValueError(f"trigger {text!r}: the port is not a number from 0 to 65535") from None
    if not parts.hostname:
        raise ValueError(f"trigger {text!r}: no host in the URL (expected http://host:port)")
    if "/functions/" in parts.path and parts.path.rstrip("/").endswith("/invocations"):
        return text
    path = INVOKE_PATH.format(name=urllib.parse.quote(function_name, safe=""))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + path, "", ""))


def _parse_file_spec(spec: str, text: str, function_name: str) -> TriggerTarget:
    file_part, colon, handler = text.rpartition(":")
    if not colon or not file_part:
        raise ValueError(f"trigger {spec!r}: no ':handler' after the file; {_USAGE}")
    if not handler.isidentifier():
        raise ValueError(f"trigger {spec!r}: {handler!r} is not a Python function name")
    path = Path(file_part).expanduser()
    if path.suffix != ".py":
        raise ValueError(f"trigger {spec!r}: {file_part!r} is not a .py file")
    if not path.is_file():
        raise ValueError(f"trigger {spec!r}: no such file {str(path)!r}")
    path = path.resolve()
    try:
        result, _ = run_host({"file": str(path), "handler": handler}, LOAD_TIMEOUT_S, mode="check")
    except subprocess.TimeoutExpired:
        raise ValueError(f"trigger {spec!r}: loading took longer than {LOAD_TIMEOUT_S:g} s") from None
    except OSError as exc:
        raise ValueError(f"trigger {spec!r}: could not start Python to load it: {exc}") from None
    if result is None:
        raise ValueError(f"trigger {spec!r}: could not load the file (the handler host did not answer)")
    if not result.get("ok"):
        error = result.get("error") or {}
        raise ValueError(f"trigger {spec!r}: {error.get('errorMessage') or 'could not load the handler'}")
    return TriggerTarget(spec, function_name, file=path, handler=handler)


@dataclass(frozen=True)
class TriggerInvocation:
    """One Custom Message invocation as Cognito would see it.

    `returned` is what came back: the returned event, or Lambda's error object when the function
    failed; None when nothing came back. `error_code`/`error_message` are the Cognito error the call
    answers with (None: the returned event is usable). `problems` lists what is wrong with the
    returned event (InvalidLambdaResponseException).
    """

    target: str
    function_name: str
    request_id: str
    event: dict[str, Any]
    returned: object
    log_lines: tuple[str, ...]
    duration_ms: float
    error_code: str | None = None
    error_message: str | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)
    function_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target, "function_name": self.function_name, "request_id": self.request_id,
            "event": self.event, "returned": self.returned, "log_lines": list(self.log_lines),
            "duration_ms": round(self.duration_ms, 2), "error_code": self.error_code,
            "error_message": self.error_message, "problems": list(self.problems),
            "function_error": self.function_error,
        }


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def function_error_message(payload: object) -> str:
    """Cognito's message for a trigger that raised: "CustomMessage failed with error <message>."."""
    message = payload.get("errorMessage") if isinstance(payload, dict) else None
    if not isinstance(message, str) or not message.strip():
        message = json.dumps(payload)[:500] if payload is not None else "(no error message)"
    return _sentence(f"{TRIGGER_NAME} failed with error {message}")


def invoke_custom_message(
    target: TriggerTarget,
    event: dict[str, Any],
    *,
    timeout_s: float = COGNITO_TIMEOUT_S,
    medium: str | None = None,
) -> TriggerInvocation:
    """Send the event to the trigger and judge the answer as Cognito would.

    `medium` (EMAIL or SMS) is how the code goes out: that message is the one that must carry the
    code placeholder and fit its limit (None: every message set is checked).
    """
    if target.file is not None:
        result = run_handler_file(
            target.file, str(target.handler), event, function_name=target.function_name,
            timeout_s=timeout_s, region=str(event.get("region") or "us-east-1"),
        )
    else:
        result = invoke_url(str(target.url), event, timeout_s=timeout_s)
    def outcome(code: str | None = None, message: str | None = None, problems: tuple[str, ...] = ()
                ) -> TriggerInvocation:
        return TriggerInvocation(
            target=target.spec, function_name=target.function_name, request_id=result.request_id,
            event=event, returned=result.payload, log_lines=result.log_lines,
            duration_ms=result.duration_ms, error_code=code, error_message=message, problems=problems,
            function_error=result.function_error,
        )

    if result.failure is not None:
        return outcome(UNEXPECTED_LAMBDA,
                       f"{TRIGGER_NAME} invocation failed due to error {_sentence(result.failure)}")
    if result.timed_out and target.file is not None:  # Cognito stopped waiting first
        return outcome(UNEXPECTED_LAMBDA, f"{TRIGGER_NAME} invocation failed due to error Socket timeout "
                                          "while invoking Lambda function.")
    if result.function_error:
        return outcome(USER_LAMBDA_VALIDATION, function_error_message(result.payload))
    problems = validate_custom_message_response(result.payload, medium)
    if problems:
        return outcome(INVALID_LAMBDA_RESPONSE, "Unrecognizable lambda output. " + " ".join(problems),
                       tuple(problems))
    return outcome()
