"""Suites run against the sandbox over HTTP: green example, each failing expectation, the limit,
the budget, the trigger's view of the metadata, cancel, and a run killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.history import HistoryStore, RunStatus
from app.core.paths import app_paths
from app.core.suites import RunRequest, run_suite_file
from app.core.suites.loader import load_suite
from app.core.suites.runner import SuiteRunner
from app.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "signup-emails.yaml"
DROPS_KEY = REPO / "tests" / "support" / "triggers" / "drops_key.py"
SEND = "GetUserAttributeVerificationCode"


@pytest.fixture(scope="module")
def pool() -> Iterator[Sandbox]:
    """A sandbox of this module's own, with the demo trigger (tests here change its trigger) and no
    code rate limit unless a test sets one."""
    from app.sandbox.state import CodeRate

    with Sandbox(trigger="demo", code_rate=CodeRate(None)) as sandbox:
        yield sandbox


@pytest.fixture
def user(pool: Sandbox) -> dict[str, Any]:
    pool.control.clear_faults()
    return pool.control.create_user()


@pytest.fixture
def history(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        yield store


def _env(pool: Sandbox, user: dict[str, Any]) -> dict[str, str]:
    info = pool.info
    return {
        "SANDBOX_ENDPOINT_URL": info.endpoint_url, "SANDBOX_CLIENT_ID": info.client_id,
        "SANDBOX_USER_POOL_ID": info.user_pool_id, "QA_ALICE_USERNAME": user["username"],
        "QA_ALICE_PASSWORD": user["password"], "QA_PASSWORD": user["password"],
    }


def _suite(tmp_path: Path, pool: Sandbox, user: dict[str, Any], cases: str, defaults: str = "") -> Path:
    info = pool.info
    text = textwrap.dedent(f"""\
        version: 1
        name: checks
        connection:
          endpoint_url: {info.endpoint_url}
          region: {info.region}
          client_id: {info.client_id}
          auth_flow: USER_PASSWORD_AUTH
        users:
          qa: {{username: {user['username']}, password_env: QA_PASSWORD}}
        defaults: {{max_sends_per_user: 10{defaults}}}
        cases:
        """) + textwrap.indent(textwrap.dedent(cases), "  ")
    path = tmp_path / "suite.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(path: Path, history: HistoryStore, env: dict[str, str], **options: Any) -> tuple[int, dict[str, Any]]:
    return run_suite_file(RunRequest(path, **options), history, environ=env)


def _messages(payload: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {case["name"]: (case["status"], case["message"]) for case in payload["cases"]}


def test_the_example_suite_runs_green_and_its_junit_report_reads_back(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    junit, html = tmp_path / "out" / "report.xml", tmp_path / "out" / "report.html"
    code, payload = _run(EXAMPLE, history, _env(pool, user), junit=junit, report=html)
    assert code == 0, payload
    page = html.read_text(encoding="utf-8")
    assert "5 passed, 0 failed, 0 errors" in page and "every locale renders [locale=de-DE]" in page
    assert (payload["passed"], payload["failed"], payload["errors"]) == (5, 0, 0)
    suite = ET.parse(junit).getroot().find("testsuite")  # noqa: S314 (the report this run wrote)
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "0", "0")
    names = [case.get("name") for case in suite.iter("testcase")]
    assert names == ["email code carries the campaign", "given_name cannot be verified",
                     "every locale renders [locale=en-GB]", "every locale renders [locale=de-DE]",
                     "every locale renders [locale=fr-FR]"]
    assert not list(suite.iter("failure")) and not list(suite.iter("error"))
    run = history.get_run(payload["run_id"])
    assert run is not None and run.status is RunStatus.PASSED and run.passed == 5
    attempts = history.run_attempts(payload["run_id"])
    assert [(a.case_name, a.operation, a.outcome) for a in attempts[:3]] == [
        ("email code carries the campaign", SEND, "success"),
        ("email code carries the campaign", "VerifyUserAttribute", "success"),
        ("given_name cannot be verified", SEND, "error"),
    ]
    assert [a.id for a in attempts] == [i for case in payload["cases"] for i in case["history_ids"]]


def test_each_kind_of_failing_expectation_fails_saying_expected_and_got(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, """\
        - {name: outcome, user: qa, expect: {outcome: error}}
        - {name: medium, user: qa, expect: {delivery_medium: SMS}}
        - {name: destination, user: qa, expect: {destination: '^z\\*\\*\\*@'}}
        - {name: error code, user: qa, attribute: given_name, send_anyway: true,
           expect: {error_code: CodeMismatchException}}
        - {name: latency, user: qa, expect: {latency_ms_max: 0.001}}
        - {name: message, user: qa, metadata: {locale: de}, expect: {message: 'locale = fr'}}
        """)
    junit = tmp_path / "report.xml"
    code, payload = _run(path, history, {"QA_PASSWORD": user["password"]}, junit=junit)
    assert code == 1
    found = _messages(payload)
    assert {status for status, _ in found.values()} == {"failed"}
    assert found["outcome"][1] == "outcome: expected error, got delivered"
    assert found["medium"][1] == "delivery_medium: expected SMS, got EMAIL"
    assert found["destination"][1].startswith("destination: expected a match for '^z\\\\*\\\\*\\\\*@', got 'u***@e***'")
    assert found["error code"][1] == "error_code: expected CodeMismatchException, got InvalidParameterException"
    assert found["latency"][1].startswith("latency_ms_max: expected at most 0.001 ms, got ")
    assert found["message"][1].startswith("message: expected a match for 'locale = fr', got ")
    assert "locale = de" in found["message"][1]
    code_sent = pool.control.latest_code(user["username"], "email")
    assert "is {####}." in found["message"][1] and code_sent not in json.dumps(payload)
    assert code_sent not in junit.read_text(encoding="utf-8")
    failures = {case.get("name"): case.find("failure") for case in ET.parse(junit).iter("testcase")}  # noqa: S314
    assert all(f is not None and "expected" in (f.text or "") and "got" in (f.text or "")
               for f in failures.values())
    assert failures["medium"] is not None and failures["medium"].get("message") == found["medium"][1]


def test_a_verify_the_server_refuses_fails_the_case(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, "- {name: verify, user: qa, verify: {code_from: sandbox}}\n")
    pool.control.inject_fault("VerifyUserAttribute", error_code="ExpiredCodeException")
    code, payload = _run(path, history, {"QA_PASSWORD": user["password"]})
    assert code == 1
    (case,) = payload["cases"]
    assert case["status"] == "failed" and len(case["history_ids"]) == 2
    assert case["message"].startswith("verify: expected success, got ExpiredCodeException")


def test_an_injected_limit_exceeded_is_reported_never_retried_and_stops_that_user(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, """\
        - {name: first, user: qa}
        - {name: second, user: qa}
        """)
    pool.control.inject_fault(SEND, error_code="LimitExceededException", count=5)
    before = pool.control.request_count(SEND)
    code, payload = _run(path, history, {"QA_PASSWORD": user["password"]})
    assert code == 1
    assert pool.control.request_count(SEND) == before + 1
    found = _messages(payload)
    assert found["first"][0] == "error"
    assert found["first"][1].startswith("LimitExceededException: Cognito's code-request limit")
    assert "not retried" in found["first"][1]
    assert found["second"] == ("error", "not sent: qa hit LimitExceededException in case 'first'; "
                                        "Cognito refuses more codes for a while")
    (row_id,) = payload["cases"][0]["history_ids"]
    record = history.get(row_id)
    assert record is not None and record.error_code == "LimitExceededException" and record.attempts == 1


def test_the_per_user_budget_refuses_sends_before_they_leave(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, """\
        - {name: one, user: qa}
        - {name: two, user: qa}
        - {name: three, user: qa}
        """, defaults=", pace_s: 0.3")
    path.write_text(path.read_text().replace("max_sends_per_user: 10", "max_sends_per_user: 2"))
    before = pool.control.request_count(SEND)
    started = time.monotonic()
    code, payload = _run(path, history, {"QA_PASSWORD": user["password"]})
    assert time.monotonic() - started >= 0.3  # paced: two sends of one user, 0.3 s apart
    assert code == 1 and pool.control.request_count(SEND) == before + 2
    status, message = _messages(payload)["three"]
    assert status == "error" and "max_sends_per_user" in message and message.startswith("not sent")
    assert payload["cases"][2]["history_ids"] == []
    # Within the hour, the next run counts the codes history saw: nothing more is sent.
    code, again = _run(path, history, {"QA_PASSWORD": user["password"]})
    assert code == 1 and pool.control.request_count(SEND) == before + 2
    assert _messages(again)["one"] == ("error", (
        "not sent: qa has had 2 codes in the last hour, 2 of them before this run (history): the budget "
        "(defaults.max_sends_per_user), which keeps the run under Cognito's code-request limit"))


def test_trigger_metadata_fails_naming_the_key_a_trigger_dropped(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, """\
        - {name: metadata, user: qa, metadata: {campaign: spring, locale: de},
           expect: {trigger_metadata: sent, message: 'locale=de'}}
        """)
    pool.control.set_trigger(f"{DROPS_KEY}:handler")
    try:
        code, payload = _run(path, history, {"QA_PASSWORD": user["password"]})
    finally:
        pool.control.set_trigger("demo")
    assert code == 1
    (case,) = payload["cases"]
    assert case["status"] == "failed"
    assert "in the event the trigger returned (missing 'campaign')" in case["message"]
    assert "the event sent to the trigger" not in case["message"]  # that one carried both keys


def test_trigger_metadata_without_a_trigger_is_not_checkable_and_not_passed(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, """\
        - {name: metadata, user: qa, metadata: {campaign: spring}, expect: {trigger_metadata: sent}}
        """)
    pool.control.set_trigger(None)
    try:
        code, payload = _run(path, history, {"QA_PASSWORD": user["password"]})
    finally:
        pool.control.set_trigger("demo")
    assert code == 1
    assert _messages(payload)["metadata"] == (
        "error", "trigger_metadata: not checkable: the sandbox has no Custom Message trigger configured")


def test_an_update_case_changes_the_attribute_then_sends_and_verifies(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    new_email = f"new-{user['username']}@example.com"
    path = _suite(tmp_path, pool, user, f"""\
        - name: change email
          user: qa
          update: {{value: {new_email}}}
          metadata: {{campaign: move}}
          expect: {{outcome: delivered, destination: '^n\\*\\*\\*@', trigger_metadata: sent}}
          verify: {{code_from: sandbox}}
        - {{name: a bad value, user: qa, update: {{value: not-an-email}}}}
        """)
    code, payload = _run(path, history, {"QA_PASSWORD": user["password"]})
    found = _messages(payload)
    assert found["change email"] == ("passed", ""), found
    attempts = history.run_attempts(payload["run_id"])
    assert [(a.case_name, a.operation, a.outcome) for a in attempts][:3] == [
        ("change email", "UpdateUserAttributes", "success"),
        ("change email", SEND, "success"),
        ("change email", "VerifyUserAttribute", "success"),
    ]
    assert pool.control.pending_values(user["username"]) == {}  # the verify applied the new value
    status, message = found["a bad value"]
    assert code == 1 and status == "failed"
    assert message.startswith("update: expected the change to succeed, got InvalidParameterException")


def test_the_sandboxs_own_code_rate_limit_is_reported_and_never_retried(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, "- {name: one, user: qa}\n- {name: two, user: qa}\n"
                                        "- {name: three, user: qa}\n- {name: four, user: qa}\n")
    pool.control.set_code_rate(2)
    before = pool.control.request_count(SEND)
    try:
        code, payload = _run(path, history, {"QA_PASSWORD": user["password"]})
    finally:
        pool.control.set_code_rate(None)
    assert code == 1 and pool.control.request_count(SEND) == before + 3
    assert [c["status"] for c in payload["cases"]] == ["passed", "passed", "error", "error"]
    assert "LimitExceededException" in payload["cases"][2]["message"]
    assert payload["cases"][3]["message"].startswith("not sent: qa hit LimitExceededException")


def test_cancel_during_the_pace_skips_the_rest_and_the_run_reads_cancelled(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, """\
        - {name: one, user: qa}
        - {name: two, user: qa}
        - {name: three, user: qa}
        """, defaults=", pace_s: 60")
    cancel = threading.Event()
    seen: list[str] = []
    runner = SuiteRunner(load_suite(path, environ={"QA_PASSWORD": user["password"]}), history,
                         environ={"QA_PASSWORD": user["password"]})

    def finished(result: Any, index: int, total: int) -> None:
        seen.append(f"finished {result.name} {result.status} {index + 1}/{total}")
        threading.Timer(0.2, cancel.set).start()

    started = time.monotonic()
    result = runner.run(cancel=cancel, on_case_started=lambda c, i, n: seen.append(f"started {c.name}"),
                        on_case_finished=finished)
    assert time.monotonic() - started < 20
    assert [c.status for c in result.cases] == ["passed", "skipped", "skipped"]
    assert seen[:2] == ["started one", "finished one passed 1/3"]
    run = history.get_run(result.run_id or 0)
    assert run is not None and run.status is RunStatus.CANCELLED


def _pending_rows(db: Path, case_name: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute("SELECT count(*) FROM attempts WHERE case_name = ? AND outcome = 'pending'",
                               (case_name,)).fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0])


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
def test_a_run_killed_mid_send_keeps_every_attempt_and_reads_interrupted(
    pool: Sandbox, user: dict[str, Any], tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, """\
        - {name: first, user: qa}
        - {name: hangs, user: qa}
        - {name: never, user: qa}
        """, defaults=", pace_s: 3")
    db = app_paths().history_db
    env = {**os.environ, "QA_PASSWORD": user["password"]}
    child = subprocess.Popen([sys.executable, "-m", "app", "run", str(path), "--json"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        armed = False
        while time.monotonic() < deadline:
            if not armed and db.exists() and _completed(db, "first"):
                pool.control.inject_fault(SEND, delay_s=30)  # case "hangs" sends during this
                armed = True
            if armed and _pending_rows(db, "hangs"):
                break
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            time.sleep(0.05)
        else:
            pytest.fail("the second case never started its send")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
        pool.control.clear_faults()
    with HistoryStore(db) as store:
        (run,) = store.recent_runs()
        assert run.status is RunStatus.INTERRUPTED and run.finished_at is None
        attempts = store.run_attempts(run.id)
    assert [(a.case_name, a.outcome) for a in attempts] == [("first", "success"), ("hangs", "interrupted")]


def _completed(db: Path, case_name: str) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute("SELECT count(*) FROM attempts WHERE case_name = ? AND outcome = 'success'",
                               (case_name,)).fetchone()
    except sqlite3.Error:
        return False
    return bool(row[0])


def test_the_json_payload_has_the_documented_shape(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, "- {name: one, user: qa}\n")
    code, payload = _run(path, history, {"QA_PASSWORD": user["password"]})
    assert code == 0
    json.dumps(payload)
    assert {"passed", "failed", "errors", "cases"} <= set(payload)
    (case,) = payload["cases"]
    assert set(case) == {"name", "status", "message", "history_ids", "duration_ms"}
    assert case["status"] == "passed" and len(case["history_ids"]) == 1 and case["duration_ms"] > 0


def test_trigger_metadata_from_the_triggers_cloudwatch_log_lines(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    from app.core.suites.cloudwatch import CloudWatchEvidence
    from app.core.trigger_logs import FollowSettings

    path = _suite(tmp_path, pool, user, """\
        - {name: logged, user: qa, metadata: {campaign: spring}, expect: {trigger_metadata: sent}}
        - {name: message, user: qa, expect: {message: code}}
        """)
    env = {"QA_PASSWORD": user["password"]}
    quick = FollowSettings(poll_interval_s=0.2, window_s=3.0, grace_s=0.3, clock_slack_s=1.0)

    def run_with(function: str) -> dict[str, tuple[str, str]]:
        evidence = CloudWatchEvidence(function, region=pool.info.region, endpoint_url=pool.info.endpoint_url,
                                      static_credentials=("testing", "testing"), settings=quick)
        result = SuiteRunner(load_suite(path, environ=env), history, environ=env, evidence=evidence).run()
        return {c.name: (c.status, c.message) for c in result.cases}

    found = run_with(str(pool.info.trigger_function))
    assert found["logged"] == ("passed", "")
    assert found["message"] == ("error", "message: not checkable: on a real pool the rendered message is "
                                         "only in the email or SMS itself")
    missing = run_with("no-such-function")["logged"]
    assert missing[0] == "error"
    assert missing[1].startswith("trigger_metadata: not checkable: no line of /aws/lambda/no-such-function")


def test_a_run_stopped_by_an_exception_is_recorded_as_cancelled(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, "- {name: one, user: qa}\n- {name: two, user: qa}\n")
    env = {"QA_PASSWORD": user["password"]}
    runner = SuiteRunner(load_suite(path, environ=env), history, environ=env)

    def interrupt(case: Any, index: int, total: int) -> None:
        if index == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run(on_case_started=interrupt)
    (run,) = history.recent_runs()
    assert (run.status, run.passed, run.finished_at is not None) == (RunStatus.CANCELLED, 1, True)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_a_run_exits_130_and_records_the_run_cancelled(
    pool: Sandbox, user: dict[str, Any], tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, "- {name: first, user: qa}\n- {name: second, user: qa}\n",
                  defaults=", pace_s: 30")
    db = app_paths().history_db
    child = subprocess.Popen([sys.executable, "-m", "app", "run", str(path)],
                             env={**os.environ, "QA_PASSWORD": user["password"]},
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (db.exists() and _completed(db, "first")):
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130
    assert err.strip() == "verifydesk run: interrupted; the run is recorded as cancelled"
    with HistoryStore(db) as store:
        (run,) = store.recent_runs()
    assert (run.status, run.passed) == (RunStatus.CANCELLED, 1)


def test_a_token_about_to_expire_is_refreshed_before_the_next_send(
    pool: Sandbox, user: dict[str, Any], history: HistoryStore, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, pool, user, "- {name: one, user: qa}\n- {name: two, user: qa}\n")
    env = {"QA_PASSWORD": user["password"]}
    later = time.time() + 3600  # as if the run had lasted an hour
    signed = pool.control.request_count("InitiateAuth")
    runner = SuiteRunner(load_suite(path, environ=env), history, environ=env, wall_clock=lambda: later)
    # Once signed in, the password is gone: only the refresh token can renew the session.
    result = runner.run(on_case_finished=lambda *_: env.pop("QA_PASSWORD", None))
    assert [(c.status, c.message) for c in result.cases] == [("passed", ""), ("passed", "")]
    assert pool.control.request_count("InitiateAuth") == signed + 2  # the sign-in, then one refresh
