"""Delivery preflight against moto over HTTP (with VerifyDesk's AWS extras), one pool per configuration.

The admin calls are signed with an AWS profile and reach the server through AWS_ENDPOINT_URL, as a
tester's LocalStack would: the profile itself names no endpoint.
"""

from __future__ import annotations

import socket
import textwrap
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.core.connection import ConnectionSettings
from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
from app.core.models import CodeDeliveryDetails, ConnectionInfo, Outcome
from app.core.pool_admin import AdminAccess
from app.core.preflight import AwsReader, Check, PreflightRequest, Status, run_preflight
from app.core.preflight.command import PreflightOptions, email_sends_today, preflight_command

from support.aws_extras_server import ExtrasServer, aws_extras_server
from support.moto_server import FAKE_KEY_ID, FAKE_SECRET

REGION = "eu-west-1"
ACCOUNT = "123456789012"
SMS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cognito-sms"
NUMBER = "+447700900123"


@pytest.fixture(scope="module")
def module_server() -> Iterator[ExtrasServer]:
    with aws_extras_server() as server:
        yield server


@pytest.fixture
def server(module_server: ExtrasServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ExtrasServer:
    """The server with a fresh account state, and an AWS profile "qa" whose calls go to it."""
    module_server.state.reset()
    config = tmp_path / "aws-config"
    config.write_text(f"[profile qa]\nregion = {REGION}\n", encoding="utf-8")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(textwrap.dedent(f"""
        [qa]
        aws_access_key_id = {FAKE_KEY_ID}
        aws_secret_access_key = {FAKE_SECRET}
        """), encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", module_server.url)
    return module_server


def _client(server: ExtrasServer, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.url, region_name=REGION,
                        aws_access_key_id=FAKE_KEY_ID, aws_secret_access_key=FAKE_SECRET)


def _pool(server: ExtrasServer, **config: Any) -> str:
    pool = _client(server, "cognito-idp").create_user_pool(PoolName=f"preflight-{uuid.uuid4().hex[:8]}", **config)
    return str(pool["UserPool"]["Id"])


def _address() -> str:
    return f"qa-{uuid.uuid4().hex[:10]}@example.com"


def _ses_pool(server: ExtrasServer, identity: str) -> str:
    arn = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{identity}"
    return _pool(server, EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "SourceArn": arn})


def _sms_pool(server: ExtrasServer) -> str:
    return _pool(server, SmsConfiguration={"SnsCallerArn": SMS_ROLE, "ExternalId": "qa", "SnsRegion": REGION})


def _run(pool_id: str, attribute: str | None, attributes: dict[str, str] | None = None,
         sends: int | None = None) -> dict[str, Check]:
    request = PreflightRequest(AdminAccess(REGION, "qa"), pool_id, attribute, attributes,
                               email_sends_today=sends)
    checks = run_preflight(request)
    assert len({check.id for check in checks}) == len(checks)
    return {check.id: check for check in checks}


def _record_email_sends(history: HistoryStore, pool_id: str, count: int, *, medium: str = "EMAIL",
                        outcome: Outcome = Outcome.SUCCESS, hours_ago: float = 1.0) -> None:
    started = datetime.now(UTC) - timedelta(hours=hours_ago)
    info = ConnectionInfo(REGION, None, pool_id, "client1")
    delivery = CodeDeliveryDetails("email", medium, "q***@e***")
    for _ in range(count):
        row = history.begin(AttemptStart("GetUserAttributeVerificationCode", info, "qa", "email",
                                         started_at=started))
        history.complete(row, AttemptCompletion(outcome, delivery=delivery if outcome is Outcome.SUCCESS else None))


# --- email ----------------------------------------------------------------------------------------


def test_cognito_default_sender_with_49_sends_today_warns_with_the_count(server: ExtrasServer) -> None:
    checks = _run(_pool(server), "email", {"email": _address()}, sends=49)
    limit = checks["email.cognito_default_limit"]
    assert limit.status is Status.WARN
    assert "49 of about 50 emails today" in limit.message
    assert "spam" in limit.message
    assert "SES" in limit.next_step


def test_cognito_default_sender_with_no_sends_is_ok_and_still_mentions_spam(server: ExtrasServer) -> None:
    checks = _run(_pool(server), "email", {"email": _address()}, sends=0)
    assert checks["email.cognito_default_limit"].status is Status.OK
    assert "0 of about 50" in checks["email.cognito_default_limit"].message
    assert "spam" in checks["email.cognito_default_limit"].next_step
    assert not any(check_id.startswith("email.ses") for check_id in checks)


def test_the_history_counts_only_todays_successful_email_sends_for_this_pool(
    server: ExtrasServer, tmp_path: Path
) -> None:
    pool_id = _pool(server)
    with HistoryStore(tmp_path / "history.db") as history:
        _record_email_sends(history, pool_id, 49)
        _record_email_sends(history, "eu-west-1_OtherPool", 3)
        _record_email_sends(history, pool_id, 2, medium="SMS")
        _record_email_sends(history, pool_id, 2, outcome=Outcome.ERROR)
        _record_email_sends(history, pool_id, 5, hours_ago=30)
        assert email_sends_today(history, pool_id) == 49
        assert email_sends_today(history, "eu-west-1_OtherPool") == 3
        settings = ConnectionSettings(REGION, "client1", user_pool_id=pool_id)
        code, payload = preflight_command(
            PreflightOptions(settings, attribute="email", aws_profile="qa", username=None), history=history)
    limit = next(check for check in payload["checks"] if check["id"] == "email.cognito_default_limit")
    assert limit["status"] == "warn"
    assert "49 of about 50" in limit["message"]
    assert code == 0


def test_an_unverified_ses_identity_fails_and_a_verified_one_passes(server: ExtrasServer) -> None:
    unverified = _address()
    checks = _run(_ses_pool(server, unverified), "email", {"email": _address()})
    assert checks["email.ses_identity"].status is Status.FAIL
    assert unverified in checks["email.ses_identity"].message
    assert "verify-email-identity" in checks["email.ses_identity"].next_step
    verified = _address()
    _client(server, "ses").verify_email_identity(EmailAddress=verified)
    checks = _run(_ses_pool(server, verified), "email", {"email": _address()})
    assert checks["email.ses_identity"].status is Status.OK


def test_the_ses_sandbox_fails_for_an_unverified_recipient_and_passes_for_a_verified_one(
    server: ExtrasServer,
) -> None:
    sender, recipient = _address(), _address()
    _client(server, "ses").verify_email_identity(EmailAddress=sender)
    pool_id = _ses_pool(server, sender)
    checks = _run(pool_id, "email", {"email": recipient})
    sandbox = checks["email.ses_sandbox_recipient"]
    assert sandbox.status is Status.FAIL
    assert recipient in sandbox.message
    assert "CodeDeliveryFailureException" in sandbox.message
    assert "production access" in sandbox.next_step
    _client(server, "ses").verify_email_identity(EmailAddress=recipient)
    assert _run(pool_id, "email", {"email": recipient})["email.ses_sandbox_recipient"].status is Status.OK


def test_production_access_passes_any_recipient_and_paused_sending_or_a_spent_quota_fail(
    server: ExtrasServer,
) -> None:
    sender = _address()
    _client(server, "ses").verify_email_identity(EmailAddress=sender)
    pool_id = _ses_pool(server, sender)
    server.state.ses_account(REGION).production_access = True
    checks = _run(pool_id, "email", {"email": _address()})
    assert checks["email.ses_sandbox_recipient"].status is Status.OK
    assert checks["email.ses_sending_enabled"].status is Status.OK
    assert checks["email.ses_quota"].status is Status.OK
    _client(server, "sesv2").put_account_sending_attributes(SendingEnabled=False)
    server.state.ses_account(REGION).max_24_hour_send = 0
    checks = _run(pool_id, "email", {"email": _address()})
    assert checks["email.ses_sending_enabled"].status is Status.FAIL
    assert "paused" in checks["email.ses_sending_enabled"].message
    assert checks["email.ses_quota"].status is Status.FAIL


# --- SMS ------------------------------------------------------------------------------------------


def test_a_phone_number_without_an_sms_configuration_fails(server: ExtrasServer) -> None:
    checks = _run(_pool(server), "phone_number", {"phone_number": NUMBER})
    assert checks["sms.configuration"].status is Status.FAIL
    assert "cannot send a code to a phone number" in checks["sms.configuration"].message
    assert not any(check_id.startswith("email.") for check_id in checks)


def test_the_sms_sandbox_fails_for_an_unlisted_number_and_passes_once_it_is_verified(server: ExtrasServer) -> None:
    pool_id = _sms_pool(server)
    checks = _run(pool_id, "phone_number", {"phone_number": NUMBER})
    assert checks["sms.configuration"].status is Status.OK
    assert checks["sms.sandbox_number"].status is Status.FAIL
    assert "not one of them" in checks["sms.sandbox_number"].message
    sns = _client(server, "sns")
    sns.create_sms_sandbox_phone_number(PhoneNumber=NUMBER)
    assert "pending" in _run(pool_id, "phone_number", {"phone_number": NUMBER})["sms.sandbox_number"].message
    code = server.state.sms_sandbox(REGION).one_time_passwords[NUMBER]
    sns.verify_sms_sandbox_phone_number(PhoneNumber=NUMBER, OneTimePassword=code)
    assert _run(pool_id, "phone_number", {"phone_number": NUMBER})["sms.sandbox_number"].status is Status.OK


def test_the_default_sms_spend_limit_warns_and_a_raised_one_passes(server: ExtrasServer) -> None:
    pool_id = _sms_pool(server)
    sns = _client(server, "sns")
    sns.set_sms_attributes(attributes={"MonthlySpendLimit": "1"})
    assert _run(pool_id, "phone_number", {"phone_number": NUMBER})["sms.spend_limit"].status is Status.WARN
    sns.set_sms_attributes(attributes={"MonthlySpendLimit": "100"})
    spend = _run(pool_id, "phone_number", {"phone_number": NUMBER})["sms.spend_limit"]
    assert spend.status is Status.OK
    assert "100 USD" in spend.message


# --- messages and triggers ------------------------------------------------------------------------


def test_a_template_without_the_code_placeholder_fails(server: ExtrasServer) -> None:
    pool_id = _pool(server, VerificationMessageTemplate={
        "EmailMessage": "Welcome! Click the button.", "SmsMessage": "Your code is {####}",
        "DefaultEmailOption": "CONFIRM_WITH_CODE"})
    checks = _run(pool_id, "email", {"email": _address()})
    assert checks["template.code_placeholder"].status is Status.FAIL
    assert "email verification message has no {####}" in checks["template.code_placeholder"].message
    assert _run(pool_id, "phone_number", {"phone_number": NUMBER})["template.code_placeholder"].status is Status.OK


def test_a_custom_email_sender_trigger_warns_that_cognito_will_not_deliver_the_code(server: ExtrasServer) -> None:
    sender = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:team-email-sender"
    pool_id = _pool(server, LambdaConfig={
        "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": sender},
        "KMSKeyID": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c"})
    check = _run(pool_id, "email", {"email": _address()})["trigger.custom_sender"]
    assert check.status is Status.WARN
    assert "KMS" in check.message
    assert "will not come from Cognito's sender" in check.message
    assert "/aws/lambda/team-email-sender" in check.next_step
    assert _run(pool_id, "phone_number", {"phone_number": NUMBER})["trigger.custom_sender"].status is Status.OK


def test_a_custom_message_trigger_whose_function_is_missing_fails(server: ExtrasServer) -> None:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gone-{uuid.uuid4().hex[:6]}"
    pool_id = _pool(server, LambdaConfig={"CustomMessage": arn})
    checks = _run(pool_id, "email", {"email": _address()})
    assert checks["trigger.custom_message"].status is Status.FAIL
    assert "does not exist" in checks["trigger.custom_message"].message
    assert "replaces this template" in checks["template.code_placeholder"].message


# --- the attribute --------------------------------------------------------------------------------


def test_a_missing_attribute_fails_a_bad_phone_fails_and_verified_is_only_a_note(server: ExtrasServer) -> None:
    pool_id = _sms_pool(server)
    assert _run(pool_id, "email", {"phone_number": NUMBER})["attribute.present"].status is Status.FAIL
    checks = _run(pool_id, "phone_number", {"phone_number": "07700 900123"})
    assert checks["attribute.phone_format"].status is Status.FAIL
    verified = _run(pool_id, "phone_number", {"phone_number": NUMBER, "phone_number_verified": "true"})
    assert verified["attribute.phone_format"].status is Status.OK
    assert verified["attribute.already_verified"].status is Status.OK
    assert "a new code can still be requested" in verified["attribute.already_verified"].message


def test_with_only_a_username_the_attributes_come_from_admin_get_user(server: ExtrasServer) -> None:
    pool_id = _pool(server)
    address = _address()
    _client(server, "cognito-idp").admin_create_user(
        UserPoolId=pool_id, Username="qa-user", UserAttributes=[{"Name": "email", "Value": address}])
    settings = ConnectionSettings(REGION, "client1", user_pool_id=pool_id)
    code, payload = preflight_command(PreflightOptions(settings, "email", "qa", username="qa-user"))
    present = next(check for check in payload["checks"] if check["id"] == "attribute.present")
    assert present == {"id": "attribute.present", "status": "ok",
                       "message": f"The user's email is {address}.", "next_step": ""}
    assert code == 0 and payload["ok"] is True


# --- what cannot be checked -----------------------------------------------------------------------


def test_a_denied_call_is_unknown_and_names_the_iam_action(server: ExtrasServer) -> None:
    sender = _address()
    _client(server, "ses").verify_email_identity(EmailAddress=sender)
    pool_id = _ses_pool(server, sender)
    server.state.denied.add("ses:GetAccount")
    checks = _run(pool_id, "email", {"email": _address()})
    for check_id in ("email.ses_sandbox_recipient", "email.ses_sending_enabled", "email.ses_quota"):
        assert checks[check_id].status is Status.UNKNOWN
        assert "ses:GetAccount" in checks[check_id].message
        assert "AWS profile 'qa'" in checks[check_id].message
        assert "ses:GetAccount" in checks[check_id].next_step
    assert checks["email.ses_identity"].status is Status.OK


def test_a_denied_pool_description_is_one_unknown_check_that_says_what_was_not_checked(
    server: ExtrasServer,
) -> None:
    server.state.denied.add("cognito-idp:DescribeUserPool")
    settings = ConnectionSettings(REGION, "client1", user_pool_id=_pool(server))
    code, payload = preflight_command(PreflightOptions(settings, "email", "qa"))
    assert [check["id"] for check in payload["checks"]] == ["pool.describe", "attribute.present"]
    assert payload["checks"][0]["status"] == "unknown"
    assert "cognito-idp:DescribeUserPool" in payload["checks"][0]["message"]
    assert payload["checks"][1]["status"] == "unknown"
    assert code == 0


def test_a_service_specific_endpoint_variable_wins_over_aws_endpoint_url(
    server: ExtrasServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", f"http://127.0.0.1:{closed}")
    checks = _run(_sms_pool(server), "phone_number", {"phone_number": NUMBER})
    assert checks["sms.configuration"].status is Status.OK  # from DescribeUserPool at AWS_ENDPOINT_URL
    assert checks["sms.sandbox_number"].status is Status.UNKNOWN
    assert "sns:GetSMSSandboxAccountStatus" in checks["sms.sandbox_number"].message
    assert "NetworkError" in checks["sms.sandbox_number"].message


def test_the_command_exits_1_when_a_check_fails_and_2_without_a_pool_id(server: ExtrasServer) -> None:
    settings = ConnectionSettings(REGION, "client1", user_pool_id=_pool(server))
    code, payload = preflight_command(PreflightOptions(settings, "phone_number", "qa", username="nobody"))
    assert code == 1 and payload["ok"] is False
    assert {"id", "status", "message", "next_step"} == set(payload["checks"][0])
    assert any(check["id"] == "sms.configuration" and check["status"] == "fail" for check in payload["checks"])
    code, payload = preflight_command(PreflightOptions(ConnectionSettings(REGION, "client1"), "email", "qa"))
    assert code == 2
    assert payload["error"]["field"] == "--user-pool-id"


def test_with_an_access_token_the_attributes_come_from_an_unsigned_get_user(server: ExtrasServer) -> None:
    pool_id = _sms_pool(server)
    cognito = _client(server, "cognito-idp")
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="qa", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="sms-user", UserAttributes=[
        {"Name": "phone_number", "Value": NUMBER}, {"Name": "phone_number_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="sms-user", Password="Passw0rd!x", Permanent=True)
    token = cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "sms-user", "PASSWORD": "Passw0rd!x"},
    )["AuthenticationResult"]["AccessToken"]
    server.state.denied.add("cognito-idp:AdminGetUser")  # the attributes must come from GetUser
    settings = ConnectionSettings(REGION, client_id, user_pool_id=pool_id)
    code, payload = preflight_command(PreflightOptions(settings, "phone_number", "qa", access_token=token))
    by_id = {check["id"]: check for check in payload["checks"]}
    assert by_id["attribute.present"]["message"] == f"The user's phone_number is {NUMBER}."
    assert by_id["attribute.already_verified"]["status"] == "ok"
    assert by_id["sms.sandbox_number"]["status"] == "fail"
    assert code == 1


def test_a_sandbox_connection_makes_the_admin_calls_at_its_own_endpoint_with_any_credentials(
    server: ExtrasServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    settings = ConnectionSettings(REGION, "client1", endpoint_url=server.url, user_pool_id=_pool(server))
    code, payload = preflight_command(PreflightOptions(settings, "email", sandbox=True, username=None))
    assert code == 0
    assert [check["status"] for check in payload["checks"] if check["id"] == "email.cognito_default_limit"] == [
        "ok"]


def test_once_cancelled_the_calls_left_are_not_made_and_their_checks_say_so(server: ExtrasServer) -> None:
    sender = _address()
    _client(server, "ses").verify_email_identity(EmailAddress=sender)
    pool_id = _ses_pool(server, sender)
    asked: list[str] = []

    def cancelled() -> bool:
        asked.append("asked")
        return len(asked) > 2  # DescribeUserPool and GetIdentityVerificationAttributes go out

    reader = AwsReader(AdminAccess(REGION, "qa"), cancelled=cancelled)
    checks = {check.id: check for check in run_preflight(PreflightRequest(
        reader.access, pool_id, "email", {"email": _address()}), reader=reader)}
    assert checks["email.ses_identity"].status is Status.OK
    for check_id in ("email.ses_sandbox_recipient", "email.ses_sending_enabled", "email.ses_quota"):
        assert checks[check_id].status is Status.UNKNOWN
        assert "cancelled" in checks[check_id].message
