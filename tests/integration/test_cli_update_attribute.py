"""`verifydesk update-attribute` over real HTTP against the sandbox: keep-original on and off, the code at
the new value and `verifydesk verify` applying it, ClientMetadata exactly as the trigger received it,
history rows (and `history --operation`), the pool's schema read with --aws-profile, bad input and the
server's own refusals with --send-anyway, exit codes, and escaped text output."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli.parser import build_parser
from app.cli.run import run_command
from app.core.calls import get_user
from app.core.history import HistoryFilter, HistoryStore
from app.sandbox import Sandbox

from support.sandbox_session import connect, signed_in

REPO = Path(__file__).resolve().parents[2]
ECHO = f"{Path(__file__).resolve().parents[1] / 'support' / 'triggers' / 'echo.py'}:handler"
METADATA = {"flow": "change-email", "ünï": "çødé ✓", "empty": "", "from-file": "yes"}


@pytest.fixture(scope="module")
def pool() -> Iterator[Sandbox]:
    """A sandbox of this module's own (its keep-original setting changes), with the echo trigger."""
    with Sandbox(trigger=ECHO) as sandbox:
        sandbox.control.set_code_rate(None)
        yield sandbox


@pytest.fixture
def keep(pool: Sandbox) -> Iterator[Any]:
    """Set the pool's keep-original attributes for one test; the demo setting comes back after."""
    yield pool.control.set_keep_original
    pool.control.set_keep_original(["email"])


