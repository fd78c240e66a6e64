"""The CLI without a server: history listing and files, bad options, profiles without a keyring."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import traceback
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.cli.common import EXIT_BAD_INPUT, EXIT_OK
from app.cli.parser import build_parser
from app.cli.run import run_command


def _run(*argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = run_command(args, stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_history_on_a_new_home_lists_nothing() -> None:
    code, out, _ = _run("history", "--json")
    assert code == EXIT_OK
    assert json.loads(out) == {"ok": True, "records": []}


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


def test_history_outcome_cancelled_lists_the_sends_cancelled_in_the_window(verifydesk_home: Path) -> None:
    from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
    from app.core.models import SEND_OPERATION, ConnectionInfo, Outcome

    info = ConnectionInfo(region="us-east-1", endpoint_url=None, user_pool_id=None, client_id="abc123")
    with HistoryStore(verifydesk_home / "data" / "history.sqlite3") as store:
        for cancelled in (True, False):
            row = store.begin(AttemptStart(SEND_OPERATION, info, "ann", "email", {}))
            store.complete(row, AttemptCompletion(Outcome.SUCCESS, http_status=200, cancelled=cancelled))

    code, out, _ = _run("history", "--json", "--outcome", "cancelled")

    assert code == EXIT_OK
    records = json.loads(out)["records"]
    assert [(r["outcome"], r["cancelled"]) for r in records] == [("success", True)]


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
    from app.core.profile_model import Profile
    from app.core.profiles import ProfileStore

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


# --- where the connection points: refused before any client exists, at the option ----------------

_WHO = ["--client-id", "C", "--username", "alice", "--attribute", "email"]
_SEND_AND_VERIFY = [pytest.param(["send"], id="send"), pytest.param(["verify", "--code", "123456"], id="verify")]
_UNUSABLE_WHERE = [
    pytest.param(["--endpoint-url", "htp:/x", "--region", "us-east-1"], "--endpoint-url", "http://",
                 id="endpoint-scheme"),
    pytest.param(["--endpoint-url", "http://", "--region", "us-east-1"], "--endpoint-url", "host",
                 id="endpoint-no-host"),
    pytest.param(["--endpoint-url", "http://127.0.0.1:99999", "--region", "us-east-1"], "--endpoint-url",
                 "port", id="endpoint-port"),
    # Passes the shared URL rule; botocore's own refusal at client creation is reported the same way.
    pytest.param(["--endpoint-url", "http://cognito_local:9229", "--region", "us-east-1"], "--endpoint-url",
                 "host name", id="endpoint-botocore-refuses"),
    pytest.param(["--region", "Mars West"], "--region", "AWS region", id="region-words"),
    pytest.param(["--region", "us-east-1 "], "--region", "AWS region", id="region-space"),
]


@pytest.mark.parametrize("command", _SEND_AND_VERIFY)
@pytest.mark.parametrize(("where", "option", "words"), _UNUSABLE_WHERE)
def test_an_unusable_endpoint_or_region_is_one_json_error_naming_the_option(
    monkeypatch: pytest.MonkeyPatch, command: list[str], where: list[str], option: str, words: str
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", "pw")

    code, out, err = _run(*command, *where, *_WHO, "--json")

    assert code == EXIT_BAD_INPUT
    assert out.count("\n") == 1, out
    payload = json.loads(out)
    assert payload["ok"] is False
    assert payload["error"]["field"] == option
    assert words.lower() in payload["error"]["message"].lower()
    assert "Traceback" not in err


@pytest.mark.parametrize(("where", "option", "words"), _UNUSABLE_WHERE)
def test_an_unusable_endpoint_or_region_is_a_message_at_the_option_and_no_history_row(
    monkeypatch: pytest.MonkeyPatch, where: list[str], option: str, words: str
) -> None:
    monkeypatch.setenv("VERIFYDESK_ACCESS_TOKEN", "a.b.c")  # a token: nothing to sign in, straight to send

    code, out, err = _run("send", *where, "--client-id", "C", "--attribute", "email")

    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err.startswith(f"verifydesk: {option}: ")
    assert words.lower() in err.lower()
    assert json.loads(_run("history", "--json")[1])["records"] == []


def test_an_unusable_endpoint_in_the_aws_variable_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "localhost:9229")
    monkeypatch.setenv("VERIFYDESK_PASSWORD", "pw")

    code, out, _ = _run("send", "--region", "us-east-1", *_WHO, "--json")

    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"


def test_an_unusable_endpoint_given_with_a_profile_names_the_option(
    verifydesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.profile_model import Profile
    from app.core.profiles import ProfileStore

    ProfileStore(verifydesk_home / "config" / "profiles.json").save(
        Profile(name="dev", region="eu-west-1", client_id="abc123"))
    monkeypatch.setenv("VERIFYDESK_PASSWORD", "pw")

    code, out, _ = _run("send", "--profile", "dev", "--endpoint-url", "ftp://x", "--username", "a",
                        "--attribute", "email", "--json")

    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--endpoint-url"


def test_the_cli_and_saved_profiles_use_one_rule_for_regions_and_endpoints() -> None:
    from app.core.profile_model import Profile
    from app.core.validation import endpoint_url_problem, region_problem

    for region in ("Mars West", "us-east-1", "local", "eu-central-2"):
        refused = {e.field: e.message for e in Profile(name="p", region=region, client_id="c").problems()}
        assert refused.get("region") == region_problem(region)
    for url in ("htp:/x", "http://", "http://127.0.0.1:5000", "https://h:0", "http://a b"):
        profile = Profile(name="p", region="us-east-1", client_id="c", endpoint_url=url)
        refused = {e.field: e.message for e in profile.problems()}
        assert refused.get("endpoint_url") == endpoint_url_problem(url)


# --- history export: a destination that cannot be written ------------------------------------------


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        pytest.param(lambda out: out / "no-such-dir" / "h.csv", "does not exist", id="missing-folder"),
        pytest.param(lambda out: Path("/proc/h.csv"), "", id="proc"),
        pytest.param(lambda out: out / "x.csv", "it is a folder", id="a-folder-named-x.csv"),
        pytest.param(lambda out: out / "file.txt" / "h.json", "is not a folder", id="under-a-file"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_history_export_to_an_unwritable_place_names_export_and_leaves_no_file(
    tmp_path: Path, where: Any, reason: str, as_json: bool
) -> None:
    out_dir = tmp_path / "out"
    (out_dir / "x.csv").mkdir(parents=True)
    (out_dir / "file.txt").write_text("keep me", encoding="utf-8")
    _run("history")  # the history exists before the export, so only the export could add files
    target: Path = where(out_dir)
    before = sorted(p.name for p in target.parent.iterdir()) if target.parent.is_dir() else None

    code, out, err = _run("history", "--export", str(target), *(["--json"] if as_json else []))

    assert code == EXIT_BAD_INPUT
    if as_json:
        error = json.loads(out)["error"]
        assert (error["field"], error["message"].startswith(f"cannot write {target}: ")) == ("--export", True)
    else:
        assert err.startswith(f"verifydesk: --export: cannot write {target}: "), err
    assert reason in (out if as_json else err)
    assert "Traceback" not in err
    if before is not None:
        assert sorted(p.name for p in target.parent.iterdir()) == before
    assert sorted(p.name for p in out_dir.iterdir()) == ["file.txt", "x.csv"]
    assert (out_dir / "file.txt").read_text(encoding="utf-8") == "keep me"


def test_history_export_says_records_like_the_window(tmp_path: Path) -> None:
    code, out, _ = _run("history", "--export", str(tmp_path / "h.json"))
    assert code == EXIT_OK
    assert out == f"Exported 0 records to {tmp_path / 'h.json'}\n"
    code, out, _ = _run("history", "--json")
    assert json.loads(out) == {"ok": True, "records": []}


# --- help: every option explained; the secrets' sources named ----------------------------------------


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(found[0].choices)


@pytest.mark.parametrize(
    "command", ["send", "verify", "update-attribute", "history", "sandbox", "lambda-runner", "self-test",
                "preflight", "run"])
def test_every_option_of_every_command_has_help(command: str) -> None:
    parser = _subparsers()[command]
    unexplained = [
        action.option_strings or [action.dest] for action in parser._actions
        if not isinstance(action, argparse._HelpAction) and not (action.help or "").strip()
    ]
    assert unexplained == []


@pytest.mark.parametrize("command", ["send", "verify", "update-attribute"])
def test_send_verify_and_update_help_name_every_secret_source(command: str) -> None:
    text = " ".join(_subparsers()[command].format_help().split())
    for variable in ("VERIFYDESK_PASSWORD", "VERIFYDESK_ACCESS_TOKEN", "VERIFYDESK_CLIENT_SECRET",
                     "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"):
        assert variable in text
    assert "remembered" in text and "--profile" in text
    assert "exit status: 0 success, 1 service error, 2 bad input" in text


def test_history_help_speaks_of_records_like_the_window() -> None:
    text = _subparsers()["history"].format_help()
    assert "records" in text
    assert "entries" not in text


def _main(*argv: str) -> tuple[int, str, str]:
    """`verifydesk ARGV` in-process, as a shell would run it (argparse errors included)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except Exception:  # what a user would see as a traceback
            code = 1
            err.write("Traceback (in-process):\n" + traceback.format_exc())
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "spec", ["bogus", "handler.py", "http://127.0.0.1:9001", "ftp://x.py:handler", "notes.txt:handler",
             "trigger.py:not-a-name", ""],
)
def test_lambda_runner_refuses_a_bad_handler_describing_only_what_it_accepts(spec: str) -> None:
    code, out, err = _main("lambda-runner", spec)

    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert "FILE.py:FUNCTION" in err
    assert "URL" not in err and "endpoint" not in err.lower()
    assert "Traceback" not in err


