"""VerifyDesk's AWS extras in front of moto, spoken to by plain boto3 over HTTP: the shapes botocore parses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from support.aws_extras_server import ExtrasServer, aws_extras_server
from support.moto_server import FAKE_KEY_ID, FAKE_SECRET

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def module_server() -> Iterator[ExtrasServer]:
    with aws_extras_server() as server:
        yield server


@pytest.fixture
def server(module_server: ExtrasServer) -> ExtrasServer:
    module_server.state.reset()
    return module_server


def _client(server: ExtrasServer, service: str, region: str = REGION) -> Any:
    return boto3.client(service, endpoint_url=server.url, region_name=region,
                        aws_access_key_id=FAKE_KEY_ID, aws_secret_access_key=FAKE_SECRET)


def _error(call: Any, **params: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return dict(caught.value.response)


def test_a_new_ses_account_is_in_the_sandbox_with_its_quota_counting_moto_sends(server: ExtrasServer) -> None:
    ses = _client(server, "ses")
    ses.verify_email_identity(EmailAddress="from@example.com")
    before = _client(server, "sesv2").get_account()["SendQuota"]["SentLast24Hours"]
    ses.send_email(Source="from@example.com", Destination={"ToAddresses": ["to@example.com"]},
                   Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    account = _client(server, "sesv2").get_account()
    assert account["ProductionAccessEnabled"] is False
    assert account["SendingEnabled"] is True
    assert account["EnforcementStatus"] == "HEALTHY"
    assert account["SendQuota"]["Max24HourSend"] == 200.0
    assert account["SendQuota"]["SentLast24Hours"] == before + 1


def test_production_access_and_paused_sending_show_in_get_account_per_region(server: ExtrasServer) -> None:
    server.state.ses_account(REGION).production_access = True
    _client(server, "sesv2").put_account_sending_attributes(SendingEnabled=False)
    account = _client(server, "sesv2").get_account()
    assert account["ProductionAccessEnabled"] is True
    assert account["SendQuota"]["Max24HourSend"] == 50_000.0
    assert account["SendingEnabled"] is False
    other = _client(server, "sesv2", "us-west-2").get_account()
    assert other["ProductionAccessEnabled"] is False
    assert other["SendingEnabled"] is True


def test_a_sandbox_number_is_pending_until_its_one_time_password_verifies_it(server: ExtrasServer) -> None:
    sns = _client(server, "sns")
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is True
    sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550100")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15555550100", "Status": "Pending"}]
    wrong = _error(sns.verify_sms_sandbox_phone_number, PhoneNumber="+15555550100", OneTimePassword="00000")
    assert wrong["Error"]["Code"] == "VerificationException"
    code = server.state.sms_sandbox(REGION).one_time_passwords["+15555550100"]
    sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550100", OneTimePassword=code)
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15555550100", "Status": "Verified"}]
    missing = _error(sns.verify_sms_sandbox_phone_number, PhoneNumber="+15555550199", OneTimePassword="123456")
    assert missing["Error"]["Code"] == "ResourceNotFound"
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404
    sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550100")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == []


def test_sandbox_numbers_page_with_next_token_and_bad_numbers_are_invalid_parameters(
    server: ExtrasServer,
) -> None:
    sns = _client(server, "sns")
    for last in range(5):
        sns.create_sms_sandbox_phone_number(PhoneNumber=f"+1555555010{last}")
    first = sns.list_sms_sandbox_phone_numbers(MaxResults=2)
    assert len(first["PhoneNumbers"]) == 2
    seen = [entry["PhoneNumber"] for entry in first["PhoneNumbers"]]
    token = first.get("NextToken")
    while token:
        page = sns.list_sms_sandbox_phone_numbers(MaxResults=2, NextToken=token)
        seen += [entry["PhoneNumber"] for entry in page["PhoneNumbers"]]
        token = page.get("NextToken")
    assert seen == [f"+1555555010{last}" for last in range(5)]
    bad = _error(sns.create_sms_sandbox_phone_number, PhoneNumber="+1 555")
    assert bad["Error"]["Code"] == "InvalidParameter"


@pytest.mark.parametrize(
    ("service", "action", "call", "code", "status"),
    [
        ("sesv2", "ses:GetAccount", lambda client: client.get_account(), "AccessDeniedException", 403),
        ("ses", "ses:GetIdentityVerificationAttributes",
         lambda client: client.get_identity_verification_attributes(Identities=["a@example.com"]),
         "AccessDenied", 403),
        ("sns", "sns:GetSMSAttributes", lambda client: client.get_sms_attributes(), "AuthorizationError", 403),
        ("cognito-idp", "cognito-idp:DescribeUserPool",
         lambda client: client.describe_user_pool(UserPoolId=f"{REGION}_Pool"), "AccessDeniedException", 400),
        ("lambda", "lambda:GetFunction", lambda client: client.get_function(FunctionName="fn"),
         "AccessDeniedException", 403),
    ],
)
def test_a_denied_action_gets_its_services_own_access_denied_error(
    server: ExtrasServer, service: str, action: str, call: Any, code: str, status: int
) -> None:
    server.state.denied.add(action)
    response = _denied(call, _client(server, service))
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert f"is not authorized to perform: {action}" in response["Error"]["Message"]


def _denied(call: Any, client: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(client)
    return dict(caught.value.response)


def test_other_calls_pass_through_to_moto_and_functions_outside_moto_are_found(server: ExtrasServer) -> None:
    server.state.denied.add("ses:GetAccount")
    assert _client(server, "sns").get_sms_attributes()["attributes"] is not None
    lam = _client(server, "lambda")
    assert _error(lam.get_function, FunctionName="local-trigger")["Error"]["Code"] == "ResourceNotFoundException"
    server.state.functions.add("local-trigger")
    arn = f"arn:aws:lambda:{REGION}:123456789012:function:local-trigger"
    found = lam.get_function(FunctionName=f"{arn}:live")["Configuration"]
    assert found["FunctionName"] == "local-trigger"
    assert found["FunctionArn"] == arn
