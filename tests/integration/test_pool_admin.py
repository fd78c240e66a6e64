"""The pool's trigger configuration over real HTTP: moto for DescribeUserPool, signed with an AWS profile."""

from __future__ import annotations

import hashlib
import json
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.core.errors import ServiceError
from app.core.pool_admin import (
    COGNITO_DEFAULT_WARNING,
    NO_TRIGGER_WARNING,
    AdminAccess,
    describe_pool_triggers,
    parse_lambda_arn,
    trigger_info_from_pool,
)
from app.core.profile_model import Profile

from support.aws_error_server import aws_error_server
from support.moto_server import FAKE_KEY_ID, FAKE_SECRET, moto_server

REGION = "eu-north-1"
ALIAS_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:verify-message:live"
SES_ARN = f"arn:aws:ses:{REGION}:123456789012:identity/qa@example.com"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An AWS config with a key profile, an SSO profile and an empty one; no instance metadata."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    config = home / ".aws" / "config"
    config.write_text(textwrap.dedent(f"""
        [profile qa]
        region = {REGION}

        [profile sso-qa]
        sso_start_url = https://qa.awsapps.com/start
        sso_region = {REGION}
        sso_account_id = 123456789012
        sso_role_name = Tester
        region = {REGION}

        [profile bare]
        region = {REGION}
        """), encoding="utf-8")
    credentials = home / ".aws" / "credentials"
    credentials.write_text(
        f"[qa]\naws_access_key_id = {FAKE_KEY_ID}\naws_secret_access_key = {FAKE_SECRET}\n", encoding="utf-8"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return home


def _create_pool(url: str, **config: Any) -> str:
    client = boto3.client(
        "cognito-idp", endpoint_url=url, region_name=REGION,
        aws_access_key_id=FAKE_KEY_ID, aws_secret_access_key=FAKE_SECRET,
    )
    return str(client.create_user_pool(PoolName="verifydesk-admin-test", **config)["UserPool"]["Id"])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_pool_with_an_alias_trigger_and_cognito_email_is_read_with_its_warnings(
    moto_url: str, aws_home: Path
) -> None:
    pool_id = _create_pool(
        moto_url,
        LambdaConfig={"CustomMessage": ALIAS_ARN},
        AutoVerifiedAttributes=["email", "phone_number"],
        EmailConfiguration={"EmailSendingAccount": "COGNITO_DEFAULT"},
    )
    info = describe_pool_triggers(pool_id, region=REGION, aws_profile="qa", endpoint_url=moto_url)
    assert info.user_pool_id == pool_id
    assert info.pool_name == "verifydesk-admin-test"
    assert info.custom_message_arn == ALIAS_ARN
    assert info.custom_message_function == "verify-message"
    assert info.custom_message is not None and info.custom_message.qualifier == "live"
    assert info.log_group == "/aws/lambda/verify-message"
    assert info.email_sending_account == "COGNITO_DEFAULT"
    assert info.auto_verified_attributes == ("email", "phone_number")
    assert info.warnings == (COGNITO_DEFAULT_WARNING,)
    assert "50 emails a day" in COGNITO_DEFAULT_WARNING


def test_a_pool_without_a_custom_message_trigger_warns_that_metadata_goes_nowhere(
    moto_url: str, aws_home: Path
) -> None:
    pool_id = _create_pool(
        moto_url, EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "SourceArn": SES_ARN}
    )
    info = describe_pool_triggers(pool_id, region=REGION, aws_profile="qa", endpoint_url=moto_url)
    assert info.custom_message_arn is None
    assert info.custom_message_function is None
    assert info.log_group is None
    assert info.email_sending_account == "DEVELOPER"
    assert info.auto_verified_attributes == ()
    assert info.warnings == (NO_TRIGGER_WARNING,)
    assert NO_TRIGGER_WARNING == "No Custom Message trigger: ClientMetadata will not be used by anything."