# --- bad input anywhere: exit 2 naming the option, never a traceback ---------------------------------

# Nothing listens at port 9: an input wrongly let through fails fast (exit 1), without DNS or AWS.
_SEND = ("send", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1", "--client-id", "C",
         "--username", "alice", "--attribute", "email")

_UPDATE = ("update-attribute", *_SEND[1:])


def _bad_inputs(tmp: Path) -> list[tuple[tuple[str, ...], str]]:
    (tmp / "folder.json").mkdir()
    (tmp / "latin1.json").write_bytes(b'{"k": "caf\xe9"}')
    (tmp / "list.json").write_text("[1, 2]", encoding="utf-8")
    with (tmp / "huge.json").open("wb") as huge:
        huge.truncate(6 * 1024 * 1024)
    (tmp / "not-a-folder").write_text("", encoding="utf-8")
    return [
        ((*_SEND, "--metadata-file", str(tmp / "missing.json")), "--metadata-file"),
        ((*_SEND, "--metadata-file", str(tmp / "folder.json")), "--metadata-file"),
        ((*_SEND, "--metadata-file", str(tmp / "latin1.json")), "--metadata-file"),
        ((*_SEND, "--metadata-file", str(tmp / "list.json")), "--metadata-file"),
        ((*_SEND, "--metadata-file", str(tmp / "huge.json")), "--metadata-file"),
        ((*_SEND, "--metadata-file", "/dev/zero"), "--metadata-file"),
        ((*_SEND, "--metadata", "=x"), "--metadata"),
        ((*_SEND, "--attempts", "0"), "--attempts"),
        ((*_SEND, "--attempts", "-2"), "--attempts"),
        ((*_SEND, "--attempts", "100000000000000000000"), "--attempts"),
        ((*_SEND, "--attempts", "two"), "--attempts"),
        ((*_SEND, "--timeout", "-1"), "--timeout"),
        ((*_SEND, "--timeout", "0"), "--timeout"),
        ((*_SEND, "--timeout", "nan"), "--timeout"),
        ((*_SEND, "--timeout", "inf"), "--timeout"),
        ((*_SEND, "--timeout", "soon"), "--timeout"),
        ((*_SEND, "--user-pool-id", "nounderscore", "--auth-flow", "USER_SRP_AUTH"), "--user-pool-id"),
        ((*_SEND, "--profile", "nobody"), "--profile"),
        ((*_SEND, "--attribute", ""), "--attribute"),
        (("verify", *_SEND[1:], "--code", "12 34"), "--code"),
        (("verify", *_SEND[1:], "--code", ""), "--code"),
        ((*_UPDATE, "--value", "not-an-email"), "--value"),
        ((*_UPDATE, "--value", "name@"), "--value"),
        ((*_UPDATE, "--value", ""), "--value"),
        ((*_UPDATE, "--value", "x" * 2049), "--value"),
        (("update-attribute", *_SEND[1:-1], "phone_number", "--value", "555 0100"), "--value"),
        (("update-attribute", *_SEND[1:-1], "phone_number", "--value", "+0123"), "--value"),
        (("update-attribute", *_SEND[1:-2]), "--attribute"),
        (("update-attribute", *_SEND[1:]), "--value"),
        ((*_UPDATE, "--value", "a@example.org", "--attribute", ""), "--attribute"),
        ((*_UPDATE, "--value", "a@example.org", "--metadata", "=x"), "--metadata"),
        ((*_UPDATE, "--value", "a@example.org", "--metadata-file", str(tmp / "list.json")), "--metadata-file"),
        ((*_UPDATE, "--value", "a@example.org", "--aws-profile", "admin"), "--user-pool-id"),
        ((*_UPDATE, "--value", "a@example.org", "--attempts", "0"), "--attempts"),
        (("history", "--operation", "delete"), "--operation"),
        (("history", "--limit", "0"), "--limit"),
        (("history", "--limit", "-5"), "--limit"),
        (("history", "--limit", "100000000000000000000"), "--limit"),
        (("history", "--limit", "ten"), "--limit"),
        (("history", "--outcome", "maybe"), "--outcome"),
        (("history", "--export", str(tmp / "h.txt")), "--export"),
        (("history", "--export", str(tmp / "not-a-folder" / "h.csv")), "--export"),
        (("sandbox", "--port", "70000"), "--port"),
        (("sandbox", "--port", "-1"), "--port"),
        (("lambda-runner", "demo", "--port", "65536"), "--port"),
    ]


