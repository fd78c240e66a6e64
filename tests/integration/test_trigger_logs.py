"""Following a trigger's CloudWatch log group over real HTTP (moto's CloudWatch Logs)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from app.core.errors import ServiceError
from app.core.pool_admin import AdminAccess
from app.core.profile_model import Profile
from app.core.trigger_logs import (
    FollowSettings,
    LogFollower,
    LogKind,
    MetadataMatcher,
    classify,
    collect,
    follow,
    open_follower,
    render_text,
    request_id_in,
)

from support.aws_error_server import aws_error_server
from support.moto_server import FAKE_KEY_ID, FAKE_SECRET, moto_server

REGION = "eu-north-1"
FAST = FollowSettings(poll_interval_s=0.05, window_s=10.0, grace_s=0.2, clock_slack_s=2.0)
OURS = "6f1c8f0e-1b2a-4c3d-9e8f-0a1b2c3d4e5f"
EARLIER = "11111111-2222-3333-4444-555555555555"
METADATA = {"campaign": "spring-42", "locale": "fr-CA", "flag": "1", "note": "café ✓", "blank": ""}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def logs(moto_url: str) -> Any:
    return boto3.client(
        "logs", endpoint_url=moto_url, region_name=REGION,
        aws_access_key_id=FAKE_KEY_ID, aws_secret_access_key=FAKE_SECRET,
    )


@pytest.fixture
def function_name(logs: Any) -> str:
    name = f"custom-message-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=f"/aws/lambda/{name}")
    return name


def _put(logs: Any, function: str, stream: str, lines: list[tuple[datetime, str]]) -> None:
    group = f"/aws/lambda/{function}"
    existing = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stream)["logStreams"]
    if not any(s["logStreamName"] == stream for s in existing):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events = [{"timestamp": int(moment.timestamp() * 1000), "message": text} for moment, text in lines]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def _invocation(request_id: str, at: datetime, body: list[str]) -> list[tuple[datetime, str]]:
    lines = [f"START RequestId: {request_id} Version: $LATEST\n", *body, f"END RequestId: {request_id}\n",
             f"REPORT RequestId: {request_id}\tDuration: 12.3 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\n"]
    return [(at + timedelta(milliseconds=i), line) for i, line in enumerate(lines)]


def _follower(logs: Any, function: str, started: datetime, **kwargs: Any) -> LogFollower:
    return LogFollower(logs, function, started, kwargs.pop("metadata", METADATA), kwargs.pop("settings", FAST))


def test_an_invocation_is_read_classified_and_metadata_mentions_flagged(logs: Any, function_name: str) -> None:
    started = datetime.now(UTC)
    stream = "2026/01/01/[$LATEST]abc"
    _put(logs, function_name, stream, _invocation(EARLIER, started - timedelta(seconds=60), ["old line spring-42\n"]))
    _put(logs, function_name, stream, _invocation(OURS, started + timedelta(milliseconds=50), [
        "event received for campaign spring-42\n",
        '{"clientMetadata": {"note": "caf\\u00e9 \\u2713", "flag": "1"}}\n',
        f"[INFO]\t{started:%Y-%m-%dT%H:%M:%S}.000Z\t{OURS}\trendering message\n",
        f"[ERROR]\t{started:%Y-%m-%dT%H:%M:%S}.000Z\t{OURS}\tKeyError: 'emailMessage'\n",
        "Traceback (most recent call last):\n",
        "flag was 12 not one\n",
    ]))

    result = collect(_follower(logs, function_name, started))

    assert result.reason == "report"
    assert result.log_group == f"/aws/lambda/{function_name}"
    assert [line.kind for line in result.lines] == [
        LogKind.START, LogKind.OUTPUT, LogKind.OUTPUT, LogKind.OUTPUT, LogKind.ERROR, LogKind.ERROR,
        LogKind.OUTPUT, LogKind.END, LogKind.REPORT,
    ]
    assert all(line.request_id == OURS for line in result.lines)
    assert "old line spring-42" not in render_text(result.lines)  # before the start time
    flagged = {line.message: line.mentioned_keys for line in result.lines if line.mentions_metadata}
    assert flagged == {
        "event received for campaign spring-42": ("campaign",),
        '{"clientMetadata": {"note": "caf\\u00e9 \\u2713", "flag": "1"}}': ("flag", "note"),
    }
    assert not result.lines[-1].mentions_metadata  # "128 MB" and "1" in a REPORT are not metadata
    assert all(line.message == line.message.rstrip("\n") for line in result.lines)
    text = result.to_text()
    assert "*OUTPUT event received for campaign spring-42" in text
    assert " ERROR  Traceback (most recent call last):" in text


def test_lines_are_deduplicated_by_event_id_per_stream(logs: Any, function_name: str) -> None:
    started = datetime.now(UTC)
    _put(logs, function_name, "stream-a", [(started, "from a")])
    _put(logs, function_name, "stream-b", [(started, "from b")])
    follower = _follower(logs, function_name, started)
    first = follower.poll()
    second = follower.poll()
    assert sorted(line.message for line in first.lines) == ["from a", "from b"]
    assert second.lines == ()
    assert all(line.event_id for line in first.lines)
    assert {line.log_stream for line in first.lines} == {"stream-a", "stream-b"}
    _put(logs, function_name, "stream-a", [(started + timedelta(milliseconds=5), "later in a")])
    assert [line.message for line in follower.poll().lines] == ["later in a"]


def test_following_waits_for_the_report_that_arrives_later(logs: Any, function_name: str) -> None:
    started = datetime.now(UTC)
    lines = _invocation(OURS, started, ["working\n"])
    _put(logs, function_name, "s", lines[:2])

    def finish_later() -> None:
        time.sleep(0.6)
        _put(logs, function_name, "s", lines[2:])

    writer = threading.Thread(target=finish_later)
    writer.start()
    try:
        batches = list(follow(_follower(logs, function_name, started)))
    finally:
        writer.join()
    assert batches[-1].reason == "report"
    assert len(batches) > 3  # several empty rounds while the function was "running"
    kinds = [line.kind for batch in batches for line in batch.lines]
    assert kinds == [LogKind.START, LogKind.OUTPUT, LogKind.END, LogKind.REPORT]


def test_a_report_of_an_invocation_that_started_before_the_request_does_not_end_following(
    logs: Any, function_name: str
) -> None:
    started = datetime.now(UTC)
    earlier = _invocation(EARLIER, started - timedelta(seconds=30), [])
    _put(logs, function_name, "s", [earlier[-1]])  # only its REPORT lands inside the slack
    _put(logs, function_name, "s", [(started, f"REPORT RequestId: {EARLIER}\tDuration: 1 ms")])
    settings = FollowSettings(poll_interval_s=0.05, window_s=0.6, grace_s=0.05, clock_slack_s=2.0)
    result = collect(_follower(logs, function_name, started, settings=settings))
    assert result.reason == "deadline"
    assert any("No REPORT line arrived" in note for note in result.notes)


def test_a_missing_log_group_is_an_empty_result_with_a_note(logs: Any) -> None:
    settings = FollowSettings(poll_interval_s=0.05, window_s=0.3, grace_s=0.1)
    result = collect(_follower(logs, "never-deployed-function", datetime.now(UTC), settings=settings))
    assert result.lines == ()
    assert result.reason == "deadline"
    assert any("/aws/lambda/never-deployed-function does not exist" in note for note in result.notes)


def test_stop_ends_following_promptly(logs: Any, function_name: str) -> None:
    stopped = threading.Event()
    settings = FollowSettings(poll_interval_s=240.0, window_s=60.0)
    follower = _follower(logs, function_name, datetime.now(UTC), settings=settings)
    threading.Timer(0.2, stopped.set).start()
    began = time.monotonic()
    result = collect(follower, stop=stopped.is_set)
    assert result.reason == "stopped"
    assert time.monotonic() - began < 60  # stopped at 0.2 s; the next poll would come after 240 s


def test_a_coroutine_follows_through_an_executor_and_can_cancel(logs: Any, function_name: str) -> None:
    started = datetime.now(UTC)
    _put(logs, function_name, "s", [(started, "hello from the trigger spring-42")])
    follower = _follower(logs, function_name, started, settings=FollowSettings(poll_interval_s=0.05, window_s=60))

    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        cancel = threading.Event()
        seen: list[str] = []
        batches = follow(follower, stop=cancel.is_set)
        while True:
            batch = await loop.run_in_executor(None, next, batches)
            seen.extend(line.message for line in batch.lines)
            if seen:
                cancel.set()  # e.g. the tester pressed "stop following"
            if batch.finished:
                assert batch.reason == "stopped"
                return seen

    assert asyncio.run(asyncio.wait_for(scenario(), timeout=10)) == ["hello from the trigger spring-42"]


def test_open_follower_signs_with_static_credentials_for_the_sandbox(
    moto_url: str, logs: Any, function_name: str
) -> None:
    started = datetime.now(UTC)
    _put(logs, function_name, "s", _invocation(OURS, started, ["sandbox says hi\n"]))
    follower = open_follower(
        function_name, started, region=REGION, metadata={}, settings=FAST,
        endpoint_url=moto_url, static_credentials=("testing", "testing"),
    )
    result = collect(follower)
    assert [line.message for line in result.lines][1] == "sandbox says hi"
    assert result.reason == "report"


def test_a_sandbox_profile_follows_the_sandbox_servers_log_groups(sandbox_info: Any) -> None:
    """The sandbox's server is where its trigger writes: a sandbox profile reads from there."""
    logs = boto3.client(
        "logs", endpoint_url=sandbox_info.endpoint_url, region_name=sandbox_info.region,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    function = f"sandbox-trigger-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=f"/aws/lambda/{function}")
    started = datetime.now(UTC)
    _put(logs, function, "s", _invocation(OURS, started, ["clientMetadata: {'campaign': 'spring-42'}\n"]))
    profile = Profile(
        "sandbox", sandbox_info.region, sandbox_info.client_id, endpoint_url=sandbox_info.endpoint_url,
        sandbox=True,
    )
    follower = open_follower(
        function, started, metadata=METADATA, settings=FAST, **AdminAccess.for_profile(profile).kwargs()
    )
    result = collect(follower)
    assert result.reason == "report"
    assert [line.mentioned_keys for line in result.lines if line.mentions_metadata] == [("campaign",)]


def test_access_denied_on_the_log_group_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    message = "User: arn:aws:iam::1:user/qa is not authorized to perform: logs:FilterLogEvents"
    with aws_error_server("AccessDeniedException", message) as server:
        follower = open_follower(
            "fn", datetime.now(UTC), region=REGION, endpoint_url=server.url,
            static_credentials=("AKIAEXAMPLE", "example-secret"),
        )
        with pytest.raises(ServiceError) as caught:
            follower.poll()
    assert caught.value.code == "AccessDeniedException"
    assert "logs:FilterLogEvents" in caught.value.guidance


def test_a_network_failure_is_noted_and_following_goes_on() -> None:
    with aws_error_server("ServiceUnavailable", "try later", status=503) as server:
        url = server.url
    # The window only has to outlast one refused poll, however slow a loaded machine makes it.
    follower = open_follower(
        "fn", datetime.now(UTC), region=REGION, endpoint_url=url,
        settings=FollowSettings(poll_interval_s=0.05, window_s=3.0), static_credentials=("a", "b"),
    )
    first = follower.poll()
    assert first.finished is False
    assert first.notes and first.notes[0].startswith("NetworkError")
    assert collect(follower).reason == "deadline"


# --- classification ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (f"START RequestId: {OURS} Version: $LATEST", LogKind.START),
        (f"END RequestId: {OURS}", LogKind.END),
        (f"REPORT RequestId: {OURS}\tDuration: 2.1 ms\tStatus: error\tError Type: Runtime.ExitError", LogKind.REPORT),
        (f"[ERROR] KeyError: 'x'\nTraceback (most recent call last):\n  File ...\t{OURS}", LogKind.ERROR),
        (f"2024-01-01T00:00:00.000Z\t{OURS}\tERROR\tInvoke Error", LogKind.ERROR),
        (f"2024-01-01T00:00:00.000Z {OURS} Task timed out after 3.00 seconds", LogKind.ERROR),
        ('{"timestamp":"x","level":"ERROR","message":"boom","requestId":"r-1"}', LogKind.ERROR),
        ('{"errorType": "TypeError", "errorMessage": "x is undefined"}', LogKind.ERROR),
        ("INIT_START Runtime Version: python:3.12.v18", LogKind.OUTPUT),
        ("plain print output mentioning an error in lower case", LogKind.OUTPUT),
    ],
)
def test_lines_are_classified_as_lambda_writes_them(message: str, kind: LogKind) -> None:
    assert classify(message) is kind


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (f"REPORT RequestId: {OURS}\tDuration: 1 ms", OURS),
        (f"[INFO]\t2024-01-01T00:00:00.000Z\t{OURS}\thello", OURS),
        (f"2024-01-01T00:00:00.000Z\t{OURS}\tINFO\thello", OURS),
        ('{"level":"INFO","requestId":"abc-123"}', "abc-123"),
        (f"user id {OURS} in the text is not a request id", None),
    ],
)
def test_request_ids_are_read_from_platform_runtime_and_json_lines(message: str, expected: str | None) -> None:
    assert request_id_in(message) == expected


def test_short_metadata_values_match_only_as_whole_words() -> None:
    matcher = MetadataMatcher({"flag": "1", "id": "ab", "long": "abc"})
    assert matcher.keys_in("flag=1;") == ("flag",)
    assert matcher.keys_in("took 12 ms, cabby") == ()
    assert matcher.keys_in("xxabcxx") == ("long",)
    assert MetadataMatcher(None).keys_in("anything") == ()
    assert MetadataMatcher({"empty": "", "space": "  "}).keys_in("  ") == ()
