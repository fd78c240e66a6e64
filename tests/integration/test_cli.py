"""The CLI over real HTTP against the sandbox: JSON output, exit codes, history, secrets via env/stdin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.cli.run import run_command

pytestmark = pytest.mark.usefixtures("sandbox")


def _connection_args(info: Any) -> list[str]:
    return [
        "--endpoint-url", info.endpoint_url, "--region", info.region,
        "--client-id", info.client_id, "--user-pool-id", info.user_pool_id,
    ]


def run_cli(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """Run the CLI in-process with captured streams."""
    from app.cli.parser import build_parser

    args = build_parser().parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    code = run_command(args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_send_with_metadata_prints_delivery_and_records_history(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch, sandbox: Any
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    code, out, _ = run_cli([
        "send", *_connection_args(sandbox_info), "--username", fresh_user["username"],
        "--attribute", "email", "--metadata", "source=cli", "--metadata", "note=ünïcode=ok",
        "--metadata", "empty=", "--json",
    ])
    payload = json.loads(out)
    assert code == 0, out
    assert payload["ok"] is True
    details = payload["code_delivery_details"]
    assert details["AttributeName"] == "email"
    assert details["DeliveryMedium"] == "EMAIL"
    assert "***" in details["Destination"]
    assert payload["attempts"] == 1
    assert payload["request_id"]
    assert payload["history_id"] >= 1
    inbox = sandbox.control.inbox(username=fresh_user["username"])
    assert inbox[-1]["client_metadata"] == {"source": "cli", "note": "ünïcode=ok", "empty": ""}

    code, out, _ = run_cli(["history", "--json", "--limit", "5"])
    records = json.loads(out)["records"]
    assert code == 0
    assert records[0]["id"] == payload["history_id"]
    assert records[0]["outcome"] == "success"
    assert records[0]["client_metadata"] == {"source": "cli", "note": "ünïcode=ok", "empty": ""}


def test_verify_with_the_code_from_the_inbox_marks_the_attribute_verified(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch, sandbox: Any
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    base = [*_connection_args(sandbox_info), "--username", fresh_user["username"], "--attribute", "email"]
    assert run_cli(["send", *base, "--json"])[0] == 0
    code_value = sandbox.control.latest_code(fresh_user["username"], "email")

    wrong, out, _ = run_cli(["verify", *base, "--code", "000000" if code_value != "000000" else "111111", "--json"])
    assert wrong == 1
    assert json.loads(out)["error"]["code"] == "CodeMismatchException"

    ok, out, _ = run_cli(["verify", *base, "--code", code_value, "--json"])
    assert ok == 0, out
    assert json.loads(out)["ok"] is True


def test_service_error_exits_1_with_code_guidance_and_history_row(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch, sandbox: Any
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    sandbox.control.inject_fault("GetUserAttributeVerificationCode", error_code="LimitExceededException")
    try:
        code, out, _ = run_cli([
            "send", *_connection_args(sandbox_info), "--username", fresh_user["username"],
            "--attribute", "email", "--json",
        ])
    finally:
        sandbox.control.clear_faults()
    payload = json.loads(out)
    assert code == 1
    assert payload["ok"] is False
    assert payload["error"]["code"] == "LimitExceededException"
    assert payload["error"]["http_status"] == 400
    assert "wait" in payload["error"]["guidance"].lower()
    assert payload["attempts"] == 1
    code, out, _ = run_cli(["history", "--json", "--outcome", "error"])
    assert json.loads(out)["records"][0]["error_code"] == "LimitExceededException"


def test_access_token_from_stdin_is_a_session(
    sandbox_info: Any, fresh_user: dict[str, str]
) -> None:
    import boto3

    client = boto3.client(
        "cognito-idp", region_name=sandbox_info.region, endpoint_url=sandbox_info.endpoint_url,
        aws_access_key_id="x", aws_secret_access_key="x",
    )
    token = client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH", ClientId=sandbox_info.client_id,
        AuthParameters={"USERNAME": fresh_user["username"], "PASSWORD": fresh_user["password"]},
    )["AuthenticationResult"]["AccessToken"]
    code, out, _ = run_cli(
        ["send", *_connection_args(sandbox_info), "--access-token-stdin", "--attribute", "phone_number", "--json"],
        stdin=token + "\n",
    )
    assert code == 0, out
    assert json.loads(out)["code_delivery_details"]["DeliveryMedium"] == "SMS"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--metadata", "a=1", "--metadata", "a=2"], "--metadata"),
        (["--metadata", "novalue"], "--metadata"),
        (["--attribute", "bad name"], "--attribute"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    extra: list[str], field: str,
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    argv = ["send", *_connection_args(sandbox_info), "--username", fresh_user["username"]]
    if "--attribute" not in extra:
        argv += ["--attribute", "email"]
    code, out, _ = run_cli([*argv, *extra, "--json"])
    payload = json.loads(out)
    assert code == 2
    assert payload["error"]["field"] == field


def test_send_anyway_shows_the_servers_own_validation(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    code, out, _ = run_cli([
        "send", *_connection_args(sandbox_info), "--username", fresh_user["username"],
        "--attribute", "a" * 40, "--send-anyway", "--json",
    ])
    assert code == 1
    assert json.loads(out)["error"]["code"] == "InvalidParameterException"


def test_metadata_file_with_non_string_values_is_refused(
    sandbox_info: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", "irrelevant")
    bad = tmp_path / "meta.json"
    bad.write_text('{"ok": "x", "count": 3}', encoding="utf-8")
    code, out, _ = run_cli([
        "send", *_connection_args(sandbox_info), "--username", "alice", "--attribute", "email",
        "--metadata-file", str(bad), "--json",
    ])
    assert code == 2
    error = json.loads(out)["error"]
    assert error["field"] == "--metadata-file"
    assert "'count'" in error["message"]


def test_missing_password_is_bad_input_not_a_prompt(sandbox_info: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERIFYDESK_PASSWORD", raising=False)
    code, _, err = run_cli(["send", *_connection_args(sandbox_info), "--username", "alice", "--attribute", "email"])
    assert code == 2
    assert "VERIFYDESK_PASSWORD" in err


def test_secrets_are_not_accepted_as_arguments() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["send", "--client-id", "x", "--attribute", "email", "--password", "hunter2"])
    assert caught.value.code == 2


def test_python_dash_m_app_send_json_as_a_separate_process(
    sandbox_info: Any, fresh_user: dict[str, str], verifydesk_home: Path
) -> None:
    env = {**os.environ, "VERIFYDESK_PASSWORD": fresh_user["password"], "VERIFYDESK_HOME": str(verifydesk_home)}
    proc = subprocess.run(
        [sys.executable, "-m", "app", "send", *_connection_args(sandbox_info),
         "--username", fresh_user["username"], "--attribute", "email", "--json"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True
    history = subprocess.run(
        [sys.executable, "-m", "app", "history", "--export", str(verifydesk_home / "h.csv")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert history.returncode == 0, history.stderr
    assert "email" in (verifydesk_home / "h.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "USER_SRP_AUTH"])
def test_a_wrong_password_gets_the_sign_in_guidance_not_the_token_advice(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch, flow: str
) -> None:
    from app.core.errors import ErrorContext, entry_in

    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"] + "-wrong")
    argv = ["send", *_connection_args(sandbox_info), "--username", fresh_user["username"],
            "--attribute", "email", "--auth-flow", flow]

    code, out, _ = run_cli([*argv, "--json"])
    error = json.loads(out)["error"]
    assert (code, error["code"]) == (1, "NotAuthorizedException")
    assert error["guidance"] == entry_in(error["code"], error["message"], ErrorContext(operation="sign_in")).guidance
    assert "username and password" in error["guidance"]
    assert "token" not in error["guidance"].lower()

    code, _, err = run_cli(argv)
    assert code == 1
    assert "Check the username and password" in err
    assert "Refresh" not in err and "access token" not in err


def test_a_refused_access_token_still_gets_the_refresh_advice(
    sandbox_info: Any, fresh_user: dict[str, str], sandbox: Any
) -> None:
    import boto3

    client = boto3.client(
        "cognito-idp", region_name=sandbox_info.region, endpoint_url=sandbox_info.endpoint_url,
        aws_access_key_id="x", aws_secret_access_key="x",
    )
    token = client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH", ClientId=sandbox_info.client_id,
        AuthParameters={"USERNAME": fresh_user["username"], "PASSWORD": fresh_user["password"]},
    )["AuthenticationResult"]["AccessToken"]
    sandbox.control.expire_access_tokens(fresh_user["username"])

    code, out, _ = run_cli(
        ["send", *_connection_args(sandbox_info), "--access-token-stdin", "--attribute", "email", "--json"],
        stdin=token + "\n",
    )

    error = json.loads(out)["error"]
    assert (code, error["code"]) == (1, "NotAuthorizedException")
    assert "Refresh the session" in error["guidance"]


def test_a_refused_remembered_password_says_it_was_the_remembered_one(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app.core.paths import app_paths
    from app.core.profile_model import Profile
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretKind, reset_default_secret_store

    from support.memory_keyring import MemoryKeyring

    monkeypatch.delenv("VERIFYDESK_PASSWORD", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "support.memory_keyring.MemoryKeyring")
    reset_default_secret_store()
    ProfileStore(app_paths().profiles_file).save(Profile(
        name="Sandbox", region=sandbox_info.region, client_id=sandbox_info.client_id,
        endpoint_url=sandbox_info.endpoint_url, remember_password=True, last_username=fresh_user["username"],
    ))
    MemoryKeyring.values[(SecretKind.PASSWORD.service, "Sandbox")] = "an-old-password"
    try:
        code, _, err = run_cli(["send", "--profile", "Sandbox", "--attribute", "email"])
    finally:
        MemoryKeyring.values.clear()
        reset_default_secret_store()

    assert code == 1
    assert "NotAuthorizedException" in err
    assert "the password remembered for profile 'Sandbox'" in err
    assert "an-old-password" not in err
