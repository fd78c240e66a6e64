"""Peer test: a changed email on cognito-local 5.3.0, a pool with AttributesRequireVerificationBeforeUpdate,
through app.core: the CustomMessage_UpdateUserAttribute event carries exactly our ClientMetadata, GetUser
keeps the old email until the code (read from cognito-local's data dir) is verified, then shows the new;
and the same through `verifydesk update-attribute` and `verifydesk verify`.

cognito-local sends the code for an update only for attributes in AutoVerifiedAttributes, as Cognito
documents, and its DescribeUserPool does not echo UserAttributeUpdateSettings, so the pool's policy is
passed to the core as DescribeUserPool would report it on a real pool.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.cli.parser import build_parser
from app.cli.run import run_command
from app.core.attribute_update import PendingValues
from app.core.auth import AuthFlow, sign_in_password
from app.core.calls import get_user, update_user_attributes
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.errors import ServiceError
from app.core.history import HistoryFilter, HistoryStore
from app.core.models import UPDATE_OPERATION, ValueState
from app.core.pool_admin import AttributePolicy
from app.core.recording import update_recorded, verify_recorded
from app.core.tokens import Tokens
from app.core.validation import validate_update
from app.sandbox.lambda_runner import LambdaRunner

from support.cognito_local import CognitoLocal, cognito_local, install, require_node

pytestmark = pytest.mark.peer

TRIGGERS = Path(__file__).resolve().parents[1] / "support" / "triggers"
FUNCTION = "peer-update-message"
OLD = "before@example.com"
NEW = "after@example.org"
PASSWORD = "Peer-Passw0rd!"
METADATA = {"flow": "change-email", "ünï": "çødé ✓", "empty": ""}
POLICY = AttributePolicy(keep_original=("email",), auto_verified=("email",))


@pytest.fixture(scope="module")
def runner() -> Iterator[LambdaRunner]:
    with LambdaRunner(f"{TRIGGERS / 'echo.py'}:handler", timeout_s=10.0) as serving:
        yield serving


@pytest.fixture(scope="module")
def peer(runner: LambdaRunner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CognitoLocal]:
    require_node()
    install()
    with cognito_local(tmp_path_factory.mktemp("cognito-local-update"), lambda_endpoint=runner.endpoint_url,
                       custom_message_function=FUNCTION) as server:
        yield server


@pytest.fixture(scope="module")
def pool(peer: CognitoLocal) -> dict[str, str]:
    admin = boto3.client("cognito-idp", endpoint_url=peer.endpoint_url, region_name="us-east-1",
                         aws_access_key_id="local", aws_secret_access_key="local")
    pool_id = admin.create_user_pool(
        PoolName="peer-update", AutoVerifiedAttributes=["email"],
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
    )["UserPool"]["Id"]
    client_id = admin.create_user_pool_client(
        UserPoolId=pool_id, ClientName="peer", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    admin.admin_create_user(UserPoolId=pool_id, Username=OLD, MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "email", "Value": OLD}, {"Name": "email_verified", "Value": "true"}])
    admin.admin_set_user_password(UserPoolId=pool_id, Username=OLD, Password=PASSWORD, Permanent=True)
    return {"pool_id": pool_id, "client_id": client_id, "endpoint_url": peer.endpoint_url}


@pytest.fixture(scope="module")
def conn(pool: dict[str, str]) -> CognitoConnection:
    return CognitoConnection(ConnectionSettings(
        region="us-east-1", client_id=pool["client_id"], endpoint_url=pool["endpoint_url"],
        user_pool_id=pool["pool_id"],
    ))


@pytest.fixture(scope="module")
def tokens(conn: CognitoConnection) -> Tokens:
    step = sign_in_password(conn, OLD, PASSWORD, AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(step, Tokens), step
    return step


def _stored_with_email(peer: CognitoLocal, pool_id: str, email: str) -> dict[str, Any]:
    """The user whose active email is `email`, as cognito-local keeps it (users are keyed by sub)."""
    db = json.loads((peer.workdir / ".cognito" / "db" / f"{pool_id}.json").read_text("utf-8"))
    (user,) = [u for u in db["Users"].values() if {"Name": "email", "Value": email} in u["Attributes"]]
    return dict(user)


def test_a_changed_email_waits_for_its_code_carrying_our_metadata_then_applies(
    runner: LambdaRunner, peer: CognitoLocal, pool: dict[str, str], conn: CognitoConnection, tokens: Tokens,
    verifydesk_home: Path,
) -> None:
    assert validate_update(tokens.access_token, "email", NEW) == []
    before = len(runner.events)
    with HistoryStore(verifydesk_home / "history.sqlite3") as history:
        updated = update_recorded(
            conn, history, access_token=tokens.access_token, username=OLD, attribute_name="email",
            new_value=NEW, client_metadata=METADATA, policy=POLICY,
        )
        assert updated.ok, updated.error
        assert updated.pending and updated.old_value == OLD
        assert updated.result is not None and [d.attribute_name for d in updated.result.deliveries] == ["email"]

        (event,) = runner.events[before:]
        assert event["triggerSource"] == "CustomMessage_UpdateUserAttribute"
        assert event["request"]["clientMetadata"] == METADATA

        pending = PendingValues()
        pending.record("email", NEW, updated.value_state)
        (email,) = [v for v in pending.views(get_user(conn, tokens.access_token)) if v.name == "email"]
        assert (email.active, email.active_verified, email.pending) == (OLD, True, NEW)

        stored = _stored_with_email(peer, pool["pool_id"], OLD)
        assert {"Name": "email", "Value": NEW} in stored["UnverifiedAttributeChanges"]
        verified = verify_recorded(conn, history, access_token=tokens.access_token, username=OLD,
                                   attribute_name="email", code=str(stored["AttributeVerificationCode"]))
        assert verified.ok, verified.error
        (email,) = [v for v in pending.views(get_user(conn, tokens.access_token)) if v.name == "email"]
        assert (email.active, email.active_verified, email.pending) == (NEW, True, None)

        (row,) = history.page(HistoryFilter(operation=UPDATE_OPERATION))
        assert (row.old_value, row.new_value, row.value_state, row.client_metadata) == (
            OLD, NEW, ValueState.PENDING, METADATA)


def test_an_attribute_the_pool_lacks_is_refused_by_cognito_local_as_by_cognito(
    conn: CognitoConnection, tokens: Tokens,
) -> None:
    with pytest.raises(ServiceError) as refused:
        update_user_attributes(conn, tokens.access_token, {"custom:nope": "x"})
    assert refused.value.code == "InvalidParameterException"
    assert "user.custom:nope: Attribute does not exist in the schema." in refused.value.message


def _cli(*argv: str) -> tuple[int, dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command(build_parser().parse_args(list(argv)), stdin=io.StringIO(), stdout=out, stderr=err)
    assert "Traceback" not in err.getvalue()
    payload: dict[str, Any] = json.loads(out.getvalue())
    return code, payload


def test_the_cli_changes_the_email_pending_with_our_metadata_and_verify_applies_it(
    runner: LambdaRunner, peer: CognitoLocal, pool: dict[str, str], conn: CognitoConnection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, new = "cli-before@example.com", "cli-after@example.org"
    admin = boto3.client("cognito-idp", endpoint_url=peer.endpoint_url, region_name="us-east-1",
                         aws_access_key_id="local", aws_secret_access_key="local")
    admin.admin_create_user(UserPoolId=pool["pool_id"], Username=old, MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "email", "Value": old}, {"Name": "email_verified", "Value": "true"}])
    admin.admin_set_user_password(UserPoolId=pool["pool_id"], Username=old, Password=PASSWORD, Permanent=True)
    monkeypatch.setenv("VERIFYDESK_PASSWORD", PASSWORD)
    base = ["--endpoint-url", pool["endpoint_url"], "--region", "us-east-1", "--client-id", pool["client_id"],
            "--username", old, "--auth-flow", "USER_PASSWORD_AUTH", "--attribute", "email", "--json"]
    metadata = [arg for key, value in METADATA.items() for arg in ("--metadata", f"{key}={value}")]

    before = len(runner.events)
    code, updated = _cli("update-attribute", *base, "--value", new, *metadata)
    assert code == 0, updated
    assert (updated["pending"], updated["old_value"]) == (True, old)
    assert [d["AttributeName"] for d in updated["code_delivery_details_list"]] == ["email"]
    (event,) = runner.events[before:]
    assert event["triggerSource"] == "CustomMessage_UpdateUserAttribute"
    assert event["request"]["clientMetadata"] == METADATA

    step = sign_in_password(conn, old, PASSWORD, AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(step, Tokens)
    email = get_user(conn, step.access_token).attribute("email")
    assert email is not None and (email.value, email.verified) == (old, True)

    code_value = str(_stored_with_email(peer, pool["pool_id"], old)["AttributeVerificationCode"])
    code, verified = _cli("verify", *base, "--code", code_value)
    assert code == 0, verified
    email = get_user(conn, step.access_token).attribute("email")
    assert email is not None and (email.value, email.verified) == (new, True)
