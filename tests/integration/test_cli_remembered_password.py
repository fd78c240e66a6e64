"""`verifydesk send --profile NAME` with no password given uses the one the window remembered in a
secure keyring; without one, the error says how to give a password and why none was remembered.

In-process runs use the in-memory test keyring (a keyring keyring recommends); the separate-process
run uses a real Secret Service (gnome-keyring in a private D-Bus session), as a desktop has.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli.common import PASSWORD_ENV
from app.cli.parser import build_parser
from app.cli.run import run_command
from app.core.history import HistoryFilter, HistoryStore
from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.secrets import SecretKind, reset_default_secret_store

from support.memory_keyring import MemoryKeyring
from support.prerequisites import require_secret_service
from support.secret_scan import files_under, find_secrets

REPO = Path(__file__).resolve().parents[2]
PROFILE = "Sandbox"

pytestmark = pytest.mark.usefixtures("sandbox")


@pytest.fixture(autouse=True)
def _no_password_given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in (PASSWORD_ENV, "VERIFYDESK_ACCESS_TOKEN", "VERIFYDESK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # no user keyringrc.cfg
    MemoryKeyring.values.clear()
    reset_default_secret_store()
    yield
    MemoryKeyring.values.clear()
    reset_default_secret_store()


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str], str]:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "support.memory_keyring.MemoryKeyring")
    return MemoryKeyring.values


def save_profile(info: Any, **changes: Any) -> Profile:
    return ProfileStore(app_paths().profiles_file).save(Profile(
        name=PROFILE, region=info.region, client_id=info.client_id, endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id, sandbox=True, **changes,
    ))


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    args = build_parser().parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    code = run_command(args, stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_send_with_a_profile_uses_the_password_remembered_in_the_keyring(
    sandbox_info: Any, fresh_user: dict[str, str], memory_keyring: dict[tuple[str, str], str]
) -> None:
    save_profile(sandbox_info, remember_password=True, last_username=fresh_user["username"])
    memory_keyring[(SecretKind.PASSWORD.service, PROFILE)] = fresh_user["password"]

    # --username left out: the remembered password's user.
    code, out, err = run_cli(["send", "--profile", PROFILE, "--attribute", "email", "--json"])
    assert code == 0, out + err
    assert json.loads(out)["code_delivery_details"]["DeliveryMedium"] == "EMAIL"
    code, out, err = run_cli(
        ["send", "--profile", PROFILE, "--username", fresh_user["username"], "--attribute", "email", "--json"])
    assert code == 0, out + err
    with HistoryStore(app_paths().history_db) as history:
        assert [r.username for r in history.page(HistoryFilter(), limit=5)] == [fresh_user["username"]] * 2


def test_without_a_remembered_password_the_error_names_how_to_give_one(
    sandbox_info: Any, fresh_user: dict[str, str], memory_keyring: dict[tuple[str, str], str]
) -> None:
    save_profile(sandbox_info, last_username=fresh_user["username"])
    memory_keyring[(SecretKind.PASSWORD.service, PROFILE)] = fresh_user["password"]  # not opted in

    code, out, _ = run_cli(["send", "--profile", PROFILE, "--username", fresh_user["username"],
                            "--attribute", "email", "--json"])
    assert code == 2
    error = json.loads(out)["error"]
    assert error["field"] == "--password-stdin"
    assert f"Set ${PASSWORD_ENV} or pass --password-stdin." in error["message"]
    assert '"Remember password in the OS keyring"' in error["message"]
    assert fresh_user["password"] not in out


def test_a_password_remembered_for_another_user_is_not_used(
    sandbox_info: Any, fresh_user: dict[str, str], memory_keyring: dict[tuple[str, str], str]
) -> None:
    save_profile(sandbox_info, remember_password=True, last_username=fresh_user["username"])
    memory_keyring[(SecretKind.PASSWORD.service, PROFILE)] = fresh_user["password"]

    code, _, err = run_cli(["send", "--profile", PROFILE, "--username", "someone-else", "--attribute", "email"])
    assert code == 2
    assert f"is {fresh_user['username']}'s, not someone-else's" in err
    assert f"${PASSWORD_ENV}" in err


def test_without_a_secure_keyring_a_remembered_password_is_not_looked_for(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # headless Linux
    save_profile(sandbox_info, remember_password=True, last_username=fresh_user["username"])

    code, _, err = run_cli(["send", "--profile", PROFILE, "--attribute", "email"])
    assert code == 2
    assert "--username" in err  # no password, so no username to take from it
    assert "no secure OS keyring is available in this session" in err
    assert f"${PASSWORD_ENV}" in err


_SEED = """
import sys
from app.core.secrets import SecretKind, default_secret_store
store = default_secret_store()
assert store.is_secure and "SecretService" in store.backend_name, (store.backend_name, store.notice)
store.set(SecretKind.PASSWORD, sys.argv[1], sys.stdin.readline().rstrip("\\n"))
assert store.is_secure, store.notice
"""


@pytest.mark.linux_only
def test_python_dash_m_app_send_uses_the_password_remembered_in_a_real_secret_service(
    sandbox_info: Any, fresh_user: dict[str, str], verifydesk_home: Path, tmp_path: Path
) -> None:
    require_secret_service()
    save_profile(sandbox_info, remember_password=True, last_username=fresh_user["username"])
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "KDE_FULL_SESSION", PASSWORD_ENV}}
    env.update(
        PYTHONPATH=str(REPO), VERIFYDESK_HOME=str(verifydesk_home), HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"), XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_RUNTIME_DIR=str(tmp_path / "xdg-runtime"),
    )
    (tmp_path / "xdg-runtime").mkdir(mode=0o700)
    (tmp_path / "home").mkdir()
    # In one private session bus: unlock a fresh login keyring, store the password as the window
    # does (read from stdin), then the CLI in its own process with no password given.
    script = (
        "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
        '"$1" -c "$2" "$3" && exec "$1" -m app send --profile "$3" --attribute email --json'
    )
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script, "sh", sys.executable, _SEED, PROFILE],
        input=fresh_user["password"] + "\n", env=env, capture_output=True, text=True, timeout=120,
        check=False, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"] is True
    assert result["code_delivery_details"]["AttributeName"] == "email"
    with HistoryStore(app_paths().history_db) as history:
        assert [r.username for r in history.page(HistoryFilter(), limit=5)] == [fresh_user["username"]]
    assert find_secrets(files_under(verifydesk_home), {"password": fresh_user["password"]}) == []
