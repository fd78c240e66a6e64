"""The Lambda runner over HTTP: boto3's own `lambda` client invokes handler files through it, and the
sandbox's trigger client (`invoke_custom_message`) maps what it answers."""

from __future__ import annotations

import base64
import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from app.core.trigger_event import build_custom_message_event
from app.sandbox.lambda_runner import LambdaRunner
from app.sandbox.trigger import TriggerTarget, invoke_custom_message

TRIGGERS = Path(__file__).resolve().parents[1] / "support" / "triggers"


def _spec(name: str) -> str:
    return f"{TRIGGERS / name}:handler"


def _event(metadata: dict[str, str] | None = None) -> dict[str, Any]:
    return build_custom_message_event(
        region="eu-west-1", user_pool_id="eu-west-1_Test", user_name="carol", client_id="client-1",
        user_attributes={"email": "carol@example.com", "cognito:user_status": "CONFIRMED"},
        client_metadata=metadata,
    )


def _lambda(runner: LambdaRunner) -> Any:
    return boto3.client(
        "lambda", endpoint_url=runner.endpoint_url, region_name="eu-west-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=15),
    )


def _tail(response: dict[str, Any]) -> list[str]:
    text = base64.b64decode(response["LogResult"]).decode("utf-8")
    # Lambda's runtime writes a multi-line record (a traceback) as one line with \r for its newlines.
    return [line.replace("\r", "\n") for line in text.split("\n") if line]


@pytest.fixture
def echo_runner() -> Iterator[LambdaRunner]:
    with LambdaRunner(_spec("echo.py")) as runner:
        yield runner


def test_boto3_invoke_returns_the_handlers_answer_with_the_log_tail(echo_runner: LambdaRunner) -> None:
    event = _event({"campaign": "runner"})
    response = _lambda(echo_runner).invoke(FunctionName="my-trigger", Payload=json.dumps(event), LogType="Tail")
    answer = json.loads(response["Payload"].read())
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert answer["response"]["emailMessage"] == 'Echo: your code is {####}. metadata={"campaign": "runner"}'
    assert answer["request"] == event["request"]
    lines = _tail(response)
    request_id = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert lines[1] == "ECHO event " + json.dumps(event, sort_keys=True)
    assert lines[2].startswith("[WARNING]\t") and lines[2].endswith(f"\t{request_id}\tECHO context my-trigger {request_id}")
    assert lines[3] == f"END RequestId: {request_id}"
    assert lines[4].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert echo_runner.events == [event]
    assert echo_runner.invocations[0].function_name == "my-trigger"


def test_a_raising_handler_answers_200_with_function_error_and_lambdas_error_object() -> None:
    with LambdaRunner(_spec("raises.py")) as runner:
        response = _lambda(runner).invoke(FunctionName="f", Payload=json.dumps(_event()), LogType="Tail")
    error = json.loads(response["Payload"].read())
    assert (response["StatusCode"], response["FunctionError"]) == (200, "Unhandled")
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "Email domain not allowed")
    assert error["stackTrace"] and "raises.py" in error["stackTrace"][0]
    lines = _tail(response)
    assert lines[1] == "RAISES about to fail for carol"
    assert lines[2].startswith("[ERROR] ValueError: Email domain not allowed\nTraceback (most recent call last):\n")
    assert 'raise ValueError(MESSAGE)' in lines[2]


def test_without_log_type_tail_there_is_no_log_result(echo_runner: LambdaRunner) -> None:
    response = _lambda(echo_runner).invoke(FunctionName="f", Payload=json.dumps(_event()))
    assert "LogResult" not in response
    assert json.loads(response["Payload"].read())["response"]["smsMessage"] == "Echo {####} {}"


