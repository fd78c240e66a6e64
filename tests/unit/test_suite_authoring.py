""""Save as case": the current request and its last result appended to a suite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.models import CodeDeliveryDetails
from app.core.suites import SuiteError, load_suite
from app.core.suites.authoring import NewCase, save_case

DELIVERED = NewCase("campaign email", "alice", "email", {"campaign": "spring"},
                    delivery=CodeDeliveryDetails("email", "EMAIL", "a***@e***"))


def test_the_first_case_creates_a_suite_on_the_profile_that_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "signup.yaml"
    assert save_case(path, DELIVERED, profile="Sandbox") == "campaign email"
    suite = load_suite(path, environ={})
    (case,) = suite.cases
    assert (suite.name, suite.connection.profile) == ("signup", "Sandbox")
    assert suite.users["alice"].keyring_profile == "Sandbox"
    assert (case.attribute, case.metadata, case.expect.outcome) == ("email", {"campaign": "spring"}, "delivered")
    assert (case.expect.delivery_medium, case.expect.destination) == ("EMAIL", r"^a\*\*\*@e\*\*\*$")


def test_appending_keeps_comments_and_reuses_the_user_by_username(tmp_path: Path) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(
        "# our signup checks\nversion: 1\nname: signup\nconnection: {profile: Sandbox}\n"
        "users:\n  qa: {username: alice, password_env: QA_PW}  # the CI user\n"
        "cases:\n  - {name: campaign email, user: qa}\n", encoding="utf-8")
    name = save_case(path, DELIVERED, profile="Sandbox")
    error = NewCase("given_name", "alice", "given_name", send_anyway=True, error_code="InvalidParameterException")
    save_case(path, error, profile="Sandbox")
    text = path.read_text(encoding="utf-8")
    assert "# our signup checks" in text and "# the CI user" in text
    suite = load_suite(path, environ={"QA_PW": "x"})
    assert name == "campaign email (2)"
    assert [c.name for c in suite.cases] == ["campaign email", "campaign email (2)", "given_name"]
    assert {c.user for c in suite.cases} == {"qa"} and list(suite.users) == ["qa"]
    last = suite.cases[-1]
    assert (last.send_anyway, last.expect.outcome, last.expect.error_code) == (
        True, "error", "InvalidParameterException")


def test_a_broken_suite_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text("version: 1\nname: x\ncases: [\n", encoding="utf-8")
    with pytest.raises(SuiteError):
        save_case(path, DELIVERED, profile="Sandbox")
    assert path.read_text(encoding="utf-8") == "version: 1\nname: x\ncases: [\n"
