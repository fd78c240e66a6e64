"""The sandbox's Custom Message trigger end to end: core (boto3) → HTTP → sandbox → handler → inbox,
history and CloudWatch Logs, with handler files and with a Lambda-Invoke endpoint."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.core.calls import get_user, send_verification_code
from app.core.connection import CognitoConnection
from app.core.history import HistoryStore
from app.core.models import Outcome
from app.core.recording import send_recorded
from app.core.trigger_event import build_custom_message_event, event_user_attributes
from app.core.trigger_logs import FollowSettings, LogKind, collect, open_follower
from app.sandbox import Sandbox, SandboxControl, SandboxControlError, SandboxInfo
from app.sandbox.lambda_runner import LambdaRunner

from support.sandbox_session import connect, service_error, signed_in

TRIGGERS = Path(__file__).resolve().parents[1] / "support" / "triggers"
ECHO = f"{TRIGGERS / 'echo.py'}:handler"
FUNCTION = "verifydesk-test-trigger"
FAST = FollowSettings(poll_interval_s=0.05, window_s=10.0, grace_s=0.2, clock_slack_s=2.0)


@pytest.fixture(scope="module")
def pool() -> Iterator[Sandbox]:
    """A sandbox of this module's own: its trigger changes never reach other tests' pool."""
    with Sandbox(trigger_function=FUNCTION) as sandbox:
        yield sandbox


@pytest.fixture
def use_trigger(pool: Sandbox) -> Iterator[Any]:
    def use(spec: str | None) -> None:
        pool.control.set_trigger(spec, FUNCTION)

    yield use
    pool.control.set_trigger(None)


@pytest.fixture
def user(pool: Sandbox) -> dict[str, Any]:
    return pool.control.create_user()


@pytest.fixture
def conn(pool: Sandbox) -> CognitoConnection:
    return connect(pool.info)


@pytest.fixture
def token(conn: CognitoConnection, user: dict[str, Any]) -> str:
    return signed_in(conn, user).access_token


@pytest.fixture
def history(verifydesk_home: Path) -> Iterator[HistoryStore]:
    with HistoryStore(verifydesk_home / "history.sqlite3") as store:
        yield store


def _expected_event(pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any],
                    metadata: dict[str, str] | None) -> dict[str, Any]:
    """What the window's preview builds from GetUser: the one event builder, the same inputs."""
    info = pool.info
    return build_custom_message_event(
        region=info.region, user_pool_id=info.user_pool_id, user_name=user["username"],
        client_id=info.client_id, user_attributes=event_user_attributes(get_user(conn, token).attribute_map),
        client_metadata=metadata,
    )