def test_static_credentials_serve_the_sandbox_without_an_aws_profile(moto_url: str, aws_home: Path) -> None:
    pool_id = _create_pool(moto_url, LambdaConfig={"CustomMessage": ALIAS_ARN})
    info = describe_pool_triggers(
        pool_id, region=REGION, endpoint_url=moto_url, static_credentials=("testing", "testing")
    )
    assert info.custom_message_function == "verify-message"


def test_a_sandbox_profile_reaches_its_own_endpoint_and_a_real_one_uses_its_aws_profile(
    moto_url: str, aws_home: Path
) -> None:
    pool_id = _create_pool(moto_url, LambdaConfig={"CustomMessage": ALIAS_ARN})
    sandbox = Profile("sandbox", REGION, "client1", endpoint_url=moto_url, user_pool_id=pool_id, sandbox=True)
    access = AdminAccess.for_profile(sandbox)
    assert access.endpoint_url == moto_url
    assert "testing" not in repr(access)
    assert describe_pool_triggers(pool_id, **access.kwargs()).custom_message_function == "verify-message"
    real = Profile("real", REGION, "client1", endpoint_url="http://proxy.example", aws_profile="qa")
    assert AdminAccess.for_profile(real) == AdminAccess(REGION, "qa", None, None)


def test_the_call_is_signed_with_the_chosen_profiles_key_and_access_denied_is_explained(
    aws_home: Path,
) -> None:
    message = "User: arn:aws:iam::123456789012:user/qa is not authorized to perform: cognito-idp:DescribeUserPool"
    with aws_error_server("AccessDeniedException", message) as server, pytest.raises(ServiceError) as caught:
        describe_pool_triggers("eu-north-1_Pool", region=REGION, aws_profile="qa", endpoint_url=server.url)
    error = caught.value
    assert error.code == "AccessDeniedException"
    assert error.message == message
    assert error.http_status == 400
    assert error.request_id == "req-error-server-1"
    assert "cognito-idp:DescribeUserPool" in error.guidance
    authorization = server.requests[0]["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 ")
    assert f"Credential={FAKE_KEY_ID}/" in authorization
    assert f"/{REGION}/cognito-idp/aws4_request" in authorization
    assert FAKE_SECRET not in json.dumps(server.requests)


def test_expired_session_credentials_are_named(aws_home: Path) -> None:
    expired = "The security token included in the request is expired"
    with aws_error_server("ExpiredTokenException", expired) as server, pytest.raises(ServiceError) as caught:
        describe_pool_triggers("eu-north-1_Pool", region=REGION, aws_profile="qa", endpoint_url=server.url)
    assert caught.value.code == "ExpiredTokenException"
    assert "expired" in caught.value.guidance


def test_an_sso_profile_that_never_logged_in_asks_for_aws_sso_login(moto_url: str, aws_home: Path) -> None:
    with pytest.raises(ServiceError) as caught:
        describe_pool_triggers("eu-north-1_Pool", region=REGION, aws_profile="sso-qa", endpoint_url=moto_url)
    assert caught.value.code == "SsoTokenExpired"
    assert "aws sso login --profile sso-qa" in caught.value.message
    assert "Traceback" not in caught.value.message


def test_an_sso_profile_whose_cached_token_expired_asks_for_aws_sso_login(moto_url: str, aws_home: Path) -> None:
    start_url = "https://qa.awsapps.com/start"
    cache = aws_home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    token = {"startUrl": start_url, "region": REGION, "accessToken": "expired-sso-access-token",
             "expiresAt": "2020-01-01T00:00:00Z"}
    (cache / f"{hashlib.sha1(start_url.encode()).hexdigest()}.json").write_text(json.dumps(token), encoding="utf-8")  # noqa: S324
    with pytest.raises(ServiceError) as caught:
        describe_pool_triggers("eu-north-1_Pool", region=REGION, aws_profile="sso-qa", endpoint_url=moto_url)
    assert caught.value.code == "SsoTokenExpired"
    assert "expired-sso-access-token" not in caught.value.message


def test_a_profile_without_credentials_says_so(moto_url: str, aws_home: Path) -> None:
    with pytest.raises(ServiceError) as caught:
        describe_pool_triggers("eu-north-1_Pool", region=REGION, aws_profile="bare", endpoint_url=moto_url)
    assert caught.value.code == "NoCredentials"
    assert "'bare'" in caught.value.message
    assert "Pick an AWS profile" in caught.value.guidance


