"""`--code-from` in the CLI's own process: send → wait for the code → verify, against the sandbox's inbox
and against Dovecot fed by the sandbox's LMTP relay; the timeout; history keeping where the code came
from, and no file written holding the code or the mailbox password."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.dovecot import PASSWORD, dovecot_server
from support.secret_scan import files_under, find_secrets


def _cli(*argv: str, env: dict[str, str], timeout: float = 90) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "app", *argv], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **env}, check=False)
    return done.returncode, done.stdout, done.stderr


def _who(info: Any, user: dict[str, str]) -> list[str]:
    return ["--endpoint-url", info.endpoint_url, "--client-id", info.client_id,
            "--user-pool-id", info.user_pool_id, "--username", user["username"], "--attribute", "email"]


def _env(user: dict[str, str], home: Path, **more: str) -> dict[str, str]:
    return {"VERIFYDESK_PASSWORD": user["password"], "VERIFYDESK_HOME": str(home), **more}


def _email_verified(pool: Any, user: dict[str, str]) -> bool:
    from app.core.calls import get_user

    from support.sandbox_session import connect, signed_in

    conn = connect(pool.info)
    attribute = get_user(conn, signed_in(conn, user).access_token).attribute("email")
    return bool(attribute and attribute.verified)


def _codes_sent(pool: Any, user: dict[str, str]) -> list[str]:
    return [str(m["code"]) for m in pool.control.inbox(username=user["username"]) if m.get("code")]


def test_send_with_code_from_the_sandbox_verifies_and_history_keeps_where_the_code_came_from(
    sandbox: Any, fresh_user: dict[str, str], verifydesk_home: Path
) -> None:
    env = _env(fresh_user, verifydesk_home)
    code, out, err = _cli("send", *_who(sandbox.info, fresh_user), "--code-from", "sandbox", "--json", env=env)
    assert code == 0, out + err
    payload = json.loads(out)
    assert payload["ok"] is True and payload["code_delivery_details"]["DeliveryMedium"] == "EMAIL"
    verify = payload["verify"]
    assert verify["ok"] is True and verify["error"] is None
    assert set(verify["code_source"]) == {"message_date", "from", "subject"}
    assert verify["code_source"]["from"] == "no-reply@verificationemail.com"
    assert verify["wait_ms"] >= 0
    assert _email_verified(sandbox, fresh_user)

    code, out, _ = _cli("history", "--json", "--limit", "2", env=env)
    verify_row, send_row = json.loads(out)["records"]
    assert (verify_row["id"], send_row["id"]) == (verify["history_id"], payload["history_id"])
    assert verify_row["code_source"]["source"].startswith("sandbox http://")
    assert verify_row["code_source"]["message_date"] and verify_row["code_source"]["wait_ms"] is not None
    assert send_row["code_source"] is None
    (sent,) = _codes_sent(sandbox, fresh_user)
    assert find_secrets(files_under(verifydesk_home), {"code": sent}) == []


def test_verify_with_code_from_the_sandbox_takes_the_newest_code_sent(
    sandbox: Any, fresh_user: dict[str, str], verifydesk_home: Path
) -> None:
    env = _env(fresh_user, verifydesk_home)
    assert _cli("send", *_who(sandbox.info, fresh_user), "--json", env=env)[0] == 0
    assert _cli("send", *_who(sandbox.info, fresh_user), "--json", env=env)[0] == 0  # replaces the first
    code, out, err = _cli("verify", *_who(sandbox.info, fresh_user), "--code-from", "sandbox", env=env)
    assert code == 0, out + err
    assert "email verified" in out
    assert _email_verified(sandbox, fresh_user)


def test_no_code_in_time_is_code_not_received_saying_what_was_searched(
    sandbox: Any, fresh_user: dict[str, str], verifydesk_home: Path
) -> None:
    env = _env(fresh_user, verifydesk_home)
    code, out, _ = _cli("verify", *_who(sandbox.info, fresh_user), "--code-from", "sandbox",
                        "--code-timeout", "1", "--json", env=env)
    assert code == 1
    payload = json.loads(out)
    assert payload["ok"] is False and payload["history_id"] is None  # nothing was verified
    error = payload["error"]
    assert error["code"] == "CodeNotReceived"
    assert error["details"]["searched"] == "the sandbox inbox"
    assert error["details"]["recipient"] == fresh_user["email"]
    assert error["next_step"]
    text_code, _, text = _cli("verify", *_who(sandbox.info, fresh_user), "--code-from", "sandbox",
                              "--code-timeout", "0.5", env=env)
    assert text_code == 1
    assert "CodeNotReceived" in text and "searched: the sandbox inbox" in text and "Next:" in text


def test_update_attribute_with_code_from_waits_at_the_new_value_and_applies_it(
    sandbox: Any, fresh_user: dict[str, str], verifydesk_home: Path
) -> None:
    new = "changed-" + fresh_user["email"]
    code, out, err = _cli("update-attribute", *_who(sandbox.info, fresh_user), "--value", new,
                          "--code-from", "sandbox", "--json", env=_env(fresh_user, verifydesk_home))
    assert code == 0, out + err
    payload = json.loads(out)
    assert payload["pending"] is True and payload["verify"]["ok"] is True
    assert sandbox.control.pending_values(fresh_user["username"]) == {}
    assert _email_verified(sandbox, fresh_user)


@pytest.fixture
def relayed() -> Iterator[tuple[Any, Any]]:
    """Dovecot with LMTP delivering every address into qa's mailbox, and a sandbox mailing to it."""
    from app.sandbox import Sandbox

    with dovecot_server(("qa",), lmtp=True, catch_all="qa") as mail, \
            Sandbox(smtp=f"lmtp://127.0.0.1:{mail.lmtp_port}") as pool:
        yield mail, pool


