"""Every error documented for GetUserAttributeVerificationCode, injected in the sandbox, reaches
`verifydesk send --json` typed: its code, the API reference's HTTP status, the catalogue's guidance for
it (not the unknown-error fallback), exit code 1, one request, and a history row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.core.errors import ErrorContext, entry_in

from support.documented_errors import (
    OPERATION,
    connection_args,
    documented_errors,
    documented_status,
    model_error_codes,
    run_cli,
    unknown_guidance,
)


@pytest.fixture(autouse=True)
def _no_faults_left(sandbox: Any) -> Iterator[None]:
    sandbox.control.clear_faults()
    yield
    sandbox.control.clear_faults()


@pytest.mark.parametrize("error_code", documented_errors())
def test_each_documented_error_reaches_the_cli_json_with_its_status_guidance_exit_1_and_history(
    sandbox: Any, sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    error_code: str,
) -> None:
    assert error_code in model_error_codes(), f"botocore's model does not list {error_code} for {OPERATION}"
    status = documented_status(error_code)
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    sandbox.control.inject_fault(OPERATION, error_code=error_code)
    before = sandbox.control.request_count(OPERATION)
    code, out, _ = run_cli([
        "send", *connection_args(sandbox_info), "--username", fresh_user["username"],
        "--attribute", "email", "--metadata", f"case={error_code}", "--json",
    ])

    payload = json.loads(out)
    assert code == 1, out
    assert payload["ok"] is False
    error = payload["error"]
    assert (error["code"], error["http_status"]) == (error_code, status)
    assert error["message"] and error["request_id"]
    expected = entry_in(error_code, error["message"], ErrorContext("send", attribute_name="email"))
    assert expected.code == error_code
    assert error["guidance"] == expected.guidance
    assert error["guidance"] != unknown_guidance()
    assert payload["attempts"] == 1
    assert sandbox.control.request_count(OPERATION) == before + 1

    listed, out, _ = run_cli(["history", "--json", "--limit", "1"])
    assert listed == 0, out
    row = json.loads(out)["records"][0]
    assert row["id"] == payload["history_id"]
    assert (row["outcome"], row["error_code"], row["http_status"]) == ("error", error_code, status)
    assert row["request_id"] == error["request_id"]
    assert row["client_metadata"] == {"case": error_code}
