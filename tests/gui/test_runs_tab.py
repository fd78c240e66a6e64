"""The Runs tab driven like a tester: open the example suite and run it green against the sandbox,
see a failing case's message, cancel mid-run, see an invalid suite's line and column, and build a
suite with "Save as case" from the window's request, which then runs green."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.core.suites.loader import load_suite
from app.sandbox import Sandbox
from app.ui.runs.panel import RunsPanel
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    add_metadata_row,
    click,
    find,
    pick_attribute,
    press_send,
    table_rows,
    wait_result,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "signup-emails.yaml"
RUN_MS = 60_000


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A sandbox of this module's own with the demo trigger (the example suite checks what the
    trigger received and rendered) and no per-user code rate."""
    from app.sandbox.state import CodeRate

    with Sandbox(trigger="demo", code_rate=CodeRate(None)) as pool:
        yield pool


@pytest.fixture
def runs(window: MainWindow, sandbox: Sandbox, fresh_user: dict[str, str],
         monkeypatch: pytest.MonkeyPatch) -> RunsPanel:
    """The Runs tab in front; the example suite's environment references point at the sandbox."""
    info = sandbox.info
    for name, value in {"SANDBOX_ENDPOINT_URL": info.endpoint_url, "SANDBOX_CLIENT_ID": info.client_id,
                        "SANDBOX_USER_POOL_ID": info.user_pool_id, "QA_ALICE_USERNAME": fresh_user["username"],
                        "QA_ALICE_PASSWORD": fresh_user["password"]}.items():
        monkeypatch.setenv(name, value)
    window.parts.runs_dock.show()
    window.parts.runs_dock.raise_()  # the panel is built on the tab's first show
    panel = window.findChild(RunsPanel, "runsPanel")
    assert panel is not None and panel.isVisible()
    return panel


def _suite(tmp_path: Path, sandbox: Sandbox, cases: str, defaults: str = "") -> Path:
    """A suite on the sandbox whose user alice is the signed-in user (named as is, so that
    "Save as case" finds her)."""
    info = sandbox.info
    text = textwrap.dedent(f"""\
        # checks written by hand
        version: 1
        name: checks
        connection:
          endpoint_url: {info.endpoint_url}
          region: {info.region}
          client_id: {info.client_id}
          auth_flow: USER_PASSWORD_AUTH
        users:
          alice: {{username: {os.environ['QA_ALICE_USERNAME']}, password_env: QA_ALICE_PASSWORD}}
        defaults: {{max_sends_per_user: 20{defaults}}}
        cases:
        """) + textwrap.indent(textwrap.dedent(cases), "  ")
    path = tmp_path / "checks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _open(qtbot: QtBot, panel: RunsPanel, path: Path) -> None:
    panel.open_suite(path)
    qtbot.waitUntil(lambda: panel.path == path and (panel.suite is not None or bool(panel.problems)),
                    timeout=WAIT_MS)


def _statuses(panel: RunsPanel) -> list[str]:
    return [row[1] for row in table_rows(panel.table)]


def _wait_run(qtbot: QtBot, panel: RunsPanel) -> str:
    qtbot.waitUntil(lambda: panel.job is None, timeout=RUN_MS)
    return panel.summary_label.text()


def test_the_example_suite_runs_green_with_statuses_filling_in_live(
    qtbot: QtBot, window: MainWindow, runs: RunsPanel,
) -> None:
    _open(qtbot, runs, EXAMPLE)
    assert [row[0] for row in table_rows(runs.table)][:2] == [
        "email code carries the campaign", "given_name cannot be verified"]
    seen: list[list[str]] = []
    runs.model.dataChanged.connect(lambda *_args: seen.append(_statuses(runs)))

    click(qtbot, runs, "runAllButton")
    assert find(runs, QPushButton, "cancelRunButton").isEnabled()
    assert _wait_run(qtbot, runs) == "5 passed, 0 failed, 0 errors"

    assert _statuses(runs) == ["✓ passed"] * 5
    assert runs.progress.value() == runs.progress.maximum() == 5
    # Live: the first case had passed while the others still waited.
    assert any(s[0] == "✓ passed" and s[-1] == "queued" for s in seen)
    assert any("… running" in s for s in seen)
    runs.table.selectRow(0)
    links = runs.records_label.text()
    first_id = int(links.split('href="history:')[1].split('"')[0])
    runs.records_label.linkActivated.emit(f"history:{first_id}")  # a click on the link
    record = window.history_view.current_record()
    assert record is not None and record.id == first_id and record.attribute_name == "email"
    assert window.history_dock.isVisible()


