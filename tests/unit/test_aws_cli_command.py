"""The AWS CLI command of a history record survives a real POSIX shell with any text in it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.aws_cli_command import (
    CliCommandError,
    command_for_record,
    send_command,
    shell_quote,
    verify_command,
)
from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
from app.core.models import SEND_OPERATION, VERIFY_OPERATION, ConnectionInfo, Outcome

TOKEN = "eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiJ1In0.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def fake_aws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with an `aws` program that prints the arguments it received as JSON."""
    if sys.platform == "win32":
        pytest.skip("the copied commands are for a POSIX shell, run here by /bin/sh")
    bin_dir = tmp_path_factory.mktemp("bin")
    script = bin_dir / "aws"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n", encoding="utf-8"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def run_in_shell(command: str, fake_aws: Path, **variables: str) -> list[str]:
    env = {
        "PATH": f"{fake_aws}{os.pathsep}{os.environ['PATH']}",
        "LC_ALL": "C.UTF-8",
        "PYTHONUTF8": "1",
        **variables,
    }
    done = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, check=True)
    return list(json.loads(done.stdout.decode("utf-8")))


def test_send_command_passes_the_token_by_variable_and_metadata_as_json(fake_aws: Path) -> None:
    command = send_command(
        attribute_name="email",
        client_metadata={"flow": "it's \"quoted\" $HOME `id`", "emoji": "🎉 ü"},
        region="eu-west-1",
        endpoint_url="http://127.0.0.1:5000",
    )
    assert command.startswith(
        'aws cognito-idp get-user-attribute-verification-code --access-token "$ACCESS_TOKEN"'
    )
    argv = run_in_shell(command, fake_aws, ACCESS_TOKEN=TOKEN)
    assert argv[:4] == ["cognito-idp", "get-user-attribute-verification-code", "--access-token", TOKEN]
    assert argv[argv.index("--attribute-name") + 1] == "email"
    metadata = json.loads(argv[argv.index("--client-metadata") + 1])
    assert metadata == {"flow": "it's \"quoted\" $HOME `id`", "emoji": "🎉 ü"}
    assert argv[argv.index("--region") + 1] == "eu-west-1"
    assert argv[argv.index("--endpoint-url") + 1] == "http://127.0.0.1:5000"


def test_send_command_omits_client_metadata_and_endpoint_when_absent() -> None:
    command = send_command(attribute_name="phone_number", client_metadata={}, region="us-east-1")
    assert "--client-metadata" not in command
    assert "--endpoint-url" not in command
    assert command.endswith("--attribute-name phone_number --region us-east-1")


text_without_nul = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attribute=text_without_nul.filter(bool),
    metadata=st.dictionaries(text_without_nul, text_without_nul, max_size=4),
)
def test_any_unicode_or_quote_reaches_the_cli_unchanged(
    fake_aws: Path, attribute: str, metadata: dict[str, str]
) -> None:
    command = send_command(attribute_name=attribute, client_metadata=metadata, region="eu-central-1")
    argv = run_in_shell(command, fake_aws, ACCESS_TOKEN="tok")
    assert argv[argv.index("--attribute-name") + 1] == attribute
    if metadata:
        assert json.loads(argv[argv.index("--client-metadata") + 1]) == metadata
    else:
        assert "--client-metadata" not in argv


def test_nul_cannot_be_written_on_a_command_line() -> None:
    with pytest.raises(CliCommandError, match="NUL"):
        shell_quote("a\x00b")


def test_safe_words_stay_bare_and_the_empty_string_is_quoted() -> None:
    assert shell_quote("phone_number") == "phone_number"
    assert shell_quote("") == "''"
    assert shell_quote("a b") == "'a b'"


def _store_with(tmp_path: Path, operation: str, metadata: dict[str, str]) -> tuple[HistoryStore, int]:
    store = HistoryStore(tmp_path / "history.sqlite3")
    info = ConnectionInfo("eu-west-1", "http://localhost:9229", "eu-west-1_pool", "client123", "dev")
    row_id = store.begin(AttemptStart(operation, info, "alice", "email", metadata))
    store.complete(row_id, AttemptCompletion(Outcome.SUCCESS, latency_ms=12.0, attempts=1))
    return store, row_id


def test_record_command_repeats_the_stored_request_without_any_token(tmp_path: Path, fake_aws: Path) -> None:
    store, row_id = _store_with(tmp_path, SEND_OPERATION, {"campaign": "spring", "token": TOKEN})
    record = store.get(row_id)
    assert record is not None
    command = command_for_record(record)
    assert TOKEN not in command
    argv = run_in_shell(command, fake_aws, ACCESS_TOKEN="placeholder-token")
    assert argv[argv.index("--access-token") + 1] == "placeholder-token"
    assert argv[argv.index("--endpoint-url") + 1] == "http://localhost:9229"
    assert json.loads(argv[argv.index("--client-metadata") + 1])["campaign"] == "spring"
    store.close()


def test_verify_record_gives_verify_user_attribute_with_code_variable(tmp_path: Path) -> None:
    store, row_id = _store_with(tmp_path, VERIFY_OPERATION, {})
    record = store.get(row_id)
    assert record is not None
    assert command_for_record(record) == verify_command(
        attribute_name="email", region="eu-west-1", endpoint_url="http://localhost:9229"
    )
    assert '--code "$VERIFICATION_CODE"' in command_for_record(record)
    store.close()