def test_every_bad_input_exits_2_naming_the_option_never_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", "pw")
    failures = []
    for argv, option in _bad_inputs(tmp_path):
        code, _, err = _main(*argv)
        if code != EXIT_BAD_INPUT or option not in err or "Traceback" in err:
            failures.append(f"{' '.join(argv)} -> exit {code}: {err[-300:]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("stdin", "option"),
    [
        pytest.param(lambda: io.TextIOWrapper(io.BytesIO(b"\xff\xfe\n"), encoding="utf-8"), "--password-stdin",
                     id="not-utf8"),
        pytest.param(lambda: None, "--password-stdin", id="no-stdin"),
        pytest.param(lambda: io.StringIO(""), "--password-stdin", id="empty"),
    ],
)
def test_an_unreadable_standard_input_is_bad_input_at_its_option(
    monkeypatch: pytest.MonkeyPatch, stdin: Any, option: str
) -> None:
    monkeypatch.setattr("sys.stdin", stdin())
    code, _, err = _main(*_SEND, "--password-stdin")
    assert code == EXIT_BAD_INPUT
    assert f"verifydesk: {option}: " in err


def test_a_malformed_access_token_names_the_variable_it_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFYDESK_ACCESS_TOKEN", "not a token")
    code, out, _ = _run("send", "--region", "us-east-1", "--client-id", "C", "--attribute", "email", "--json")
    error = json.loads(out)["error"]
    assert (code, error["field"]) == (EXIT_BAD_INPUT, "VERIFYDESK_ACCESS_TOKEN")
    assert not error["message"].startswith("AccessToken")


