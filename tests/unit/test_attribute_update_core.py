"""The Qt-free parts of changing an attribute: value checks, the error catalogue and its advice, the
pool's policy, pending vs active values, both trigger sources, and history rows of their own."""

from __future__ import annotations

import gzip
import json
import shlex
import sqlite3
from pathlib import Path

import botocore
import pytest

from app.core.attribute_errors import UPDATE_ERROR_CODES
from app.core.attribute_update import PendingValues, value_state_after
from app.core.aws_cli_command import command_for_record
from app.core.calls import UserAttribute, UserProfile
from app.core.error_catalogue import CATALOGUE
from app.core.errors import ErrorContext, entry_in
from app.core.history import (
    SCHEMA_VERSION,
    AttemptCompletion,
    AttemptStart,
    HistoryFilter,
    HistoryStore,
    schema,
)
from app.core.history import export as export_module
from app.core.models import (
    SEND_OPERATION,
    UPDATE_OPERATION,
    CodeDeliveryDetails,
    ConnectionInfo,
    Outcome,
    ValueState,
)
from app.core.pool_admin import AttributePolicy, attribute_policy_from_pool, trigger_info_from_pool
from app.core.trigger_event import (
    UPDATE_USER_ATTRIBUTE,
    VERIFY_USER_ATTRIBUTE,
    build_custom_message_event,
    trigger_source_for,
    updated_user_attributes,
)
from app.core.validation import (
    ATTRIBUTE_NAME_FIELD,
    ATTRIBUTE_VALUE_FIELD,
    attribute_value_problem,
    validate_update,
)

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
INFO = ConnectionInfo("us-east-1", "http://127.0.0.1:9", "us-east-1_Pool", "client", "qa")
KEEPS_EMAIL = AttributePolicy(keep_original=("email",), auto_verified=("email", "phone_number"))


def _service_model_errors() -> set[str]:
    path = Path(botocore.__file__).parent / "data" / "cognito-idp" / "2016-04-18" / "service-2.json.gz"
    model = json.loads(gzip.decompress(path.read_bytes()))
    return {error["shape"] for error in model["operations"]["UpdateUserAttributes"]["errors"]}


def test_every_error_update_user_attributes_can_answer_is_in_the_catalogue() -> None:
    assert set(UPDATE_ERROR_CODES) == _service_model_errors()
    assert set(UPDATE_ERROR_CODES) <= set(CATALOGUE)


@pytest.mark.parametrize(("name", "value", "words"), [
    ("email", "", "Enter the new value"),
    ("email", "no-at-sign.example.com", "does not look like an email"),
    ("email", "two@@example.com", "does not look like an email"),
    ("email", "space in@example.com", "does not look like an email"),
    ("email", "user@localhost", "does not look like an email"),
    ("phone_number", "5555550100", "E.164"),
    ("phone_number", "+1 555 555 0100", "E.164"),
    ("phone_number", "+0155555501", "E.164"),
    ("phone_number", "+1234567890123456", "E.164"),
    ("name", "x" * 2049, "At most 2048"),
])
def test_values_that_cannot_be_sent_are_named(name: str, value: str, words: str) -> None:
    problem = attribute_value_problem(name, value)
    assert problem is not None and words in problem


@pytest.mark.parametrize(("name", "value"), [
    ("email", "new.tester+tag@example.co.uk"), ("phone_number", "+15555550100"), ("phone_number", "+442071838750"),
    ("name", "Ünï Çødé"), ("custom:team", "qa"),
])
def test_good_values_pass(name: str, value: str) -> None:
    assert attribute_value_problem(name, value) is None


def test_an_update_request_names_each_bad_field_and_an_attribute_the_pool_lacks() -> None:
    errors = validate_update(TOKEN, "custom:nope", "", pool_attributes=("email", "name", "sub"))
    fields = {error.field: error.message for error in errors}
    assert "no attribute 'custom:nope'" in fields[ATTRIBUTE_NAME_FIELD]
    assert "Enter the new value" in fields[ATTRIBUTE_VALUE_FIELD]
    assert validate_update(TOKEN, "email", "a@example.com", pool_attributes=("email",)) == []
    assert validate_update(TOKEN, "custom:nope", "qa") == []  # the schema unknown: the server decides