def _last_event(pool: Sandbox) -> dict[str, Any]:
    events = pool.control.trigger_events()
    assert events, "the trigger was not invoked"
    return events[-1]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_echo_trigger_message_is_delivered_and_the_event_sent_equals_the_preview(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    use_trigger(ECHO)
    metadata = {"campaign": "spring-42", "ünï": "çødé ✓", "empty": ""}
    send_verification_code(conn, token, "email", metadata)

    sent = _last_event(pool)
    assert sent["event"] == _expected_event(pool, conn, token, user, metadata)
    assert sent["event"]["request"]["clientMetadata"] == metadata
    assert sent["error_code"] is None and sent["function_name"] == FUNCTION
    message = pool.control.inbox(user["username"])[-1]
    code = message["code"]
    meta = json.dumps(metadata, sort_keys=True, ensure_ascii=False)
    assert message["subject"] == f"Echo code for {user['username']}"
    assert message["message"] == f"Echo: your code is {code}. metadata={meta}"
    assert message["client_metadata"] == metadata and message["trigger_error"] is None
    assert sent["response"]["response"]["emailMessage"] == f"Echo: your code is {{####}}. metadata={meta}"


def test_without_metadata_the_event_has_no_client_metadata_and_sms_uses_the_sms_message(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    use_trigger(ECHO)
    send_verification_code(conn, token, "phone_number")
    sent = _last_event(pool)
    assert "clientMetadata" not in sent["event"]["request"]
    assert sent["event"] == _expected_event(pool, conn, token, user, None)
    message = pool.control.inbox(user["username"])[-1]
    assert (message["medium"], message["subject"]) == ("SMS", None)
    assert message["message"] == f"Echo {message['code']} {{}}"


def test_a_raising_trigger_is_user_lambda_validation_exception_in_the_api_and_history(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str, user: dict[str, Any],
    history: HistoryStore,
) -> None:
    use_trigger(f"{TRIGGERS / 'raises.py'}:handler")
    recorded = send_recorded(conn, history, access_token=token, username=user["username"],
                             attribute_name="email", client_metadata={"k": "v"})
    assert recorded.error is not None
    assert recorded.error.code == "UserLambdaValidationException"
    assert recorded.error.message == "CustomMessage failed with error Email domain not allowed."
    assert recorded.history_id is not None
    row = history.get(recorded.history_id)
    assert row is not None
    assert (row.outcome, row.error_code) == (Outcome.ERROR, "UserLambdaValidationException")
    assert row.error_message == "CustomMessage failed with error Email domain not allowed."
    sent = _last_event(pool)
    assert sent["error_code"] == "UserLambdaValidationException"
    assert sent["response"]["errorType"] == "ValueError"
    traceback_line = next(line for line in sent["log_lines"] if line.startswith("[ERROR] ValueError"))
    assert "Traceback (most recent call last):" in traceback_line and "raises.py" in traceback_line
    assert pool.control.inbox(user["username"])[-1]["trigger_error"].startswith("UserLambdaValidationException")


@pytest.mark.parametrize(("handler", "problem"), [
    ("garbage.py", "The trigger returned a string, not the event object."),
    ("no_placeholder.py", "response.emailMessage does not contain the code placeholder {####}."),
])
def test_an_unusable_answer_is_invalid_lambda_response_exception_naming_the_problem(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str, handler: str, problem: str
) -> None:
    use_trigger(f"{TRIGGERS / handler}:handler")
    error = service_error(send_verification_code, conn, token, "email")
    assert error.code == "InvalidLambdaResponseException"
    assert problem in error.message
    assert _last_event(pool)["problems"] == [problem]


def test_an_unreachable_endpoint_is_unexpected_lambda_exception(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str
) -> None:
    use_trigger(f"http://127.0.0.1:{_closed_port()}")
    error = service_error(send_verification_code, conn, token, "email")
    assert error.code == "UnexpectedLambdaException"
    assert error.message.startswith("CustomMessage invocation failed due to error could not reach")
    assert _last_event(pool)["error_code"] == "UnexpectedLambdaException"


def test_a_handler_file_edited_between_sends_runs_its_new_code(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str, user: dict[str, Any],
    tmp_path: Path,
) -> None:
    handler = tmp_path / "editable.py"
    shutil.copy(TRIGGERS / "raises.py", handler)
    use_trigger(f"{handler}:handler")
    assert service_error(send_verification_code, conn, token, "email").code == "UserLambdaValidationException"
    shutil.copy(TRIGGERS / "echo.py", handler)
    send_verification_code(conn, token, "email")
    assert pool.control.inbox(user["username"])[-1]["message"].startswith("Echo: your code is ")


def test_trigger_log_lines_are_in_cloudwatch_logs_for_boto3_and_the_log_follower(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str
) -> None:
    use_trigger(ECHO)
    started = datetime.now(UTC)
    metadata = {"campaign": f"logs-{started.timestamp():.0f}"}
    send_verification_code(conn, token, "email", metadata)
    request_id = _last_event(pool)["request_id"]

    logs = boto3.client("logs", endpoint_url=pool.info.endpoint_url, region_name=pool.info.region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{FUNCTION}")["events"]
    everything = [e["message"] for e in events]
    first = everything.index(f"START RequestId: {request_id} Version: $LATEST")
    messages = everything[first:first + len(_last_event(pool)["log_lines"])]
    assert messages == _last_event(pool)["log_lines"]
    assert any(m.startswith("ECHO event ") and '"campaign": "logs-' in m for m in messages)
    assert messages[-2] == f"END RequestId: {request_id}"
    assert messages[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "Memory Size: 128 MB" in messages[-1] and "Max Memory Used: " in messages[-1]

    follower = open_follower(FUNCTION, started, region=pool.info.region, metadata=metadata, settings=FAST,
                             endpoint_url=pool.info.endpoint_url, static_credentials=("testing", "testing"))
    result = collect(follower)
    assert result.reason == "report"
    ours = [line for line in result.lines if line.request_id == request_id]
    assert ours[0].kind == LogKind.START and ours[-1].kind == LogKind.REPORT
    printed = next(line for line in ours if line.message.startswith("ECHO event "))
    assert printed.mentioned_keys == ("campaign",)


def test_the_sandbox_calls_a_lambda_runner_url_and_uses_its_log_tail(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    metadata = {"via": "lambda-runner"}
    with LambdaRunner(ECHO) as runner:
        use_trigger(runner.endpoint_url)
        send_verification_code(conn, token, "email", metadata)
        received = runner.invocations
    assert len(received) == 1
    assert received[0].function_name == FUNCTION
    assert received[0].headers["X-Amz-Log-Type"] == "Tail"
    sent = _last_event(pool)
    assert received[0].event == sent["event"] == _expected_event(pool, conn, token, user, metadata)
    assert sent["request_id"] == received[0].result.request_id
    assert list(received[0].result.log_lines) == sent["log_lines"]
    assert any(line.startswith("ECHO event ") for line in sent["log_lines"])
    code = pool.control.inbox(user["username"])[-1]["code"]
    assert pool.control.inbox(user["username"])[-1]["message"].startswith(f"Echo: your code is {code}.")


def test_a_function_error_from_a_url_target_is_user_lambda_validation_exception(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str
) -> None:
    with LambdaRunner(f"{TRIGGERS / 'raises.py'}:handler") as runner:
        use_trigger(runner.endpoint_url)
        error = service_error(send_verification_code, conn, token, "email")
    assert error.code == "UserLambdaValidationException"
    assert error.message == "CustomMessage failed with error Email domain not allowed."
    assert any("Traceback (most recent call last):" in line for line in _last_event(pool)["log_lines"])


def test_the_demo_trigger_puts_code_and_metadata_in_the_message(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    use_trigger("demo")
    send_verification_code(conn, token, "email", {"campaign": "demo-7"})
    message = pool.control.inbox(user["username"])[-1]
    assert message["subject"] == "Your VerifyDesk verification code"
    assert f"Your verification code is {message['code']}." in message["message"]
    assert "campaign = demo-7" in message["message"]
    assert any(line == 'clientMetadata: {"campaign": "demo-7"}' for line in _last_event(pool)["log_lines"])
    send_verification_code(conn, token, "phone_number", {"campaign": "demo-7"})
    sms = pool.control.inbox(user["username"])[-1]
    assert sms["message"] == f"VerifyDesk demo code: {sms['code']} (campaign=demo-7)"


def test_trigger_events_are_filtered_by_user_and_attribute_and_limited_to_the_newest(
    pool: Sandbox, use_trigger: Any, conn: CognitoConnection, token: str, user: dict[str, Any]
) -> None:
    use_trigger("demo")
    other = pool.control.create_user()
    other_token = signed_in(conn, other).access_token
    for attempt in ("1", "2"):
        send_verification_code(conn, token, "email", {"attempt": attempt})
        send_verification_code(conn, token, "phone_number", {"attempt": attempt})
        send_verification_code(conn, other_token, "email", {"attempt": attempt})
    control, name = pool.control, user["username"]

    mine = control.trigger_events(username=name, attribute="email")
    assert [e["event"]["request"]["clientMetadata"]["attempt"] for e in mine] == ["1", "2"]
    assert {(e["username"], e["attribute"]) for e in mine} == {(name, "email")}
    newest = control.trigger_events(username=name, attribute="email", limit=1)
    assert newest == mine[-1:]
    assert [e["attribute"] for e in control.trigger_events(username=name)] == ["email", "phone_number"] * 2
    assert {e["username"] for e in control.trigger_events(attribute="email", limit=2)} == {name, other["username"]}
    assert control.trigger_events()[-len(mine) * 3:] == control.trigger_events(limit=len(mine) * 3)
    with pytest.raises(SandboxControlError, match="limit: expected a positive whole number, got '0'"):
        control.trigger_events(limit=0)


def test_a_bad_trigger_spec_is_refused_with_the_reason(pool: Sandbox, use_trigger: Any) -> None:
    from app.sandbox.control import SandboxControlError

    with pytest.raises(SandboxControlError, match="no such file"):
        use_trigger(str(TRIGGERS / "missing.py") + ":handler")
    with pytest.raises(SandboxControlError, match="Handler 'nope' missing on module 'echo'"):
        use_trigger(f"{TRIGGERS / 'echo.py'}:nope")


def test_the_windows_embedded_sandbox_runs_the_demo_trigger_by_default() -> None:
    from app.ui.sandbox.mode import _start_embedded

    sandbox = _start_embedded()
    try:
        info = sandbox.info
        assert info.trigger_function == "verifydesk-custom-message"
        conn = connect(info)
        token = signed_in(conn, info.user("alice")).access_token
        send_verification_code(conn, token, "email", {"from": "window"})
        message = sandbox.control.inbox("alice")[-1]
        assert message["subject"] == "Your VerifyDesk verification code"
        assert "from = window" in message["message"] and message["code"] in message["message"]
    finally:
        sandbox.stop()


def test_verifydesk_sandbox_takes_the_demo_trigger_by_name() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "app", "sandbox", "--port", "0", "--trigger-endpoint", "demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = SandboxInfo.from_dict(json.loads(proc.stdout.readline()))
        conn = connect(info)
        send_verification_code(conn, signed_in(conn, info.user("alice")).access_token, "phone_number")
        sms = SandboxControl(info.endpoint_url).inbox("alice")[-1]
        assert sms["message"] == f"VerifyDesk demo code: {sms['code']}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