def test_an_unusable_verifydesk_home_is_bad_input_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "a-file"
    home.write_text("", encoding="utf-8")
    monkeypatch.setenv("VERIFYDESK_HOME", str(home))
    code, out, err = _main("history", "--json")
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "VERIFYDESK_HOME"
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (("send", "--client-id", "C", "--attempts", "two", "--attribute", "email"), "--attempts"),
        (("verify", "--client-id", "C", "--attribute", "email"), "--code"),
        (("update-attribute", "--client-id", "C", "--attribute", "email"), "--value"),
        (("history", "--operation", "all"), "--operation"),
        (("history", "--outcome", "maybe"), "--outcome"),
        (("history", "--limit", "ten"), "--limit"),
        (("verify", "--client-id", "C", "--attribute", "email", "--code", "1", "--code-from", "sandbox"),
         "--code-from"),
        (("send", "--client-id", "C", "--attribute", "email", "--code-timeout", "0"), "--code-timeout"),
        (("run",), "SUITE.yaml"),
    ],
)
def test_a_usage_error_with_json_is_still_one_json_object(argv: tuple[str, ...], option: str) -> None:
    code, out, err = _main(*argv, "--json")
    assert code == EXIT_BAD_INPUT
    assert out.count("\n") == 1
    payload = json.loads(out)
    assert (payload["ok"], payload["error"]["field"]) == (False, option)
    assert "usage:" in err