def test_update_advice_fits_an_attribute_change() -> None:
    context = ErrorContext(operation="update", attribute_name="email")
    invalid = entry_in("InvalidParameterException", "Invalid email address format.", context)
    assert "E.164" in invalid.next_step and "only `email` and `phone_number`" not in invalid.next_step
    unauthorized = entry_in("NotAuthorizedException", "A client attempted to write unauthorized attribute", context)
    assert "writable attributes" in unauthorized.next_step and not unauthorized.offers_refresh
    expired = entry_in("NotAuthorizedException", "Access Token has expired", context)
    assert expired.offers_refresh
    assert "sign-in alias" in entry_in("AliasExistsException", "An account with the email already exists.",
                                       context).explanation
    assert entry_in("OperationNotEnabledException", "", context).code == "OperationNotEnabledException"


def test_the_policy_is_read_from_describe_user_pool() -> None:
    pool = {
        "Id": "us-east-1_X", "AutoVerifiedAttributes": ["email"],
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
        "SchemaAttributes": [{"Name": "sub", "Mutable": False}, {"Name": "email", "Mutable": True},
                             {"Name": "custom:team", "Mutable": True}],
    }
    policy = attribute_policy_from_pool(pool)
    assert (policy.keep_original, policy.auto_verified, policy.immutable) == (("email",), ("email",), ("sub",))
    assert policy.keeps_original("email") and not policy.keeps_original("phone_number")
    assert policy.sends_code("email") and not policy.sends_code("phone_number") and not policy.sends_code("name")
    assert policy.has_attribute("custom:team") and policy.has_attribute("custom:nope") is False
    assert trigger_info_from_pool(pool).attribute_policy == policy
    bare = attribute_policy_from_pool({"Id": "us-east-1_Y"})
    assert (bare.keep_original, bare.has_attribute("email")) == ((), None)


def test_get_user_after_the_call_decides_pending_or_applied_and_the_policy_predicts_without_it() -> None:
    assert value_state_after("email", "old@x.org", "new@x.org", active_after="old@x.org") is ValueState.PENDING
    assert value_state_after("email", "old@x.org", "new@x.org", active_after="new@x.org") is ValueState.APPLIED
    assert value_state_after("email", "old@x.org", "new@x.org", policy=KEEPS_EMAIL) is ValueState.PENDING
    assert value_state_after("phone_number", "+1555", "+1556", policy=KEEPS_EMAIL) is ValueState.APPLIED
    assert value_state_after("email", "", "new@x.org", policy=KEEPS_EMAIL) is ValueState.APPLIED
    assert value_state_after("email", "old@x.org", "new@x.org") is None
    assert value_state_after("name", "A", "B") is ValueState.APPLIED


def _profile(email: str, verified: bool) -> UserProfile:
    return UserProfile("u", (UserAttribute("email", email, verified), UserAttribute("name", "N")))


def test_a_pending_value_is_shown_beside_the_active_one_until_get_user_shows_it_active() -> None:
    pending = PendingValues()
    pending.record("email", "new@x.org", ValueState.PENDING)
    (email,) = pending.views(_profile("old@x.org", True))
    assert (email.active, email.active_verified, email.pending) == ("old@x.org", True, "new@x.org")
    assert (email.code_goes_to, email.sign_in_uses) == ("new@x.org", "old@x.org")

    (email,) = pending.views(_profile("new@x.org", True))
    assert (email.active, email.pending, email.code_goes_to) == ("new@x.org", None, "new@x.org")
    assert pending.get("email") is None
    pending.record("email", "other@x.org", ValueState.APPLIED)
    assert pending.get("email") is None