def test_an_unknown_aws_profile_is_named_with_the_files_searched(aws_home: Path) -> None:
    with pytest.raises(ServiceError) as caught:
        describe_pool_triggers("eu-north-1_Pool", region=REGION, aws_profile="ghost")
    assert caught.value.code == "AwsProfileNotFound"
    assert "'ghost'" in caught.value.message
    assert str(aws_home / ".aws" / "config") in caught.value.message


def test_a_missing_pool_is_resource_not_found(moto_url: str, aws_home: Path) -> None:
    with pytest.raises(ServiceError) as caught:
        describe_pool_triggers(f"{REGION}_NoSuchPool", region=REGION, aws_profile="qa", endpoint_url=moto_url)
    assert caught.value.code == "ResourceNotFoundException"


def test_nothing_listening_is_a_network_error(aws_home: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(ServiceError) as caught:
        describe_pool_triggers(f"{REGION}_Pool", region=REGION, aws_profile="qa", endpoint_url=url)
    assert caught.value.code == "NetworkError"
    assert "refused" in caught.value.message.lower()


# --- reading a DescribeUserPool answer ----------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:fn", ("fn", None)),
        ("arn:aws:lambda:us-east-1:123456789012:function:fn:7", ("fn", "7")),
        ("arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST", ("fn", "$LATEST")),
        ("arn:aws-cn:lambda:cn-north-1:123456789012:function:my_fn-2:prod", ("my_fn-2", "prod")),
        ("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:fn", ("fn", None)),
    ],
)
def test_lambda_arns_with_versions_and_aliases_name_the_function(arn: str, expected: tuple[str, str | None]) -> None:
    ref = parse_lambda_arn(arn)
    assert ref is not None
    assert (ref.function_name, ref.qualifier) == expected
    assert ref.log_group == f"/aws/lambda/{expected[0]}"


@pytest.mark.parametrize("arn", ["", "fn", "arn:aws:sns:us-east-1:123456789012:topic", "arn:aws:lambda:x:1:function:f"])
def test_strings_that_are_not_lambda_arns_are_refused(arn: str) -> None:
    assert parse_lambda_arn(arn) is None


def test_custom_sender_triggers_and_an_unreadable_trigger_arn_are_warned_about() -> None:
    info = trigger_info_from_pool({
        "Id": "p",
        "LambdaConfig": {
            "CustomMessage": "not-an-arn-but-configured",
            "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": ALIAS_ARN},
            "PreSignUp": ALIAS_ARN,
            "KMSKeyID": "arn:aws:kms:eu-north-1:123456789012:key/x",
        },
    })
    assert info.custom_message is None
    assert info.triggers["CustomEmailSender"] == ALIAS_ARN
    assert info.triggers["PreSignUp"] == ALIAS_ARN
    assert "KMSKeyID" not in info.triggers
    assert info.email_sending_account == "COGNITO_DEFAULT"  # no EmailConfiguration: Cognito's own sender
    assert any("not a Lambda ARN" in warning for warning in info.warnings)
    assert any("Custom Email Sender" in warning for warning in info.warnings)
    assert COGNITO_DEFAULT_WARNING in info.warnings


def test_the_sandbox_pool_reports_no_trigger_until_one_is_configured(sandbox_info: Any) -> None:
    profile = Profile(
        "sandbox", sandbox_info.region, sandbox_info.client_id, endpoint_url=sandbox_info.endpoint_url,
        user_pool_id=sandbox_info.user_pool_id, sandbox=True,
    )
    info = describe_pool_triggers(sandbox_info.user_pool_id, **AdminAccess.for_profile(profile).kwargs())
    assert info.user_pool_id == sandbox_info.user_pool_id
    if sandbox_info.trigger_function is None:
        assert info.warnings[0] == NO_TRIGGER_WARNING
    else:
        assert info.custom_message_function == sandbox_info.trigger_function