def test_a_secret_typed_as_an_argument_is_refused_and_not_echoed() -> None:
    for argv in (("--password", "hunter2"), ("--password=hunter2",), ("--access-token", "hunter2")):
        code, out, err = _main("send", "--client-id", "C", "--attribute", "email", *argv, "--json")
        assert code == EXIT_BAD_INPUT
        assert json.loads(out)["error"]["field"] == argv[0].split("=")[0]
        assert "hunter2" not in out + err


def test_options_are_never_abbreviated() -> None:
    """`--password X` must not quietly become `--password-stdin`, nor `--lim` be `--limit`."""
    code, _, err = _main("history", "--lim", "3")
    assert code == EXIT_BAD_INPUT
    assert "--lim" in err


# --- metadata files that are not files, numbers no one can print ----------------------------------


def test_a_fifo_as_metadata_file_is_refused_at_once_as_not_a_regular_file(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    fifo = tmp_path / "metadata.json"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "app", *_SEND, "--metadata-file", str(fifo), "--json"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "VERIFYDESK_PASSWORD": "pw"},
    )
    assert done.returncode == EXIT_BAD_INPUT, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["field"] == "--metadata-file"
    assert "not a regular file" in error["message"]


def test_a_5000_digit_integer_in_a_metadata_file_is_bad_input_naming_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", "pw")
    metadata = tmp_path / "metadata.json"
    metadata.write_text('{"fine": "yes", "serial": ' + "7" * 5000 + "}", encoding="utf-8")

    code, out, err = _main(*_SEND, "--metadata-file", str(metadata), "--json")

    assert code == EXIT_BAD_INPUT, err
    error = json.loads(out)["error"]
    assert error["field"] == "--metadata-file"
    assert "'serial'" in error["message"] and "'fine'" not in error["message"]


# --- one rule for connection settings: options, profiles and the profile form agree ---------------


@pytest.mark.parametrize("seconds", ["0.05", "0.1", "300", "300.5", "900", "900.01", "1e400"])
def test_the_timeout_option_and_a_saved_profile_accept_the_same_read_timeouts(seconds: str) -> None:
    from app.core.profile_model import Profile

    profile_refuses = "read_timeout_s" in {
        e.field for e in Profile(name="p", region="us-east-1", client_id="c",
                                 read_timeout_s=float(seconds)).problems()}
    # An empty attribute is the next thing checked: a timeout let through is refused there instead.
    code, out, _ = _run(*_SEND[:-2], "--attribute", "", "--timeout", seconds, "--json")

    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == ("--timeout" if profile_refuses else "--attribute")


def test_a_profile_with_an_absurd_number_is_refused_by_name_and_field_and_the_others_load(
    verifydesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = verifydesk_home / "config" / "profiles.json"
    profiles.parent.mkdir(parents=True)
    absurd = "1" + "0" * 400
    profiles.write_text(
        '{"format": "verifydesk.profiles", "version": 1, "profiles": ['
        '{"name": "absurd", "region": "us-east-1", "client_id": "abc", "read_timeout_s": ' + absurd + "},"
        '{"name": "fine", "region": "us-east-1", "client_id": "abc", "endpoint_url": "http://127.0.0.1:9"}]}',
        encoding="utf-8")
    monkeypatch.setenv("VERIFYDESK_ACCESS_TOKEN", "a.b.c")

    code, out, err = _main("send", "--profile", "absurd", "--attribute", "email", "--json")
    assert code == EXIT_BAD_INPUT and "Traceback" not in err
    assert json.loads(out)["error"]["field"] == "--profile"
    assert "'absurd'" in err and "read_timeout_s" in err and absurd not in err

    code, out, err = _main("send", "--profile", "fine", "--attribute", "", "--json")
    assert (code, json.loads(out)["error"]["field"]) == (EXIT_BAD_INPUT, "--attribute")  # it loaded


def test_the_entry_point_imports_no_parser_and_no_boto3_until_it_has_words() -> None:
    import subprocess
    import sys

    probe = "import sys, app.cli; print(sorted(m for m in ('argparse', 'boto3', 'app.core') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_a_bad_new_value_is_one_json_error_at_value_and_records_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", "pw")
    code, out, _ = _run(*_UPDATE, "--value", "+1 555 0100", "--metadata", "k=v", "--json")
    assert code == EXIT_BAD_INPUT
    assert json.loads(out) == {"ok": False, "error": {
        "code": "InvalidInput", "field": "--value", "http_status": None, "request_id": None, "guidance": None,
        "message": "This does not look like an email address (name@example.com)."}}
    assert json.loads(_run("history", "--json")[1])["records"] == []


