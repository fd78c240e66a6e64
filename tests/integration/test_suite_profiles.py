"""A suite on a saved profile, its user's password from the profile's keyring entry; wrong passwords
and --only; no secret in any file a run writes."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.history import HistoryStore
from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.secrets import SecretKind, reset_default_secret_store
from app.core.suites import RunRequest, run_suite_file

from support.memory_keyring import MemoryKeyring
from support.secret_scan import files_under, find_secrets

PROFILE = "Sandbox"


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[tuple[str, str], str]]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "support.memory_keyring.MemoryKeyring")
    MemoryKeyring.values.clear()
    reset_default_secret_store()
    yield MemoryKeyring.values
    MemoryKeyring.values.clear()
    reset_default_secret_store()


def _suite(tmp_path: Path, user: dict[str, Any], cases: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(textwrap.dedent(f"""\
        version: 1
        name: profile suite
        connection: {{profile: {PROFILE}, auth_flow: USER_PASSWORD_AUTH}}
        users:
          remembered: {{username: {user['username']}, keyring: {PROFILE}}}
          typed: {{username: {user['username']}, password_env: WRONG_PASSWORD}}
        cases:
        """) + textwrap.indent(textwrap.dedent(cases), "  "), encoding="utf-8")
    return path


def test_a_profile_suite_signs_in_with_the_keyring_password_and_writes_no_secret(
    sandbox_info: Any, fresh_user: dict[str, str], memory_keyring: dict[tuple[str, str], str],
    tmp_path: Path,
) -> None:
    ProfileStore(app_paths().profiles_file).save(Profile(
        name=PROFILE, region=sandbox_info.region, client_id=sandbox_info.client_id,
        endpoint_url=sandbox_info.endpoint_url, user_pool_id=sandbox_info.user_pool_id, sandbox=True,
        remember_password=True, last_username=fresh_user["username"]))
    memory_keyring[(SecretKind.PASSWORD.service, PROFILE)] = fresh_user["password"]
    path = _suite(tmp_path, fresh_user, """\
        - {name: from the keyring, user: remembered, verify: {code_from: sandbox}}
        - {name: wrong password, user: typed}
        - {name: wrong password again, user: typed}
        """)
    out = tmp_path / "out"
    env = {"WRONG_PASSWORD": "Not-The-Passw0rd!"}
    with HistoryStore(app_paths().history_db) as history:
        code, payload = run_suite_file(RunRequest(path, junit=out / "r.xml", report=out / "r.html"), history,
                                       environ=env)
        (only_code, only) = run_suite_file(RunRequest(path, only="from the keyring"), history, environ=env)
    assert code == 1
    statuses = {case["name"]: (case["status"], case["message"]) for case in payload["cases"]}
    assert statuses["from the keyring"] == ("passed", "")
    assert statuses["wrong password"][0] == "error"
    assert statuses["wrong password"][1].startswith("users.typed: sign-in as ")
    assert "NotAuthorizedException" in statuses["wrong password"][1]
    assert statuses["wrong password again"] == statuses["wrong password"]  # not signed in twice
    assert only_code == 0 and [case["name"] for case in only["cases"]] == ["from the keyring"]
    leaks = find_secrets(files_under(out, app_paths().data_dir, app_paths().log_dir),
                         {"password": fresh_user["password"], "wrong password": env["WRONG_PASSWORD"]})
    assert leaks == []


def test_an_unknown_profile_is_refused_at_the_connection(tmp_path: Path, fresh_user: dict[str, str]) -> None:
    path = _suite(tmp_path, fresh_user, "- {name: one, user: remembered}\n")
    with HistoryStore(tmp_path / "h.sqlite3") as history:
        code, payload = run_suite_file(RunRequest(path), history, environ={"WRONG_PASSWORD": "x"})
        assert history.recent_runs() == []
    assert code == 2
    (problem,) = payload["error"]["problems"]
    assert (problem["line"], problem["column"]) == (3, 13)
    assert problem["message"] == f"connection.profile: no saved profile named {PROFILE!r}"
