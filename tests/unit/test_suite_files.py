"""Invalid suites are refused before anything is sent, each problem at its file, line and column."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.core.suites import SuiteError, load_suite
from app.core.suites.schema import suite_schema

ENV = {"QA_PASSWORD": "pw", "POOL_CLIENT": "client-1"}
HEAD = """\
version: 1
name: checks
connection: {endpoint_url: 'http://127.0.0.1:9', region: us-east-1, client_id: c1}
users:
  alice: {password_env: QA_PASSWORD}
"""


def _write(tmp_path: Path, body: str, name: str = "suite.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _problems(path: Path, environ: dict[str, str] | None = None) -> list[tuple[int, int, str]]:
    with pytest.raises(SuiteError) as caught:
        load_suite(path, environ=ENV if environ is None else environ)
    found = [(p.position.line, p.position.column, p.message) for p in caught.value.problems]
    assert all(p.position.file for p in caught.value.problems)
    return found


def test_a_valid_suite_loads_with_defaults_applied(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "defaults: {attribute: phone_number, pace_s: 2}\n"
                  "cases:\n  - {name: one, user: alice, expect: {error_code: LimitExceededException}}\n")
    suite = load_suite(path, environ=ENV)
    (case,) = suite.cases
    assert (case.attribute, case.expect.outcome, suite.pace_s) == ("phone_number", "error", 2.0)
    assert (case.position.line, case.position.column) == (8, 5)


def test_an_unknown_key_is_named_at_its_own_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - name: one\n    user: alice\n    expcet: {outcome: error}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (9, 5)
    assert "unknown key 'expcet'" in message and "expect" in message


def test_a_wrong_type_says_what_was_expected_and_got(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "defaults: {pace_s: soon}\ncases:\n  - {name: one, user: alice}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (6, 20)
    assert message == "defaults.pace_s: expected number, got a string"


def test_a_metadata_value_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - name: one\n    user: alice\n    metadata: {count: 3}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (9, 23)
    assert message == "cases[0].metadata.count: expected string, got a number"


def test_a_user_without_a_secret_reference_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD.replace("{password_env: QA_PASSWORD}", "{username: alice}")
                  + "cases:\n  - {name: one, user: alice}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (5, 10)
    assert "no secret reference" in message and "password_env" in message


def test_an_unset_password_variable_is_refused_at_its_reference(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - {name: one, user: alice}\n")
    ((line, column, message),) = _problems(path, environ={})
    assert (line, column) == (5, 25)
    assert "QA_PASSWORD" in message and "not set" in message


def test_an_unknown_user_is_refused_with_the_users_there_are(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - {name: one, user: bob}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (7, 23)
    assert "no user 'bob'" in message and "alice" in message


def test_a_bad_regex_is_refused_with_the_regex_error(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - name: one\n    user: alice\n"
                  "    expect: {destination: '^a[***'}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (9, 27)
    assert message.startswith("cases[0].expect.destination: not a valid regex")


def test_an_undefined_column_is_refused_naming_the_columns_there_are(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text("locale,greeting\nde,Hallo\n", encoding="utf-8")
    path = _write(tmp_path, HEAD + "cases:\n  - name: rows\n    user: alice\n    data: rows.csv\n"
                  "    metadata: {locale: '${locael}'}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (10, 24)
    assert "undefined ${locael}" in message and "locale, greeting" in message


def test_a_placeholder_in_a_case_without_data_is_undefined(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - name: one\n    user: alice\n"
                  "    expect: {message: 'Hi ${name}'}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (9, 23)
    assert "undefined ${name}" in message and "no data file" in message


def test_data_rows_become_cases_with_their_values_substituted(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text("locale,greeting\nde,Hallo\nfr,Bonjour\n", encoding="utf-8")
    path = _write(tmp_path, HEAD + "cases:\n  - name: rows\n    user: alice\n    data: rows.csv\n"
                  "    metadata: {locale: '${locale}'}\n    expect: {message: '^${greeting} '}\n")
    suite = load_suite(path, environ=ENV)
    assert [(c.name, c.metadata, c.expect.message) for c in suite.cases] == [
        ("rows [locale=de]", {"locale": "de"}, "^Hallo "),
        ("rows [locale=fr]", {"locale": "fr"}, "^Bonjour "),
    ]
    assert [c.name for c in suite.selected("rows")] == ["rows [locale=de]", "rows [locale=fr]"]


def test_a_short_csv_row_is_refused_at_the_csv_line(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text("locale,greeting\nde,Hallo\nfr\n", encoding="utf-8")
    path = _write(tmp_path, HEAD + "cases:\n  - {name: rows, user: alice, data: rows.csv}\n")
    with pytest.raises(SuiteError) as caught:
        load_suite(path, environ=ENV)
    (problem,) = caught.value.problems
    assert (problem.position.file.name, problem.position.line) == ("rows.csv", 3)
    assert "1 fields, but the header has 2" in problem.message


def test_a_missing_data_file_is_refused_at_the_data_key(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - {name: rows, user: alice, data: nowhere.csv}\n")
    ((line, column, message),) = _problems(path)
    assert (line, column) == (7, 37)
    assert "cannot read" in message and "nowhere.csv" in message


def test_yaml_syntax_errors_and_duplicate_keys_have_positions(tmp_path: Path) -> None:
    broken = _write(tmp_path, HEAD + "cases: [\n", "broken.yaml")
    ((line, _column, message),) = _problems(broken)
    assert line == 7 and message.startswith("YAML:")
    twice = _write(tmp_path, HEAD + "name: again\ncases:\n  - {name: one, user: alice}\n", "twice.yaml")
    ((line, _column, message),) = _problems(twice)
    assert line == 6 and "duplicate key" in message


def test_a_missing_environment_reference_in_the_connection_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD.replace("client_id: c1", "client_id: '${env:POOL_CLIENT}'")
                  + "cases:\n  - {name: one, user: alice}\n")
    assert load_suite(path, environ=ENV).connection.client_id == "client-1"
    ((line, column, message),) = _problems(path, environ={"QA_PASSWORD": "pw"})
    assert (line, column) == (3, 80)
    assert message == "environment variable POOL_CLIENT is not set"


def test_verify_after_an_expected_error_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - name: one\n    user: alice\n"
                  "    expect: {outcome: error}\n    verify: {code_from: sandbox}\n")
    ((line, _column, message),) = _problems(path)
    assert line == 10 and "no code to verify" in message


def test_the_example_suite_validates_against_the_shipped_schema() -> None:
    from jsonschema import Draft202012Validator
    from ruamel.yaml import YAML

    Draft202012Validator.check_schema(suite_schema())
    example = Path(__file__).resolve().parents[2] / "examples" / "signup-emails.yaml"
    errors = list(Draft202012Validator(suite_schema()).iter_errors(YAML().load(example.read_text("utf-8"))))
    assert errors == []


def test_the_command_exits_2_and_prints_file_line_and_column(tmp_path: Path, verifydesk_home: Path) -> None:
    path = _write(tmp_path, HEAD + "cases:\n  - {name: one, user: alice, atribute: email}\n")
    env = {"QA_PASSWORD": "x", "PATH": "", "VERIFYDESK_HOME": str(verifydesk_home)}
    done = subprocess.run([sys.executable, "-m", "app", "run", str(path), "--json"],
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode == 2, done.stderr
    payload = json.loads(done.stdout)
    (problem,) = payload["error"]["problems"]
    assert (problem["line"], problem["column"]) == (7, 30)
    assert "unknown key 'atribute'" in problem["message"]
    human = subprocess.run([sys.executable, "-m", "app", "run", str(path)], capture_output=True,
                           text=True, timeout=60, env=env, check=False)
    assert human.returncode == 2
    assert f"{path}:7:30: cases[0]: unknown key 'atribute'" in human.stderr


def test_only_naming_no_case_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    from app.core.history import HistoryStore
    from app.core.suites import RunRequest, run_suite_file

    path = _write(tmp_path, HEAD + "cases:\n  - {name: one, user: alice}\n  - {name: two, user: alice}\n")
    with HistoryStore(tmp_path / "h.sqlite3") as history:
        code, payload = run_suite_file(RunRequest(path, only="three"), history, environ=ENV)
        assert history.recent_runs() == []
    assert code == 2
    assert payload["error"]["problems"][0]["message"] == "--only: no case named 'three' (cases: one, two)"