@pytest.fixture
def user(pool: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    created = pool.control.create_user()
    monkeypatch.setenv("VERIFYDESK_PASSWORD", created["password"])
    return created


def run_cli(*argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = run_command(args, stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _base(pool: Sandbox, user: dict[str, Any]) -> list[str]:
    info = pool.info
    return ["--endpoint-url", info.endpoint_url, "--region", info.region, "--client-id", info.client_id,
            "--user-pool-id", info.user_pool_id, "--username", user["username"]]


def _update(pool: Sandbox, user: dict[str, Any], *argv: str) -> tuple[int, str, str]:
    return run_cli("update-attribute", *_base(pool, user), *argv)


def _active(pool: Sandbox, user: dict[str, Any], name: str) -> tuple[str | None, bool | None]:
    conn = connect(pool.info)
    attribute = get_user(conn, signed_in(conn, user).access_token).attribute(name)
    return (None, None) if attribute is None else (attribute.value, attribute.verified)


def _history(*argv: str) -> list[dict[str, Any]]:
    code, out, _ = run_cli("history", "--json", *argv)
    assert code == 0, out
    records: list[dict[str, Any]] = json.loads(out)["records"]
    return records


@pytest.fixture
def metadata_args(tmp_path: Path) -> list[str]:
    file = tmp_path / "metadata.json"
    file.write_text(json.dumps({"from-file": "yes"}), encoding="utf-8")
    return ["--metadata", "flow=change-email", "--metadata", "ünï=çødé ✓", "--metadata", "empty=",
            "--metadata-file", str(file)]


def test_keep_original_the_change_is_pending_until_verify_applies_the_code_sent_to_the_new_email(
    pool: Sandbox, user: dict[str, Any], metadata_args: list[str]
) -> None:
    new = f"new-{user['username']}@example.org"
    code, out, err = _update(pool, user, "--attribute", "email", "--value", new, *metadata_args, "--json")

    assert code == 0, out + err
    payload = json.loads(out)
    assert payload["ok"] is True and payload["pending"] is True and payload["value_state"] == "pending"
    assert payload["code_delivery_details_list"] == [
        {"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "n***@e***"}]
    assert payload["request_id"] and payload["latency_ms"] > 0 and payload["history_id"] >= 1
    assert payload["old_value"] == user["email"]
    assert _active(pool, user, "email") == (user["email"], False)

    message = pool.control.inbox(user["username"])[-1]
    assert (message["destination"], message["client_metadata"]) == (new, METADATA)
    event = pool.control.trigger_events()[-1]["event"]
    assert event["triggerSource"] == "CustomMessage_UpdateUserAttribute"
    assert event["request"]["clientMetadata"] == METADATA

    verified, out, err = run_cli("verify", *_base(pool, user), "--attribute", "email",
                                 "--code", message["code"], "--json")
    assert verified == 0, out + err
    assert _active(pool, user, "email") == (new, True)

    (row,) = _history("--operation", "update")
    assert (row["id"], row["operation"], row["outcome"]) == (payload["history_id"], "UpdateUserAttributes",
                                                              "success")
    assert (row["old_value"], row["new_value"], row["value_state"], row["client_metadata"]) == (
        user["email"], new, "pending", METADATA)
    assert [r["operation"] for r in _history("--operation", "verify")] == ["VerifyUserAttribute"]
    assert _history("--operation", "send") == []
    code, text, _ = run_cli("history", "--operation", "update")
    assert f"'{user['email']}' -> '{new}' (pending)" in text


def test_without_keep_original_the_new_email_is_active_at_once_unverified_and_the_code_confirms_it(
    pool: Sandbox, keep: Any, user: dict[str, Any]
) -> None:
    keep([])
    new = f"now-{user['username']}@example.org"
    code, out, err = _update(pool, user, "--attribute", "email", "--value", new, "--metadata", "k=v", "--json")

    assert code == 0, out + err
    payload = json.loads(out)
    assert (payload["pending"], payload["value_state"]) == (False, "applied")
    assert [d["Destination"] for d in payload["code_delivery_details_list"]] == ["n***@e***"]
    assert _active(pool, user, "email") == (new, False)
    assert pool.control.trigger_events()[-1]["event"]["request"]["clientMetadata"] == {"k": "v"}

    code_value = pool.control.latest_code(user["username"], "email")
    assert run_cli("verify", *_base(pool, user), "--attribute", "email", "--code", code_value)[0] == 0
    assert _active(pool, user, "email") == (new, True)
    (row,) = _history("--operation", "update")
    assert (row["old_value"], row["new_value"], row["value_state"]) == (user["email"], new, "applied")


def test_the_text_output_says_which_value_sign_in_still_uses_and_where_the_code_went(
    pool: Sandbox, user: dict[str, Any]
) -> None:
    new = f"text-{user['username']}@example.org"
    code, out, _ = _update(pool, user, "--attribute", "email", "--value", new)
    assert code == 0
    assert f"email change to {new} is pending: GetUser and sign-in still use {user['email']}" in out
    assert "Code sent for email: EMAIL to t***@e***" in out
    assert "request id " in out and "history #" in out


def test_another_attribute_changes_at_once_with_no_code_and_control_characters_are_shown_escaped(
    pool: Sandbox, user: dict[str, Any]
) -> None:
    before = len(pool.control.inbox(user["username"]))
    code, out, err = _update(pool, user, "--attribute", "name", "--value", "Evil\x1b]0;title\x07\nforged")
    assert code == 0, out + err
    assert "name changed to Evil\\e]0;title\\x07\\nforged" in out
    assert "\x1b" not in out and "\x07" not in out
    assert _active(pool, user, "name")[0] == "Evil\x1b]0;title\x07\nforged"
    assert len(pool.control.inbox(user["username"])) == before

    code, text, _ = run_cli("history", "--operation", "update")
    assert "\x1b" not in text and "-> 'Evil\\e]0;title\\x07\\nforged' (applied)" in text


@pytest.mark.parametrize(("attribute", "value", "words"), [
    ("email", "not-an-email", "does not look like an email address"),
    ("phone_number", "555 0100", "E.164"),
    ("email", "", "Enter the new value"),
])
def test_a_bad_new_value_is_refused_at_value_before_sending_anything(
    pool: Sandbox, user: dict[str, Any], attribute: str, value: str, words: str
) -> None:
    before = pool.control.request_count("UpdateUserAttributes")
    code, out, _ = _update(pool, user, "--attribute", attribute, "--value", value, "--json")
    error = json.loads(out)["error"]
    assert (code, error["code"], error["field"]) == (2, "InvalidInput", "--value")
    assert words in error["message"]
    code, _, err = _update(pool, user, "--attribute", attribute, "--value", value)
    assert code == 2 and err.startswith("verifydesk: --value: ")
    assert pool.control.request_count("UpdateUserAttributes") == before
    assert _history() == []


@pytest.mark.parametrize(("attribute", "value", "words"), [
    ("email", "not-an-email", "Invalid email address format."),
    ("phone_number", "555 0100", "Invalid phone number format."),
    ("custom:team", "qa", "user.custom:team: Attribute does not exist in the schema."),
])
def test_send_anyway_shows_the_servers_refusal_with_exit_1_and_records_it(
    pool: Sandbox, user: dict[str, Any], attribute: str, value: str, words: str
) -> None:
    code, out, _ = _update(pool, user, "--attribute", attribute, "--value", value, "--send-anyway", "--json")
    payload = json.loads(out)
    assert (code, payload["ok"], payload["error"]["code"], payload["error"]["http_status"]) == (
        1, False, "InvalidParameterException", 400)
    assert words in payload["error"]["message"]
    assert payload["error"]["request_id"] and payload["error"]["guidance"]
    (row,) = _history("--operation", "update")
    assert (row["id"], row["outcome"], row["error_code"], row["new_value"]) == (
        payload["history_id"], "error", "InvalidParameterException", value)
    code, _, err = _update(pool, user, "--attribute", attribute, "--value", value, "--send-anyway")
    assert code == 1 and "Error: InvalidParameterException (HTTP 400)" in err


@pytest.fixture
def aws_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An AWS profile in a config file of the test's own (the sandbox accepts any credentials)."""
    credentials = tmp_path / "aws-credentials"
    credentials.write_text("[tester]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
                           encoding="utf-8")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    return "tester"


def test_with_an_aws_profile_an_attribute_the_pool_lacks_is_refused_at_attribute_unless_sent_anyway(
    pool: Sandbox, user: dict[str, Any], aws_profile: str
) -> None:
    argv = ("--attribute", "custom:team", "--value", "qa", "--aws-profile", aws_profile, "--json")
    code, out, _ = _update(pool, user, *argv)
    error = json.loads(out)["error"]
    assert (code, error["field"]) == (2, "--attribute")
    assert "The pool has no attribute 'custom:team'" in error["message"]
    assert _history() == []

    code, out, _ = _update(pool, user, *argv, "--send-anyway")
    assert (code, json.loads(out)["error"]["code"]) == (1, "InvalidParameterException")

    new = f"schema-{user['username']}@example.org"
    code, out, _ = _update(pool, user, "--attribute", "email", "--value", new, "--aws-profile", aws_profile,
                           "--json")
    assert (code, json.loads(out)["pending"]) == (0, True)


def test_an_aws_profile_that_does_not_exist_is_bad_input_at_aws_profile(
    pool: Sandbox, user: dict[str, Any], aws_profile: str
) -> None:
    code, out, _ = _update(pool, user, "--attribute", "email", "--value", "x@example.org",
                           "--aws-profile", "nobody", "--json")
    error = json.loads(out)["error"]
    assert (code, error["field"]) == (2, "--aws-profile")
    assert "no AWS profile named 'nobody'" in error["message"]


def test_a_wrong_password_is_a_service_error_exit_1_before_any_change(
    pool: Sandbox, user: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", "Wrong-Passw0rd!")
    code, out, _ = _update(pool, user, "--attribute", "email", "--value", "x@example.org", "--json")
    assert (code, json.loads(out)["error"]["code"]) == (1, "NotAuthorizedException")
    assert _active(pool, user, "email")[0] == user["email"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_while_the_change_is_in_flight_is_one_line_exit_130_and_its_row_reads_interrupted(
    pool: Sandbox, user: dict[str, Any], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    before = pool.control.request_count("UpdateUserAttributes")
    pool.control.inject_fault("UpdateUserAttributes", delay_s=20.0)
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "app", "update-attribute", *_base(pool, user), "--attribute", "email",
             "--value", "held@example.org", "--json"],
            cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "VERIFYDESK_HOME": str(home), "PYTHONPATH": str(REPO)},
        )
        deadline = time.monotonic() + 30
        while pool.control.request_count("UpdateUserAttributes") == before:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the change never reached the sandbox"
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        pool.control.clear_faults()

    assert child.returncode == 130, err
    assert err.count("\n") == 1 and "cancelled" in err and "Traceback" not in err, err
    payload = json.loads(out)
    assert (payload["ok"], payload["error"]["code"]) == (False, "Cancelled")
    with HistoryStore(home / "data" / "history.sqlite3") as store:
        (row,) = store.page(HistoryFilter(), limit=5)
    assert (row.id, row.outcome.value, row.old_value, row.new_value) == (
        payload["history_id"], "interrupted", user["email"], "held@example.org")
