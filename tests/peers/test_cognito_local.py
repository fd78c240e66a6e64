"""Peer test: cognito-local 5.3.0 (a second Cognito emulator) calls our Lambda runner as its Custom
Message trigger, and receives exactly the ClientMetadata we sent through app.core.

What cognito-local's CustomMessage_VerifyUserAttribute event differs in from ours (and Cognito's
documentation), found by this test and asserted below so a change shows up:
- `version` is "0" (Cognito and ours: "1"); `region` is "local";
- `callerContext.awsSdkVersion` is its aws-sdk version and `callerContext.clientId` is
  "CLIENT_ID_NOT_APPLICABLE" (it does not pass the token's client on to the trigger);
- `request.usernameParameter` is "{username}" (ours: null, as Cognito sends for this source);
- `response` starts with empty strings (ours: nulls);
- `request.userAttributes` lacks `cognito:user_status` (and `email_verified` until verified).
`userName` is the user's sub there, as in Cognito when email is the pool's username attribute
(cognito-local's default), so the comparison takes it from the received event.
The key sets (top level, callerContext, request, response) are the same as ours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.core.auth import AuthFlow, sign_in_password
from app.core.calls import get_user, send_verification_code, verify_attribute
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.tokens import Tokens
from app.core.trigger_event import CODE_PLACEHOLDER, build_custom_message_event, event_user_attributes
from app.sandbox.lambda_runner import LambdaRunner

from support.cognito_local import CognitoLocal, cognito_local, install, require_node

pytestmark = pytest.mark.peer

TRIGGERS = Path(__file__).resolve().parents[1] / "support" / "triggers"
FUNCTION = "peer-custom-message"
USERNAME = "peer@example.com"
PASSWORD = "Peer-Passw0rd!"
METADATA = {"campaign": "peer-7", "ünï": "çødé ✓", "empty": ""}


@pytest.fixture(scope="module")
def runner() -> Iterator[LambdaRunner]:
    with LambdaRunner(f"{TRIGGERS / 'echo.py'}:handler", timeout_s=10.0) as serving:
        yield serving


@pytest.fixture(scope="module")
def peer(runner: LambdaRunner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CognitoLocal]:
    require_node()
    install()
    with cognito_local(tmp_path_factory.mktemp("cognito-local"), lambda_endpoint=runner.endpoint_url,
                       custom_message_function=FUNCTION) as server:
        yield server


@pytest.fixture(scope="module")
def pool(peer: CognitoLocal) -> dict[str, str]:
    """Pool, app client and a confirmed user created through cognito-local's own API."""
    admin = boto3.client("cognito-idp", endpoint_url=peer.endpoint_url, region_name="us-east-1",
                         aws_access_key_id="local", aws_secret_access_key="local")
    pool_id = admin.create_user_pool(PoolName="peer", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = admin.create_user_pool_client(
        UserPoolId=pool_id, ClientName="peer", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    admin.admin_create_user(UserPoolId=pool_id, Username=USERNAME, MessageAction="SUPPRESS",
                            UserAttributes=[{"Name": "email", "Value": USERNAME}])
    admin.admin_set_user_password(UserPoolId=pool_id, Username=USERNAME, Password=PASSWORD, Permanent=True)
    return {"pool_id": pool_id, "client_id": client_id, "endpoint_url": peer.endpoint_url}


@pytest.fixture(scope="module")
def conn(pool: dict[str, str]) -> CognitoConnection:
    return CognitoConnection(ConnectionSettings(
        region="us-east-1", client_id=pool["client_id"], endpoint_url=pool["endpoint_url"],
        user_pool_id=pool["pool_id"],
    ))


@pytest.fixture(scope="module")
def tokens(conn: CognitoConnection) -> Tokens:
    step = sign_in_password(conn, USERNAME, PASSWORD, AuthFlow.USER_PASSWORD_AUTH)
    assert isinstance(step, Tokens), step
    return step


def _verify_events(runner: LambdaRunner) -> list[dict[str, Any]]:
    return [e for e in runner.events
            if isinstance(e, dict) and e.get("triggerSource") == "CustomMessage_VerifyUserAttribute"]


def _shape(value: object) -> object:
    """The keys of an event, recursively (values dropped), for comparing shapes."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()
                if key not in ("userAttributes", "clientMetadata")} | {
            key: "object" for key in ("userAttributes", "clientMetadata") if key in value}
    return "value"


def test_cognito_local_sends_our_client_metadata_to_the_runner_in_an_event_shaped_like_ours(
    runner: LambdaRunner, pool: dict[str, str], conn: CognitoConnection, tokens: Tokens,
) -> None:
    before = len(_verify_events(runner))
    send_verification_code(conn, tokens.access_token, "email", METADATA)

    received = _verify_events(runner)[before:]
    assert len(received) == 1
    theirs = received[0]
    assert theirs["request"]["clientMetadata"] == METADATA

    ours = build_custom_message_event(
        region="us-east-1", user_pool_id=pool["pool_id"], user_name=theirs["userName"],
        client_id=pool["client_id"],
        user_attributes=event_user_attributes(get_user(conn, tokens.access_token).attribute_map),
        client_metadata=METADATA,
    )
    assert _shape(theirs) == _shape(ours)
    for key in ("triggerSource", "userPoolId", "userName"):
        assert theirs[key] == ours[key], key
    assert theirs["request"]["codeParameter"] == CODE_PLACEHOLDER
    assert theirs["request"]["userAttributes"]["email"] == USERNAME
    # The differences documented in the module docstring.
    assert (theirs["version"], theirs["region"]) == ("0", "local")
    assert theirs["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert theirs["request"]["usernameParameter"] == "{username}"
    assert theirs["response"] == {"smsMessage": "", "emailMessage": "", "emailSubject": ""}
    assert "cognito:user_status" not in theirs["request"]["userAttributes"]


def test_without_metadata_cognito_local_sends_no_client_metadata_like_cognito(
    runner: LambdaRunner, conn: CognitoConnection, tokens: Tokens,
) -> None:
    before = len(_verify_events(runner))
    send_verification_code(conn, tokens.access_token, "email")
    received = _verify_events(runner)[before:]
    assert len(received) == 1
    assert "clientMetadata" not in received[0]["request"]


def _stored_code(peer: CognitoLocal, pool_id: str) -> str:
    """The code cognito-local keeps for the user's attribute in its data dir (`.cognito/db/<pool>.json`)."""
    db = json.loads((peer.workdir / ".cognito" / "db" / f"{pool_id}.json").read_text("utf-8"))
    users = db["Users"].values()
    (user,) = [u for u in users if {"Name": "email", "Value": USERNAME} in u.get("Attributes", [])]
    return str(user["AttributeVerificationCode"])


def test_the_code_read_from_cognito_locals_data_dir_verifies_the_email(
    conn: CognitoConnection, tokens: Tokens, peer: CognitoLocal, pool: dict[str, str],
) -> None:
    send_verification_code(conn, tokens.access_token, "email", {"step": "verify"})
    code = _stored_code(peer, pool["pool_id"])
    assert re.fullmatch(r"\d{6}", code), code
    verify_attribute(conn, tokens.access_token, "email", code)
    email_verified = get_user(conn, tokens.access_token).attribute_map.get("email_verified")
    assert email_verified == "true", peer.output()[-2000:]
