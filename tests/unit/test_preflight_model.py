"""Preflight results: the order they are shown in after a failure, the worst status, the documented ids."""

from __future__ import annotations

import re
from pathlib import Path

from app.core.preflight import CHECK_IDS, Check, Status, order_for_failure, worst
from app.core.preflight.email import cognito_default_limit

README = Path(__file__).resolve().parents[2] / "README.md"


def _checks(*pairs: tuple[str, Status]) -> list[Check]:
    return [Check(check_id, status, check_id) for check_id, status in pairs]


def test_after_a_delivery_failure_failing_checks_come_first_then_unknown_then_warnings() -> None:
    checks = _checks(
        ("trigger.custom_sender", Status.OK),
        ("email.cognito_default_limit", Status.WARN),
        ("template.code_placeholder", Status.FAIL),
        ("email.ses_quota", Status.UNKNOWN),
        ("email.ses_sandbox_recipient", Status.FAIL),
    )
    ordered = [check.id for check in order_for_failure(checks, "delivery_failure")]
    assert ordered == [
        "email.ses_sandbox_recipient", "template.code_placeholder", "email.ses_quota",
        "email.cognito_default_limit", "trigger.custom_sender",
    ]


def test_when_no_code_arrived_the_silent_causes_lead_among_equals() -> None:
    checks = _checks(
        ("email.ses_sandbox_recipient", Status.WARN),
        ("attribute.already_verified", Status.OK),
        ("trigger.custom_sender", Status.WARN),
        ("email.cognito_default_limit", Status.WARN),
    )
    ordered = [check.id for check in order_for_failure(checks, "no_code")]
    assert ordered == [
        "trigger.custom_sender", "email.cognito_default_limit", "email.ses_sandbox_recipient",
        "attribute.already_verified",
    ]


def test_checks_of_equal_standing_keep_the_order_they_ran_in() -> None:
    checks = _checks(("attribute.phone_format", Status.OK), ("attribute.present", Status.OK),
                     ("attribute.already_verified", Status.OK))
    assert order_for_failure(checks, "no_code") == checks


def test_the_worst_status_is_fail_then_unknown_then_warn() -> None:
    assert worst(_checks(("a", Status.OK), ("b", Status.WARN), ("c", Status.UNKNOWN))) is Status.UNKNOWN
    assert worst(_checks(("a", Status.FAIL), ("b", Status.UNKNOWN))) is Status.FAIL
    assert worst([]) is Status.OK


def test_cognito_default_sender_counts_warn_from_40_and_fail_from_50() -> None:
    assert cognito_default_limit(39).status is Status.OK
    assert cognito_default_limit(40).status is Status.WARN
    assert cognito_default_limit(50).status is Status.FAIL
    assert "50 of about 50" in cognito_default_limit(50).message
    unknown_count = cognito_default_limit(None)
    assert unknown_count.status is Status.OK
    assert "no VerifyDesk history" in unknown_count.message


def test_every_check_id_is_documented_in_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Delivery preflight", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", section, re.MULTILINE))
    assert documented == set(CHECK_IDS)
