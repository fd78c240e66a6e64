"""The trigger's side of a request without Qt, against the sandbox: the preview is the event sent, local
runs are found, checked and rendered, and the log lines are stored with the history record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.core.calls import get_user, send_verification_code
from app.core.errors import ServiceError
from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
from app.core.history.records import TOKEN_PLACEHOLDER
from app.core.models import SEND_OPERATION, ConnectionInfo, Outcome
from app.core.trigger_insight import (
    EventInputs,
    describe_run,
    event_differences,
    find_run,
    medium_for,
    preview_event,
    trigger_function_for,
)

from support.sandbox_session import connect, signed_in

INFO = ConnectionInfo("eu-west-1", "http://127.0.0.1:9999", "eu-west-1_Pool", "client123", "sandbox")
JWS = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_trigger_log_lines_attach_to_a_finished_record_replace_earlier_text_and_are_cleaned(
    tmp_path: Path,
) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        row_id = store.begin(AttemptStart(SEND_OPERATION, INFO, "alice", "email", {"campaign": "spring"}))
        store.complete(row_id, AttemptCompletion(Outcome.SUCCESS, http_status=200, latency_ms=5.0, attempts=1))

        first = store.set_trigger_log(row_id, "START RequestId: 1")
        assert first.trigger_log == "START RequestId: 1"
        record = store.set_trigger_log(row_id, f"START RequestId: 1\nprinted token {JWS}")

        assert record.outcome is Outcome.SUCCESS  # the completion is untouched
        assert record.trigger_log == f"START RequestId: 1\nprinted token {TOKEN_PLACEHOLDER}"
        stored = store.get(row_id)
        assert stored is not None and stored.trigger_log == record.trigger_log
        with pytest.raises(KeyError):
            store.set_trigger_log(row_id + 100, "x")


# --- against the sandbox's trigger ------------------------------------------------------------------

TRIGGERS = Path(__file__).resolve().parents[1] / "support" / "triggers"


@pytest.fixture
def control(sandbox: Any) -> Iterator[Any]:
    sandbox.control.clear_faults()
    sandbox.control.set_trigger(None)
    yield sandbox.control
    sandbox.control.set_trigger(None)


def _send(sandbox_info: Any, user: dict[str, str], attribute: str, metadata: dict[str, str]) -> tuple[
    EventInputs, datetime, ServiceError | None
]:
    conn = connect(sandbox_info)
    tokens = signed_in(conn, user)
    profile = get_user(conn, tokens.access_token)
    inputs = EventInputs(sandbox_info.region, sandbox_info.user_pool_id, sandbox_info.client_id,
                         profile.username, profile.attribute_map, metadata)
    started = datetime.now(UTC)
    try:
        send_verification_code(conn, tokens.access_token, attribute, metadata)
    except ServiceError as error:
        return inputs, started, error
    return inputs, started, None


@pytest.mark.parametrize(("attribute", "metadata"), [
    ("email", {"campaign": "été ☀", "empty": ""}),
    ("phone_number", {}),
])
def test_the_preview_is_the_event_the_sandbox_sends(
    sandbox_info: Any, control: Any, fresh_user: dict[str, str], attribute: str, metadata: dict[str, str]
) -> None:
    control.set_trigger(f"{TRIGGERS / 'echo.py'}:handler")
    inputs, started, error = _send(sandbox_info, fresh_user, attribute, metadata)
    assert error is None

    entry = find_run(control.trigger_events(), username=inputs.username, attribute=attribute, since=started)
    assert entry is not None
    assert preview_event(inputs) == entry["event"]
    assert ("clientMetadata" in entry["event"]["request"]) is bool(metadata)


def test_an_echo_run_renders_the_message_the_inbox_received(
    sandbox_info: Any, control: Any, fresh_user: dict[str, str]
) -> None:
    control.set_trigger(f"{TRIGGERS / 'echo.py'}:handler")
    inputs, started, _ = _send(sandbox_info, fresh_user, "phone_number", {"k": "v"})
    entry = find_run(control.trigger_events(), username=inputs.username, attribute="phone_number",
                     since=started)
    assert entry is not None
    delivered = control.inbox(fresh_user["username"])[-1]

    run = describe_run(entry, medium_for("phone_number"), delivered["code"])
    assert run.ok and run.problems == () and run.medium == "SMS"
    assert run.rendered is not None and run.rendered.subject is None
    assert run.rendered.body == delivered["message"]
    assert delivered["code"] in run.rendered.body
    assert any(line.startswith("REPORT RequestId") for line in run.log_lines)


def test_a_message_without_the_placeholder_is_an_invalid_response_with_the_problem_named(
    sandbox_info: Any, control: Any, fresh_user: dict[str, str]
) -> None:
    control.set_trigger(f"{TRIGGERS / 'no_placeholder.py'}:handler")
    inputs, started, error = _send(sandbox_info, fresh_user, "email", {})
    assert error is not None and error.code == "InvalidLambdaResponseException"
    entry = find_run(control.trigger_events(), username=inputs.username, attribute="email", since=started)
    assert entry is not None

    run = describe_run(entry, "EMAIL", "123456")
    assert not run.ok and run.rendered is None
    assert run.problems == ("response.emailMessage does not contain the code placeholder {####}.",)


def test_a_raising_run_has_no_answer_to_check(sandbox_info: Any, control: Any, fresh_user: dict[str, str]) -> None:
    control.set_trigger(f"{TRIGGERS / 'raises.py'}:handler")
    inputs, started, error = _send(sandbox_info, fresh_user, "email", {})
    assert error is not None and error.code == "UserLambdaValidationException"
    entry = find_run(control.trigger_events(), username=inputs.username, attribute="email", since=started)
    assert entry is not None
    run = describe_run(entry, "EMAIL", None)
    assert run.error_code == "UserLambdaValidationException" and run.problems == ()
    assert "Email domain not allowed" in (run.error_message or "")


# --- pure helpers -----------------------------------------------------------------------------------


def test_find_run_takes_the_newest_run_for_the_user_and_attribute_since_the_request() -> None:
    since = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    entries = [
        {"id": 1, "username": "ann", "attribute": "email", "sent_at": "2026-01-01T11:59:00.000Z"},
        {"id": 2, "username": "ann", "attribute": "email", "sent_at": "2026-01-01T12:00:01.000Z"},
        {"id": 3, "username": "bob", "attribute": "email", "sent_at": "2026-01-01T12:00:02.000Z"},
        {"id": 4, "username": "ann", "attribute": "phone_number", "sent_at": "2026-01-01T12:00:03.000Z"},
    ]
    assert find_run(entries, username="ann", attribute="email", since=since)["id"] == 2  # type: ignore[index]
    assert find_run(entries, username="ann", attribute="email", since=since.replace(minute=1)) is None
    assert find_run(entries, username="carl", attribute="email", since=since) is None


def test_event_differences_name_each_path_that_differs() -> None:
    preview = {"request": {"clientMetadata": {"a": "1"}, "userAttributes": {"email": "x"}}, "version": "1"}
    sent = {"request": {"userAttributes": {"email": "y"}}, "version": "1", "extra": True}
    assert event_differences(preview, sent) == [
        "extra (only in the event sent)",
        "request.clientMetadata (only in the preview)",
        "request.userAttributes.email",
    ]
    assert event_differences(preview, preview) == []


def test_the_log_to_follow_comes_from_the_pool_then_the_sandbox_then_the_profile() -> None:
    assert trigger_function_for(pool_function="p", pool_checked=True, profile_function="f",
                                sandbox_function="s")[0] == "p"
    assert trigger_function_for(pool_function=None, pool_checked=False, profile_function="f",
                                sandbox_function="s")[0] == "s"
    assert trigger_function_for(pool_function=None, pool_checked=True, profile_function="f")[0] == "f"
    function, why = trigger_function_for(pool_function=None, pool_checked=True, profile_function=None)
    assert function is None and "no Custom Message trigger" in why
    function, why = trigger_function_for(pool_function=None, pool_checked=False, profile_function=None)
    assert function is None and "load the pool's trigger configuration" in why


def test_the_preview_says_what_is_missing_instead_of_guessing() -> None:
    inputs = EventInputs("eu-west-1", None, "client", "ann", {}, None)
    assert inputs.problem is not None and "user pool id" in inputs.problem
    with pytest.raises(ValueError, match="user pool id"):
        preview_event(inputs)
    assert "Sign in" in (EventInputs("eu-west-1", "eu-west-1_X", "client", None, {}, None).problem or "")
