"""An attribute change through the core's recorded path against the sandbox over HTTP: the pool's
policy read with DescribeUserPool, history rows of their own (old and new value, pending or applied),
the trigger's exact clientMetadata, GetUser before and after the code, and "send anyway"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.attribute_update import PendingValues
from app.core.calls import get_user
from app.core.connection import CognitoConnection
from app.core.history import HistoryFilter, HistoryStore
from app.core.models import SEND_OPERATION, UPDATE_OPERATION, Outcome, ValueState
from app.core.pool_admin import AdminAccess, AttributePolicy, describe_pool_triggers
from app.core.profile_model import Profile
from app.core.recording import send_recorded, update_recorded, verify_recorded
from app.core.validation import ATTRIBUTE_VALUE_FIELD, validate_update
from app.sandbox import Sandbox

from support.sandbox_session import connect, signed_in

ECHO = f"{Path(__file__).resolve().parents[1] / 'support' / 'triggers' / 'echo.py'}:handler"
METADATA = {"journey": "profile-edit", "ünï": "çødé ✓", "empty": ""}


@pytest.fixture(scope="module")
def pool() -> Iterator[Sandbox]:
    with Sandbox(trigger=ECHO) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def policy(pool: Sandbox) -> AttributePolicy:
    info = pool.info
    profile = Profile("sandbox", info.region, info.client_id, endpoint_url=info.endpoint_url,
                      user_pool_id=info.user_pool_id, sandbox=True)
    described = describe_pool_triggers(info.user_pool_id, **AdminAccess.for_profile(profile).kwargs())
    assert described.attribute_policy is not None
    return described.attribute_policy


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


def test_the_sandbox_pools_policy_is_read_with_describe_user_pool(policy: AttributePolicy) -> None:
    assert policy.keep_original == ("email",)
    assert policy.sends_code("email") and policy.sends_code("phone_number")
    assert policy.has_attribute("name") and policy.has_attribute("custom:nope") is False


def test_a_kept_original_email_is_recorded_pending_and_the_verified_code_applies_it(
    pool: Sandbox, policy: AttributePolicy, conn: CognitoConnection, token: str, user: dict[str, Any],
    history: HistoryStore,
) -> None:
    new = f"moved-{user['username']}@example.net"
    pending = PendingValues()
    updated = update_recorded(
        conn, history, access_token=token, username=user["username"], attribute_name="email", new_value=new,
        client_metadata=METADATA, policy=policy,
    )
    assert updated.ok, updated.error
    assert updated.pending and (updated.old_value, updated.new_value) == (user["email"], new)
    assert updated.result is not None and updated.result.request_id and updated.result.latency_ms > 0
    pending.record("email", new, updated.value_state)

    event = pool.control.trigger_events()[-1]["event"]
    assert (event["triggerSource"], event["request"]["clientMetadata"]) == (
        "CustomMessage_UpdateUserAttribute", METADATA)
    (email,) = [v for v in pending.views(get_user(conn, token)) if v.name == "email"]
    assert (email.sign_in_uses, email.active_verified, email.code_goes_to) == (user["email"], False, new)

    assert updated.history_id is not None
    row = history.get(updated.history_id)
    assert row is not None
    assert (row.operation, row.outcome, row.old_value, row.new_value, row.value_state) == (
        UPDATE_OPERATION, Outcome.SUCCESS, user["email"], new, ValueState.PENDING)
    assert row.client_metadata == METADATA
    assert row.delivery is not None and row.delivery.destination == "m***@e***"

    code = pool.control.latest_code(user["username"], "email")
    verified = verify_recorded(conn, history, access_token=token, username=user["username"],
                               attribute_name="email", code=code)
    assert verified.ok, verified.error
    (email,) = [v for v in pending.views(get_user(conn, token)) if v.name == "email"]
    assert (email.active, email.active_verified, email.pending) == (new, True, None)


def test_a_phone_number_the_pool_does_not_keep_is_recorded_applied_and_unverified(
    pool: Sandbox, conn: CognitoConnection, token: str, user: dict[str, Any], history: HistoryStore,
) -> None:
    updated = update_recorded(
        conn, history, access_token=token, username=user["username"], attribute_name="phone_number",
        new_value="+15555550177", client_metadata={},
    )
    assert updated.ok and updated.value_state is ValueState.APPLIED and not updated.pending
    phone = get_user(conn, token).attribute("phone_number")
    assert phone is not None and (phone.value, phone.verified) == ("+15555550177", False)
    assert "clientMetadata" not in pool.control.trigger_events()[-1]["event"]["request"]
    row = history.get(updated.history_id or 0)
    assert row is not None and (row.old_value, row.value_state) == (user["phone_number"], ValueState.APPLIED)


def test_updates_are_filtered_apart_from_sends(
    conn: CognitoConnection, token: str, user: dict[str, Any], history: HistoryStore,
) -> None:
    send_recorded(conn, history, access_token=token, username=user["username"], attribute_name="email",
                  client_metadata={})
    named = update_recorded(conn, history, access_token=token, username=user["username"], attribute_name="name",
                            new_value="Renamed", client_metadata={})
    assert named.ok and named.result is not None and named.result.deliveries == ()
    updates = history.page(HistoryFilter(operation=UPDATE_OPERATION))
    assert [(r.attribute_name, r.new_value, r.value_state, r.delivery) for r in updates] == [
        ("name", "Renamed", ValueState.APPLIED, None)]
    assert [r.operation for r in history.page(HistoryFilter(operation=SEND_OPERATION))] == [SEND_OPERATION]


def test_send_anyway_skips_our_check_and_records_the_servers_refusal(
    conn: CognitoConnection, token: str, user: dict[str, Any], history: HistoryStore,
) -> None:
    problems = validate_update(token, "email", "not-an-email")
    assert [p.field for p in problems] == [ATTRIBUTE_VALUE_FIELD]

    refused = update_recorded(conn, history, access_token=token, username=user["username"],
                              attribute_name="email", new_value="not-an-email", client_metadata={})
    assert refused.error is not None
    assert (refused.error.code, refused.error.message) == ("InvalidParameterException", "Invalid email address format.")
    row = history.get(refused.history_id or 0)
    assert row is not None
    assert (row.outcome, row.error_code, row.new_value, row.value_state) == (
        Outcome.ERROR, "InvalidParameterException", "not-an-email", None)
    assert get_user(conn, token).attribute_map["email"] == user["email"]


def test_a_code_request_beyond_the_rate_is_a_limit_exceeded_row(
    conn: CognitoConnection, token: str, user: dict[str, Any], history: HistoryStore,
) -> None:
    for _ in range(5):
        assert send_recorded(conn, history, access_token=token, username=user["username"],
                             attribute_name="email", client_metadata={}).ok
    refused = send_recorded(conn, history, access_token=token, username=user["username"],
                            attribute_name="email", client_metadata={})
    assert refused.error is not None and refused.error.code == "LimitExceededException"
    assert history.count(HistoryFilter(error_code="LimitExceededException")) == 1