@pytest.mark.slow
@pytest.mark.linux_only
def test_send_with_code_from_an_imap_mailbox_verifies_and_writes_no_code_or_password(
    relayed: tuple[Any, Any], verifydesk_home: Path
) -> None:
    mail, pool = relayed
    user = pool.control.create_user()
    env = _env(user, verifydesk_home, VERIFYDESK_IMAP_PASSWORD=PASSWORD)
    code, out, err = _cli("send", *_who(pool.info, user), "--code-from", mail.url("qa"),
                          "--code-timeout", "20", "--json", env=env)
    assert code == 0, out + err
    verify = json.loads(out)["verify"]
    assert verify["ok"] is True
    assert verify["code_source"]["from"] == "no-reply@verificationemail.com"
    assert _email_verified(pool, user)
    (sent,) = _codes_sent(pool, user)
    written = files_under(verifydesk_home)
    assert any(path.name == "verifydesk.log" for path in written)
    assert find_secrets(written, {"mailbox password": PASSWORD, "code": sent}) == []
    assert PASSWORD not in out + err and sent not in out + err


def test_an_imap_source_without_a_password_sends_nothing(
    sandbox: Any, fresh_user: dict[str, str], verifydesk_home: Path
) -> None:
    code, out, _ = _cli("send", *_who(sandbox.info, fresh_user), "--code-from",
                        "imap://qa@127.0.0.1:1/INBOX", "--json", env=_env(fresh_user, verifydesk_home))
    assert code == 1
    assert json.loads(out)["error"]["code"] == "MailboxPasswordMissing"
    assert _codes_sent(sandbox, fresh_user) == []


def test_a_change_that_sends_no_code_does_not_wait_for_one(
    sandbox: Any, fresh_user: dict[str, str], verifydesk_home: Path
) -> None:
    who = [*_who(sandbox.info, fresh_user)[:-1], "given_name"]
    code, out, err = _cli("update-attribute", *who, "--value", "Ann", "--code-from", "sandbox",
                          "--json", env=_env(fresh_user, verifydesk_home), timeout=30)
    assert code == 1, out + err
    payload = json.loads(out)
    assert payload["code_delivery_details_list"] == [] and payload["ok"] is False
    assert "nothing to wait for" in payload["verify"]["error"]["message"]


def test_code_from_profile_uses_the_code_source_saved_in_the_profile(
    sandbox: Any, fresh_user: dict[str, str], verifydesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.code_source_settings import SavedCodeSource
    from app.core.paths import app_paths
    from app.core.profile_model import Profile
    from app.core.profiles import ProfileStore

    monkeypatch.setenv("VERIFYDESK_HOME", str(verifydesk_home))
    info = sandbox.info
    ProfileStore(app_paths().profiles_file).save(Profile(
        name="Saved source", region=info.region, client_id=info.client_id, endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id, code_source=SavedCodeSource(),  # the sandbox inbox
    ))
    env = _env(fresh_user, verifydesk_home)
    code, out, err = _cli("send", "--profile", "Saved source", "--username", fresh_user["username"],
                          "--attribute", "email", "--code-from", "profile", "--json", env=env)
    assert code == 0, out + err
    assert json.loads(out)["verify"]["ok"] is True
    assert _email_verified(sandbox, fresh_user)

    code, out, err = _cli("send", *_who(info, fresh_user), "--code-from", "profile", "--json", env=env)
    assert code == 2  # no --profile: nothing is saved under that name
    assert "--code-from" in err + out