def test_update_help_says_what_pending_means_and_how_to_verify() -> None:
    text = " ".join(_subparsers()["update-attribute"].format_help().split())
    assert '"pending": true' in text and "verifydesk verify --code" in text
    assert "--aws-profile" in text and "DescribeUserPool" in text


_OFFLINE = ("--region", "eu-west-1", "--client-id", "C", "--user-pool-id", "eu-west-1_Pool",
            "--username", "ann", "--attribute", "email")


@pytest.mark.parametrize(("command", "extra"), [("send", ()), ("verify", ()),
                                                 ("update-attribute", ("--value", "new@example.com"))])
@pytest.mark.parametrize(("source", "option", "says"), [
    ("pop3://h/INBOX", "--code-from", "unknown scheme"),
    ("imap://host/INBOX", "--code-from", "the user is missing"),
    ("imap://qa:secret@host/INBOX", "--code-from", "does not belong in the URL"),
    ("s3://Bad_Bucket/x", "--code-from", "not an S3 bucket name"),
])
def test_a_bad_code_source_is_exit_2_naming_code_from_before_anything_is_sent(
    command: str, extra: tuple[str, ...], source: str, option: str, says: str
) -> None:
    code, out, err = _main(command, *_OFFLINE, *extra, "--code-from", source, "--json")
    assert code == EXIT_BAD_INPUT, out + err
    error = json.loads(out)["error"]
    assert (error["field"], says in error["message"]) == (option, True)
    assert "secret" not in out + err


@pytest.mark.parametrize(("pattern", "says"), [("([0-9]{6}", "not a regular expression"),
                                               ("([0-9])([0-9])", "exactly one")])
def test_a_bad_code_pattern_is_exit_2_naming_code_pattern(pattern: str, says: str) -> None:
    code, _, err = _main("send", *_OFFLINE, "--code-from", "sandbox", "--code-pattern", pattern)
    assert code == EXIT_BAD_INPUT
    assert "--code-pattern: " in err and says in err


def test_a_missing_imap_ca_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    code, out, _ = _main("verify", *_OFFLINE, "--code-from", "imaps://qa@h/INBOX",
                         "--imap-ca-file", str(tmp_path / "none.pem"), "--json")
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--imap-ca-file"


def test_verify_needs_a_code_or_a_code_source() -> None:
    code, out, _ = _main("verify", *_OFFLINE, "--json")
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--code"


def test_preflight_without_a_pool_id_or_a_user_is_exit_2_naming_the_option() -> None:
    code, out, _ = _main("preflight", "--region", "eu-west-1", "--client-id", "C", "--json")
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--user-pool-id"
    code, out, _ = _main("preflight", "--region", "eu-west-1", "--client-id", "C",
                         "--user-pool-id", "eu-west-1_Pool", "--json")
    assert code == EXIT_BAD_INPUT
    assert json.loads(out)["error"]["field"] == "--username"


def test_run_of_a_missing_suite_file_is_exit_2_with_its_name(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    code, out, err = _main("run", str(missing), "--json")
    assert code == EXIT_BAD_INPUT, out + err
    payload = json.loads(out)
    assert payload["error"]["code"] == "InvalidSuite"
    assert str(missing) in payload["error"]["message"]
    code, _, err = _main("run", str(missing))
    assert code == EXIT_BAD_INPUT and str(missing) in err
