"""The sandbox server itself: its JSON line, seeded users, control API, isolation, start and stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from app.core.auth import AuthFlow, Challenge, sign_in_password
from app.core.calls import get_user, send_verification_code
from app.core.tokens import Tokens
from app.sandbox import NoCodeError, Sandbox, SandboxControl, SandboxControlError, SandboxInfo

from support.sandbox_session import connect, service_error, signed_in

REQUIRED_KEYS = {"endpoint_url", "region", "user_pool_id", "client_id", "client_id_with_secret", "client_secret", "users"}
SEEDED = {
    "alice": None,
    "newbie": "NEW_PASSWORD_REQUIRED",
    "totp-user": "SOFTWARE_TOKEN_MFA",
    "sms-user": "SMS_MFA",
    "email-otp-user": "EMAIL_OTP",
    "choose-mfa-user": "SELECT_MFA_TYPE",
    "custom-user": "CUSTOM_CHALLENGE",
    "email-only": None,
    "mfa-setup-user": "MFA_SETUP",
}


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[Sandbox]:
    """A sandbox of this module's own, so seeded users are untouched by other tests."""
    with Sandbox() as pool:
        yield pool


def _admin(info: SandboxInfo, service: str = "cognito-idp") -> Any:
    return boto3.client(
        service, region_name=info.region, endpoint_url=info.endpoint_url,
        aws_access_key_id="sandbox", aws_secret_access_key="sandbox",
    )


def test_the_json_line_carries_the_connection_and_every_seeded_user(own_sandbox: Sandbox) -> None:
    line = own_sandbox.info.to_json_line()
    assert "\n" not in line
    data = json.loads(line)
    assert data.keys() >= REQUIRED_KEYS
    assert data["endpoint_url"].startswith("http://127.0.0.1:")
    assert data["user_pool_id"].startswith(f"{data['region']}_")
    users = {u["username"]: u for u in data["users"]}
    assert {name: users[name]["challenge"] for name in SEEDED} == SEEDED
    assert all(u["password"] for u in users.values())
    assert "phone_number" in users["alice"] and "phone_number" not in users["email-only"]
    assert len(users["totp-user"]["totp_secret"]) == 32
    assert users["newbie"]["required_attributes"] == ["name"]
    assert SandboxInfo.from_dict(data) == own_sandbox.info
    assert own_sandbox.control.info() == own_sandbox.info


@pytest.mark.parametrize("username", sorted(SEEDED))
def test_each_seeded_user_meets_its_declared_challenge(own_sandbox: Sandbox, username: str) -> None:
    info = own_sandbox.info
    user = info.user(username)
    step = sign_in_password(connect(info), username, user["password"], AuthFlow.USER_PASSWORD_AUTH)
    if SEEDED[username] is None:
        assert isinstance(step, Tokens)
    else:
        assert isinstance(step, Challenge) and step.name == SEEDED[username]


def test_the_pool_auto_verifies_email_and_phone_and_requires_a_name(own_sandbox: Sandbox) -> None:
    pool = _admin(own_sandbox.info).describe_user_pool(UserPoolId=own_sandbox.info.user_pool_id)["UserPool"]
    assert pool["AutoVerifiedAttributes"] == ["email", "phone_number"]
    required = {a["Name"] for a in pool["SchemaAttributes"] if a.get("Required")}
    assert required == {"sub", "name"}
    assert "CustomMessage" not in pool.get("LambdaConfig", {})


def test_both_clients_allow_the_password_srp_and_refresh_flows(own_sandbox: Sandbox) -> None:
    admin, info = _admin(own_sandbox.info), own_sandbox.info
    for client_id, has_secret in ((info.client_id, False), (info.client_id_with_secret, True)):
        client = admin.describe_user_pool_client(UserPoolId=info.user_pool_id, ClientId=client_id)["UserPoolClient"]
        assert {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(client["ExplicitAuthFlows"])
        assert (client.get("ClientSecret") == info.client_secret) is has_secret


def test_every_cognito_response_carries_a_request_id(own_sandbox: Sandbox) -> None:
    url = own_sandbox.info.endpoint_url
    for operation, body in (
        ("GetUserAttributeVerificationCode", {}),
        ("GetUser", {"AccessToken": "x"}),
        ("ListUserPools", {"MaxResults": 1}),
    ):
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={  # noqa: S310
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        })
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                headers = response.headers
        except urllib.error.HTTPError as error:
            headers = error.headers
        assert headers.get("x-amzn-RequestId"), operation


def test_two_sandboxes_in_one_process_do_not_share_tokens_clients_or_inboxes(
    own_sandbox: Sandbox, sandbox: Any
) -> None:
    first, second = own_sandbox.info, sandbox.info
    user = sandbox.control.create_user()
    token = signed_in(connect(second), user).access_token
    send_verification_code(connect(second), token, "email")
    assert service_error(get_user, connect(first), token).message == "Invalid Access Token"
    lost = service_error(sign_in_password, connect(first, client_id=second.client_id), user["username"],
                         user["password"], AuthFlow.USER_PASSWORD_AUTH)
    assert lost.code == "ResourceNotFoundException"
    assert own_sandbox.control.inbox(user["username"]) == []
    assert sandbox.control.inbox(user["username"])


def test_the_control_api_explains_what_it_refuses(own_sandbox: Sandbox) -> None:
    control = own_sandbox.control
    with pytest.raises(NoCodeError) as caught:
        control.latest_code("alice", "phone_number")
    assert isinstance(caught.value, LookupError)
    with pytest.raises(SandboxControlError) as refused:
        control.create_user(phone=False, challenge="SMS_MFA")
    assert refused.value.status == 400 and "phone" in str(refused.value)
    with pytest.raises(SandboxControlError) as unknown:
        control.create_user(challenge="DEVICE_SRP_AUTH")
    assert "challenge:" in str(unknown.value)
    with pytest.raises(SandboxControlError) as missing:
        control.expire_access_tokens("nobody-here")
    assert missing.value.status == 404
    with pytest.raises(SandboxControlError) as route:
        control._call("GET", "no-such-route")
    assert route.value.status == 404 and "routes:" in str(route.value)


