"""`verifydesk preflight` in its own process: against the sandbox (whose admin calls it answers itself,
its demo trigger found), and against moto with VerifyDesk's AWS extras reached through AWS_ENDPOINT_URL
with an AWS profile, as a tester's LocalStack would be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from support.aws_extras_server import ExtrasServer, aws_extras_server
from support.moto_server import FAKE_KEY_ID, FAKE_SECRET

REGION = "eu-west-1"
ACCOUNT = "123456789012"


def _cli(*argv: str, env: dict[str, str]) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "app", "preflight", *argv], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **env}, check=False)
    return done.returncode, done.stdout, done.stderr


def _checks(out: str) -> dict[str, dict[str, str]]:
    return {check["id"]: check for check in json.loads(out)["checks"]}


@pytest.fixture
def demo_trigger(sandbox: Any) -> Iterator[None]:
    sandbox.control.set_trigger("demo")
    try:
        yield
    finally:
        sandbox.control.set_trigger(None)


@pytest.mark.usefixtures("demo_trigger")
def test_preflight_against_the_sandbox_finds_its_demo_trigger_and_the_users_email(
    sandbox_info: Any, fresh_user: dict[str, str], verifydesk_home: Path
) -> None:
    connection = ["--endpoint-url", sandbox_info.endpoint_url, "--client-id", sandbox_info.client_id,
                  "--user-pool-id", sandbox_info.user_pool_id, "--username", fresh_user["username"]]
    env = {"VERIFYDESK_PASSWORD": fresh_user["password"], "VERIFYDESK_HOME": str(verifydesk_home)}
    code, out, err = _cli(*connection, "--attribute", "email", "--json", env=env)
    assert code == 0, out + err
    checks = _checks(out)
    assert checks["trigger.custom_message"]["status"] == "ok"
    assert "verifydesk-custom-message exists" in checks["trigger.custom_message"]["message"]
    assert checks["attribute.present"]["status"] == "ok"
    assert fresh_user["email"] in checks["attribute.present"]["message"]
    assert checks["email.cognito_default_limit"]["status"] == "ok"
    text_code, text, _ = _cli(*connection, "--attribute", "email", env=env)
    assert text_code == 0
    assert any(line.startswith("OK") and "trigger.custom_message" in line for line in text.splitlines())
    assert text.rstrip().endswith("checks, 0 failed")


@pytest.fixture(scope="module")
def extras() -> Iterator[ExtrasServer]:
    with aws_extras_server() as server:
        yield server


@pytest.fixture
def aws_env(extras: ExtrasServer, tmp_path: Path, verifydesk_home: Path) -> dict[str, str]:
    """An AWS profile "qa" naming no endpoint; AWS_ENDPOINT_URL sends its calls to moto."""
    extras.state.reset()
    config = tmp_path / "aws-config"
    config.write_text(f"[profile qa]\nregion = {REGION}\n", encoding="utf-8")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(textwrap.dedent(f"""
        [qa]
        aws_access_key_id = {FAKE_KEY_ID}
        aws_secret_access_key = {FAKE_SECRET}
        """), encoding="utf-8")
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": extras.url,
            "VERIFYDESK_HOME": str(verifydesk_home)}


def _client(server: ExtrasServer, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.url, region_name=REGION,
                        aws_access_key_id=FAKE_KEY_ID, aws_secret_access_key=FAKE_SECRET)


def _ses_pool_with_user(server: ExtrasServer, sender: str) -> tuple[str, str, str]:
    """(pool id, client id, username) of a pool mailing through SES from `sender`, with one user."""
    cognito = _client(server, "cognito-idp")
    arn = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{sender}"
    pool_id = cognito.create_user_pool(
        PoolName=f"cli-preflight-{uuid.uuid4().hex[:8]}",
        EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "SourceArn": arn})["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="qa")["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="dana", UserAttributes=[
        {"Name": "email", "Value": f"dana-{uuid.uuid4().hex[:6]}@example.com"}])
    return pool_id, client_id, "dana"


def test_an_unverified_ses_sender_fails_the_preflight_with_exit_1(
    extras: ExtrasServer, aws_env: dict[str, str]
) -> None:
    pool_id, client_id, username = _ses_pool_with_user(extras, f"from-{uuid.uuid4().hex[:6]}@example.com")
    code, out, err = _cli("--region", REGION, "--client-id", client_id, "--user-pool-id", pool_id,
                          "--username", username, "--attribute", "email", "--aws-profile", "qa", "--json",
                          env=aws_env)
    assert code == 1, out + err
    checks = _checks(out)
    assert json.loads(out)["ok"] is False
    assert checks["email.ses_identity"]["status"] == "fail"
    assert checks["attribute.present"]["status"] == "ok"  # AdminGetUser, signed with the profile


def test_a_call_the_profile_may_not_make_is_unknown_naming_the_action(
    extras: ExtrasServer, aws_env: dict[str, str]
) -> None:
    sender = f"from-{uuid.uuid4().hex[:6]}@example.com"
    _client(extras, "ses").verify_email_identity(EmailAddress=sender)
    pool_id, client_id, username = _ses_pool_with_user(extras, sender)
    extras.state.denied.add("ses:GetAccount")
    code, out, err = _cli("--region", REGION, "--client-id", client_id, "--user-pool-id", pool_id,
                          "--username", username, "--attribute", "email", "--aws-profile", "qa", "--json",
                          env=aws_env)
    checks = _checks(out)
    unknown = [c for c in checks.values() if c["status"] == "unknown"]
    assert unknown, out + err
    assert any("ses:GetAccount" in c["message"] + c["next_step"] for c in unknown)
    assert checks["email.ses_identity"]["status"] == "ok"
    assert code in (0, 1) and code == (1 if any(c["status"] == "fail" for c in checks.values()) else 0)
