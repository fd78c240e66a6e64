"""The CLI without a server: history listing and files, bad options, profiles without a keyring."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli import EXIT_BAD_INPUT, EXIT_OK, build_parser
from app.cli_commands import run_command


def _run(*argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = run_command(args, stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_history_on_a_new_home_lists_nothing() -> None:
    code, out, _ = _run("history", "--json")
    assert code == EXIT_OK
    assert json.loads(out) == {"ok": True, "entries": []}


def test_a_history_file_that_is_not_a_database_is_moved_aside_and_reported(verifydesk_home: Path) -> None:
    history_file = verifydesk_home / "data" / "history.sqlite3"
    history_file.parent.mkdir(parents=True)
    history_file.write_bytes(b"this is not a database\n" * 10)

    code, _, err = _run("history", "--json")

    assert code == EXIT_OK
    moved = [p for p in history_file.parent.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]
    assert len(moved) == 1
    assert moved[0].read_bytes().startswith(b"this is not a database")
    assert str(moved[0]) in err


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_history_limit_must_be_positive(limit: str) -> None:
    code, out, _ = _run("history", "--json", "--limit", limit)
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--limit"


def test_history_export_refuses_other_suffixes(tmp_path: Path) -> None:
    code, out, _ = _run("history", "--json", "--export", str(tmp_path / "h.txt"))
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--export"


def test_a_profile_with_a_client_secret_but_no_keyring_asks_for_the_environment_variable(
    verifydesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.profiles import Profile, ProfileStore

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("VERIFYDESK_CLIENT_SECRET", raising=False)
    ProfileStore(verifydesk_home / "config" / "profiles.json").save(
        Profile(name="staging", region="eu-west-1", client_id="abc123", has_client_secret=True)
    )
    monkeypatch.setenv("VERIFYDESK_ACCESS_TOKEN", "a.b.c")

    code, out, _ = _run("send", "--profile", "staging", "--attribute", "email", "--json")

    assert code == EXIT_BAD_INPUT
    error = json.loads(out)["error"]
    assert error["field"] == "--profile"
    assert "VERIFYDESK_CLIENT_SECRET" in error["message"]


def test_an_unusable_profiles_file_is_reported_by_the_cli(
    verifydesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = verifydesk_home / "config" / "profiles.json"
    profiles.parent.mkdir(parents=True)
    profiles.write_bytes(b"\xff\xfe not json")
    monkeypatch.setenv("VERIFYDESK_ACCESS_TOKEN", "a.b.c")

    code, out, err = _run("send", "--profile", "staging", "--attribute", "email", "--json")

    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--profile"
    assert "profiles.json.corrupt-" in err