def test_the_event_preview_knows_both_trigger_sources() -> None:
    assert trigger_source_for(SEND_OPERATION) == VERIFY_USER_ATTRIBUTE == "CustomMessage_VerifyUserAttribute"
    assert trigger_source_for(UPDATE_OPERATION) == UPDATE_USER_ATTRIBUTE == "CustomMessage_UpdateUserAttribute"
    with pytest.raises(ValueError, match="UpdateUserAttributes"):
        trigger_source_for("VerifyUserAttribute")
    attributes = updated_user_attributes({"email": "old@x.org", "email_verified": "true"}, "email", "new@x.org")
    event = build_custom_message_event(
        region="us-east-1", user_pool_id="us-east-1_P", user_name="u", client_id="c",
        user_attributes=attributes, client_metadata={"k": "v"}, trigger_source=trigger_source_for(UPDATE_OPERATION),
    )
    assert event["triggerSource"] == "CustomMessage_UpdateUserAttribute"
    assert event["request"]["userAttributes"] == {"email": "new@x.org", "email_verified": "false"}
    assert event["request"]["clientMetadata"] == {"k": "v"}


def _update_row(store: HistoryStore, old: str, new: str, state: ValueState) -> int:
    row_id = store.begin(AttemptStart(UPDATE_OPERATION, INFO, "alice", "email", {"k": "v"}, old_value=old,
                                      new_value=new))
    store.complete(row_id, AttemptCompletion(
        Outcome.SUCCESS, delivery=CodeDeliveryDetails("email", "EMAIL", "n***@e***"), http_status=200,
        request_id="r-1", latency_ms=12.0, attempts=1, value_state=state))
    return row_id


def test_history_records_an_update_as_its_own_call_filterable_and_exported(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.begin(AttemptStart(SEND_OPERATION, INFO, "alice", "email", {}))
        row_id = _update_row(store, "old@x.org", "new@x.org", ValueState.PENDING)
        record = store.get(row_id)
        assert record is not None
        assert (record.operation, record.old_value, record.new_value, record.value_state) == (
            UPDATE_OPERATION, "old@x.org", "new@x.org", ValueState.PENDING)
        assert record.to_dict()["value_state"] == "pending"
        assert [r.id for r in store.page(HistoryFilter(operation=UPDATE_OPERATION))] == [row_id]
        assert store.count(HistoryFilter(operation=SEND_OPERATION)) == 1
        assert store.operations() == [SEND_OPERATION, UPDATE_OPERATION]
        store.export(tmp_path / "h.csv", HistoryFilter(operation=UPDATE_OPERATION))
    header, row = (tmp_path / "h.csv").read_text("utf-8").splitlines()
    cells = dict(zip(export_module.CSV_COLUMNS, row.split(","), strict=True))
    assert header.split(",")[-3:] == ["old_value", "new_value", "value_state"]
    assert (cells["old_value"], cells["new_value"], cells["value_state"]) == ("old@x.org", "new@x.org", "pending")


def test_a_version_2_history_file_migrates_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:2])
    conn.execute(
        "INSERT INTO attempts (started_at, operation, region, client_id, attribute_name, outcome, time_key)"
        " VALUES ('2025-01-01T00:00:00.000000Z', ?, 'us-east-1', 'c', 'email', 'success',"
        " '2025-01-01T00:00:00.000000Z')", (SEND_OPERATION,))
    conn.close()
    with HistoryStore(path) as store:
        (old,) = store.page()
        assert (old.operation, old.old_value, old.new_value, old.value_state) == (SEND_OPERATION, None, None, None)
        _update_row(store, "a@x.org", "b@x.org", ValueState.APPLIED)
        assert store.count(HistoryFilter(operation=UPDATE_OPERATION)) == 1
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()


def test_an_update_row_repeats_as_an_aws_cli_command_with_the_token_from_the_shell(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        row_id = store.begin(AttemptStart(UPDATE_OPERATION, INFO, "alice", "email", {"it's": "$HOME `id`"},
                                          old_value="a@x.org", new_value="ü'new@x.org"))
        record = store.get(row_id)
    assert record is not None
    argv = shlex.split(command_for_record(record))
    assert argv[:5] == ["aws", "cognito-idp", "update-user-attributes", "--access-token", "$ACCESS_TOKEN"]
    assert json.loads(argv[argv.index("--user-attributes") + 1]) == [{"Name": "email", "Value": "ü'new@x.org"}]
    assert json.loads(argv[argv.index("--client-metadata") + 1]) == {"it's": "$HOME `id`"}
    assert argv[argv.index("--endpoint-url") + 1] == INFO.endpoint_url