def test_a_named_runner_answers_other_names_with_resource_not_found() -> None:
    with LambdaRunner(_spec("echo.py"), function_name="only-this") as runner:
        client = _lambda(runner)
        assert client.invoke(FunctionName="only-this", Payload=b"{}")["StatusCode"] == 200
        arn = "arn:aws:lambda:eu-west-1:123456789012:function:only-this:$LATEST"
        assert client.invoke(FunctionName=arn, Payload=b"{}")["StatusCode"] == 200
        with pytest.raises(ClientError) as caught:
            client.invoke(FunctionName="other", Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert "Function not found" in caught.value.response["Error"]["Message"]


def test_a_body_that_is_not_json_is_invalid_request_content(echo_runner: LambdaRunner) -> None:
    request = urllib.request.Request(echo_runner.invocation_url("f"), data=b"{not json", method="POST")  # noqa: S310 (our http URL)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10)
    assert caught.value.code == 400
    assert caught.value.headers["x-amzn-ErrorType"] == "InvalidRequestContentException"
    assert echo_runner.events == []


def test_event_invocations_answer_202_and_run_dry_runs_answer_204(echo_runner: LambdaRunner) -> None:
    client = _lambda(echo_runner)
    assert client.invoke(FunctionName="f", InvocationType="DryRun", Payload=b"{}")["StatusCode"] == 204
    assert client.invoke(FunctionName="f", InvocationType="Event", Payload=json.dumps(_event()))["StatusCode"] == 202
    deadline = time.monotonic() + 15
    while not echo_runner.events and time.monotonic() < deadline:
        time.sleep(0.05)
    assert echo_runner.events == [_event()]


def test_a_handler_past_its_timeout_is_killed_and_reported_like_lambda() -> None:
    with LambdaRunner(_spec("slow.py"), timeout_s=1.0) as runner:
        started = time.monotonic()
        response = _lambda(runner).invoke(FunctionName="f", Payload=json.dumps(_event()), LogType="Tail")
        elapsed = time.monotonic() - started
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorMessage"].endswith("Task timed out after 1.00 seconds")
    lines = _tail(response)
    assert lines[1].startswith("SLOW starting, remaining ms:")
    assert lines[-3].endswith("Task timed out after 1.00 seconds") and lines[-1].startswith("REPORT RequestId: ")
    assert elapsed < 10


def test_an_edited_handler_file_is_used_on_the_next_invocation(tmp_path: Path) -> None:
    handler = tmp_path / "trigger.py"
    shutil.copy(TRIGGERS / "garbage.py", handler)
    with LambdaRunner(f"{handler}:handler") as runner:
        client = _lambda(runner)
        first = json.loads(client.invoke(FunctionName="f", Payload=json.dumps(_event()))["Payload"].read())
        shutil.copy(TRIGGERS / "echo.py", handler)
        second = json.loads(client.invoke(FunctionName="f", Payload=json.dumps(_event()))["Payload"].read())
    assert first == "this is not the event"
    assert second["response"]["emailSubject"] == "Echo code for carol"


@pytest.mark.parametrize(("spec", "message"), [
    ("http://127.0.0.1:9001", "expected path/to/file.py:handler, not a URL"),
    (str(TRIGGERS / "echo.py"), "no ':handler' after the file"),
    (f"{TRIGGERS / 'nothing.py'}:handler", "no such file"),
    (f"{TRIGGERS / 'echo.py'}:metadata_textx", "Handler 'metadata_textx' missing on module 'echo'"),
])
def test_an_unusable_handler_spec_is_a_clear_error_naming_it(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        LambdaRunner(spec)
    assert spec in str(caught.value)


def _target(runner: LambdaRunner) -> TriggerTarget:
    return TriggerTarget.parse(runner.endpoint_url, "custom-message")


def test_the_trigger_client_posts_to_the_invocations_path_with_log_tail(echo_runner: LambdaRunner) -> None:
    event = _event({"k": "v"})
    invocation = invoke_custom_message(_target(echo_runner), event, medium="EMAIL")
    assert invocation.ok and invocation.error_code is None
    received = echo_runner.invocations[-1]
    assert received.function_name == "custom-message"
    assert received.headers["X-Amz-Log-Type"] == "Tail"
    assert received.headers["X-Amz-Invocation-Type"] == "RequestResponse"
    assert received.event == event == invocation.event
    assert invocation.log_lines == received.result.log_lines
    assert invocation.request_id == received.result.request_id


@pytest.mark.parametrize(("handler", "code"), [
    ("raises.py", "UserLambdaValidationException"),
    ("garbage.py", "InvalidLambdaResponseException"),
    ("no_placeholder.py", "InvalidLambdaResponseException"),
])
def test_the_trigger_client_maps_url_answers_like_cognito(handler: str, code: str) -> None:
    with LambdaRunner(_spec(handler)) as runner:
        invocation = invoke_custom_message(_target(runner), _event(), medium="SMS")
    assert invocation.error_code == code
    if handler == "no_placeholder.py":
        assert invocation.problems == ("response.smsMessage does not contain the code placeholder {####}.",)


def test_a_url_slower_than_cognito_waits_is_unexpected_lambda_exception() -> None:
    with LambdaRunner(_spec("slow.py"), timeout_s=5.0) as runner:
        invocation = invoke_custom_message(_target(runner), _event(), timeout_s=0.5)
    assert invocation.error_code == "UnexpectedLambdaException"
    assert invocation.error_message == (
        "CustomMessage invocation failed due to error Socket timeout while invoking Lambda function."
    )


def test_a_handler_file_slower_than_cognito_waits_is_unexpected_lambda_exception() -> None:
    target = TriggerTarget.parse(_spec("slow.py"), "custom-message")
    invocation = invoke_custom_message(target, _event(), timeout_s=1.0)
    assert invocation.error_code == "UnexpectedLambdaException"
    assert invocation.log_lines[-3].endswith("Task timed out after 1.00 seconds")


def test_an_answer_that_is_not_json_is_unexpected_lambda_exception(tmp_path: Path) -> None:
    """A server at the URL that is not Lambda (here a plain file server) answers HTML."""
    (tmp_path / "2015-03-31" / "functions" / "custom-message").mkdir(parents=True)
    (tmp_path / "2015-03-31" / "functions" / "custom-message" / "invocations").write_text("<html>hi</html>")
    server = subprocess.Popen(
        [sys.executable, "-c", _POST_FILE_SERVER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        target = TriggerTarget.parse(f"http://127.0.0.1:{port}", "custom-message")
        invocation = invoke_custom_message(target, _event())
    finally:
        server.kill()
        server.wait()
    assert invocation.error_code == "UnexpectedLambdaException"
    assert "not JSON" in str(invocation.error_message)


_POST_FILE_SERVER = """
import functools, http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        return self.do_GET()
    def log_message(self, *a):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def test_verifydesk_lambda_runner_prints_its_endpoint_serves_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "lambda-runner", _spec("echo.py"), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = json.loads(proc.stdout.readline())
        assert line["handler"] == _spec("echo.py")
        client = boto3.client("lambda", endpoint_url=line["endpoint_url"], region_name="eu-west-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        answer = json.loads(client.invoke(FunctionName="f", Payload=json.dumps(_event()))["Payload"].read())
        assert answer["response"]["emailSubject"] == "Echo code for carol"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        err = proc.stderr.read() if proc.stderr else ""
        assert "ECHO event " in err and "REPORT RequestId: " in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_verifydesk_lambda_runner_with_a_bad_handler_exits_2_with_the_reason() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app", "lambda-runner", "nowhere.py:handler"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "cannot start: trigger 'nowhere.py:handler': no such file" in proc.stderr


def test_a_handler_file_broken_after_start_answers_lambdas_import_errors(tmp_path: Path) -> None:
    handler = tmp_path / "trigger.py"
    shutil.copy(TRIGGERS / "echo.py", handler)
    with LambdaRunner(f"{handler}:handler") as runner:
        client = _lambda(runner)
        handler.write_text("def handler(event, context:\n    return event\n")
        syntax = client.invoke(FunctionName="f", Payload=b"{}", LogType="Tail")
        handler.write_text("import not_a_module_anywhere\n")
        missing = client.invoke(FunctionName="f", Payload=b"{}")
    assert syntax["FunctionError"] == "Unhandled"
    assert json.loads(syntax["Payload"].read())["errorType"] == "Runtime.UserCodeSyntaxError"
    assert any(line.startswith("[ERROR] Runtime.UserCodeSyntaxError: Syntax error in module 'trigger'")
               for line in _tail(syntax))
    error = json.loads(missing["Payload"].read())
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"] == "Unable to import module 'trigger': No module named 'not_a_module_anywhere'"


def test_a_handler_file_with_a_syntax_error_is_refused_at_start(tmp_path: Path) -> None:
    handler = tmp_path / "broken.py"
    handler.write_text("def handler(:\n")
    with pytest.raises(ValueError, match=r"Syntax error in module 'broken'.*line 1"):
        LambdaRunner(f"{handler}:handler")
