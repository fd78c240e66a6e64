"""The CLI against the sandbox where botocore's model and VerifyDesk's check differ: whitespace in an
AttributeName, names whose code-point and UTF-16 counts straddle the limit, ClientMetadata over the
model's string limit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from support.documented_errors import connection_args, run_cli

pytestmark = pytest.mark.usefixtures("sandbox")
STRING_MAX = 131072  # ClientMetadataType's StringType max in botocore's model (pinned in test_field_rules)


def _send(info: Any, user: dict[str, str], *extra: str) -> tuple[int, str, str]:
    return run_cli(["send", *connection_args(info), "--username", user["username"], *extra, "--json"])


def test_whitespace_in_the_attribute_name_is_refused_and_send_anyway_sends_it_unchanged(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch, sandbox: Any
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    before = sandbox.control.request_count("GetUserAttributeVerificationCode")
    code, out, _ = _send(sandbox_info, fresh_user, "--attribute", "e mail")
    assert code == 2
    refusal = json.loads(out)["error"]
    assert refusal["field"] == "--attribute"
    assert "service model would pass it, but no verifiable attribute has such a name" in refusal["message"]
    assert sandbox.control.request_count("GetUserAttributeVerificationCode") == before

    code, out, _ = _send(sandbox_info, fresh_user, "--attribute", "e mail", "--send-anyway")
    assert code == 1
    answer = json.loads(out)["error"]
    assert answer["code"] == "InvalidParameterException"
    assert "Invalid attribute name" in answer["message"]  # past the model's pattern: it was sent as typed
    code, out, _ = run_cli(["history", "--json", "--limit", "1"])
    assert json.loads(out)["records"][0]["attribute_name"] == "e mail"


def test_a_name_within_32_code_points_but_not_32_utf16_units_is_sent_with_a_warning(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    code, out, err = _send(sandbox_info, fresh_user, "--attribute", "\U0001F600" * 17)
    assert code == 1  # sent: the sandbox says no such attribute
    payload = json.loads(out)
    assert "Invalid attribute name" in payload["error"]["message"]
    assert payload["warnings"] == [line.removeprefix("Warning: ") for line in err.splitlines()
                                   if line.startswith("Warning: ")]
    assert len(payload["warnings"]) == 1
    assert payload["warnings"][0].startswith("--attribute: 17 characters counted in Unicode code points")
    assert "34 in UTF-16 units" in payload["warnings"][0]


def test_a_metadata_value_over_the_models_limit_is_warned_about_before_the_server_refuses_it(
    sandbox_info: Any, fresh_user: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFYDESK_PASSWORD", fresh_user["password"])
    code, out, err = _send(sandbox_info, fresh_user, "--attribute", "email",
                           "--metadata", "big=" + "x" * (STRING_MAX + 1))
    payload = json.loads(out)
    assert code == 1
    assert payload["error"]["code"] == "InvalidParameterException"
    assert f"Map value must satisfy constraint: [Member must have length less than or equal to {STRING_MAX}]" in (
        payload["error"]["message"])
    expected = (f"--metadata: ClientMetadata value of 'big' has {STRING_MAX + 1} characters, more than the "
                f"{STRING_MAX} the service model allows: Cognito may refuse the request.")
    assert payload["warnings"] == [expected]
    assert f"Warning: {expected}\n" in err

    code, out, err = _send(sandbox_info, fresh_user, "--attribute", "email", "--metadata", "ok=" + "x" * STRING_MAX)
    assert code == 0
    assert "warnings" not in json.loads(out) and "Warning:" not in err