def test_a_failing_case_shows_what_was_expected_and_what_came(
    qtbot: QtBot, runs: RunsPanel, sandbox: Sandbox, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, sandbox, """\
        - name: email by sms
          user: alice
          expect: {outcome: delivered, delivery_medium: SMS}
        """)
    _open(qtbot, runs, path)
    click(qtbot, runs, "runAllButton")
    assert _wait_run(qtbot, runs) == "0 passed, 1 failed, 0 errors"
    assert _statuses(runs) == ["✗ failed"]
    runs.table.selectRow(0)
    message = runs.message.toPlainText()
    assert "SMS" in message and "EMAIL" in message, message
    assert "History: " in runs.records_label.text()


def test_cancel_stops_the_run_after_the_case_in_flight(
    qtbot: QtBot, runs: RunsPanel, sandbox: Sandbox, tmp_path: Path,
) -> None:
    cases = "".join(f"- {{name: send {n}, user: alice}}\n" for n in range(6))
    path = _suite(tmp_path, sandbox, cases, defaults=", pace_s: 1.5")
    _open(qtbot, runs, path)
    click(qtbot, runs, "runAllButton")
    qtbot.waitUntil(lambda: _statuses(runs)[0] == "✓ passed", timeout=RUN_MS)
    click(qtbot, runs, "cancelRunButton")
    summary = _wait_run(qtbot, runs)

    assert summary.endswith(", cancelled"), summary
    statuses = _statuses(runs)
    assert statuses[-1] == "– skipped" and "queued" not in statuses and "… running" not in statuses
    assert statuses.count("✓ passed") < 6
    assert find(runs, QPushButton, "runAllButton").isEnabled()


def test_an_invalid_suite_shows_its_file_line_and_column_and_cannot_run(
    qtbot: QtBot, runs: RunsPanel, sandbox: Sandbox, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, sandbox, """\
        - name: typo
          user: alice
          expect: {outcome: delivered, delivery_medum: EMAIL}
        """)
    _open(qtbot, runs, path)
    text = runs.suite_label.text()
    assert f"{path}:15:" in text and "delivery_medum" in text, text
    assert "Traceback" not in text
    assert not find(runs, QPushButton, "runAllButton").isEnabled()
    assert runs.model.rowCount() == 0


def test_save_as_case_appends_the_request_and_the_saved_case_runs_green(
    qtbot: QtBot, window: MainWindow, runs: RunsPanel, sandbox: Sandbox, tmp_path: Path,
) -> None:
    path = _suite(tmp_path, sandbox, """\
        - name: plain email  # the first case
          user: alice
        """)
    _open(qtbot, runs, path)
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "autumn")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")

    click(qtbot, runs, "saveCaseButton")
    qtbot.waitUntil(lambda: runs.model.rowCount() == 2, timeout=WAIT_MS)

    text = path.read_text(encoding="utf-8")
    assert "# checks written by hand" in text and "# the first case" in text
    saved = load_suite(path).cases[1]
    assert (saved.name, saved.user, saved.attribute, saved.metadata) == (
        "email code, campaign=autumn", "alice", "email", {"campaign": "autumn"})
    assert saved.expect.delivery_medium == "EMAIL" and saved.expect.destination
    assert runs.table.currentIndex().row() == 1
    click(qtbot, runs, "runCaseButton")
    assert _wait_run(qtbot, runs) == "1 passed, 0 failed, 0 errors"
    assert _statuses(runs) == ["", "✓ passed"]


def test_recently_opened_suites_are_offered_again(
    qtbot: QtBot, runs: RunsPanel, sandbox: Sandbox, tmp_path: Path,
) -> None:
    first = _suite(tmp_path, sandbox, "- {name: one, user: alice}\n")
    second = first.with_name("second.yaml")
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    _open(qtbot, runs, first)
    _open(qtbot, runs, second)
    combo = runs.recent_combo
    assert [combo.itemData(i) for i in range(2)] == [str(second.resolve()), str(first.resolve())]
    combo.activated.emit(1)
    qtbot.waitUntil(lambda: runs.path == Path(str(first.resolve())), timeout=WAIT_MS)




def test_save_as_case_in_a_new_file_starts_a_suite_on_the_current_profile(
    qtbot: QtBot, window: MainWindow, runs: RunsPanel, tmp_path: Path,
) -> None:
    click(qtbot, runs, "saveCaseInButton")  # the tester would pick a file here; none is chosen yet
    assert runs.dialog is not None and runs.dialog.isVisible()
    runs.dialog.reject()
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")

    path = tmp_path / "new-suite.yaml"
    runs.dialog.fileSelected.emit(str(path))  # what choosing a file name in the dialog does
    qtbot.waitUntil(lambda: runs.path == path and runs.model.rowCount() == 1, timeout=WAIT_MS)

    suite = load_suite(path)
    assert suite.connection.profile == "Sandbox" and suite.cases[0].name == "email code"
    assert next(iter(suite.users.values())).keyring_profile == "Sandbox"