def test_the_inbox_can_be_asked_for_its_newest_messages_only(own_sandbox: Sandbox) -> None:
    control = own_sandbox.control
    user = control.create_user()
    token = signed_in(connect(own_sandbox.info), user).access_token
    for _ in range(3):
        send_verification_code(connect(own_sandbox.info), token, "email")
    everything = control.inbox(user["username"])
    assert len(everything) == 3
    assert control.inbox(user["username"], limit=2) == everything[1:]
    assert control.inbox(user["username"], limit=10) == everything
    with pytest.raises(SandboxControlError) as refused:
        control.inbox(limit=0)
    assert refused.value.status == 400 and "limit:" in str(refused.value)


def test_the_inbox_can_be_asked_for_one_attributes_newest_message(own_sandbox: Sandbox) -> None:
    control = own_sandbox.control
    user, other = control.create_user(), control.create_user()
    conn = connect(own_sandbox.info)
    token, other_token = signed_in(conn, user).access_token, signed_in(conn, other).access_token
    for attempt in ("1", "2"):
        send_verification_code(conn, token, "email", {"attempt": attempt})
        send_verification_code(conn, token, "phone_number", {"attempt": attempt})
        send_verification_code(conn, other_token, "email", {"attempt": attempt})
    name = user["username"]

    emails = control.inbox(name, attribute="email")
    assert [(m["username"], m["attribute"], m["client_metadata"]["attempt"]) for m in emails] == [
        (name, "email", "1"), (name, "email", "2")]
    assert control.inbox(name, 1, attribute="email") == emails[-1:]
    assert emails[-1]["code"] == control.latest_code(name, "email")
    assert [m["attribute"] for m in control.inbox(name, 1, attribute="phone_number")] == ["phone_number"]
    assert {m["username"] for m in control.inbox(attribute="email", limit=2)} == {name, other["username"]}
    assert control.inbox(name, attribute="address") == []


def test_the_inbox_keeps_the_newest_messages_with_ids_still_counting() -> None:
    from app.sandbox.inbox import Inbox

    inbox = Inbox(keep=3)
    for index in range(5):
        inbox.deliver(username="u", attribute="email", destination="u***@e***", code=f"{index:06d}",
                      subject=None, message="m", purpose="verify")
    assert [(m.id, m.code) for m in inbox.messages()] == [(3, "000002"), (4, "000003"), (5, "000004")]
    assert inbox.latest_code("u", "email") == "000004"


def test_a_sandbox_that_is_not_there_is_a_clear_control_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SandboxControlError) as caught:
        SandboxControl(f"http://127.0.0.1:{port}", timeout_s=2).inbox()
    assert "did not answer" in str(caught.value)


def test_created_users_are_confirmed_with_unverified_contacts(own_sandbox: Sandbox) -> None:
    user = own_sandbox.control.create_user(email=True, phone=False)
    assert user["username"].startswith("user-") and "phone_number" not in user
    attributes = _admin(own_sandbox.info).admin_get_user(
        UserPoolId=own_sandbox.info.user_pool_id, Username=user["username"]
    )
    assert attributes["UserStatus"] == "CONFIRMED"
    values = {a["Name"]: a["Value"] for a in attributes["UserAttributes"]}
    assert values["email"] == user["email"] and values["email_verified"] == "false"


def test_the_moto_reset_endpoint_cannot_wipe_the_pool(own_sandbox: Sandbox) -> None:
    reset_url = f"{own_sandbox.info.endpoint_url}/moto-api/reset"
    request = urllib.request.Request(reset_url, data=b"", method="POST")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert refused.value.code == 403
    assert signed_in(connect(own_sandbox.info), own_sandbox.info.user("alice")).access_token


def test_trigger_log_lines_land_in_cloudwatch_logs_on_the_same_server(own_sandbox: Sandbox) -> None:
    from app.sandbox import cloudwatch

    function = f"verifydesk-test-{os.getpid()}"
    state = own_sandbox.state
    cloudwatch.write_lines(state.account_id, state.region, function, ["START RequestId: 1", "hello", "END RequestId: 1"])
    logs = _admin(own_sandbox.info, "logs")
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
    assert [e["message"] for e in events] == ["START RequestId: 1", "hello", "END RequestId: 1"]


def test_stop_frees_the_port_and_the_pool() -> None:
    pool = Sandbox().start()
    info, backend = pool.info, pool.state.backend
    pool.stop()
    assert info.user_pool_id not in backend.user_pools
    port = int(info.endpoint_url.rsplit(":", 1)[1])
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))
    with pytest.raises(RuntimeError):
        _ = pool.info


def _spawn_sandbox(*extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "sandbox", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_verifydesk_sandbox_prints_one_json_line_serves_and_stops_on_a_signal(stop_signal: int) -> None:
    proc = _spawn_sandbox("--port", "0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        info = SandboxInfo.from_dict(json.loads(line))
        tokens = signed_in(connect(info), info.user("alice"))
        send_verification_code(connect(info), tokens.access_token, "email")
        assert len(SandboxControl(info.endpoint_url).latest_code("alice", "email")) == 6
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_verifydesk_sandbox_on_a_taken_port_exits_2_with_a_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _spawn_sandbox("--port", str(port))
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert out == ""
    assert "cannot start" in err and "Traceback" not in err
