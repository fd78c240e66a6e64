"""The trigger view in the real window against the sandbox over HTTP: the event preview is the event
the sandbox sends, local handler files (echo, raises, garbage) give the right outcome in the window and
history, log lines followed from CloudWatch Logs appear beside the request, and the pool's trigger is
read with an AWS profile's credentials."""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QTextEdit,
)
from pytestqt.qtbot import QtBot

from app.core.models import Outcome
from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.trigger_logs import LogKind
from app.ui.widgets.style import Tone, tone_colors
from app.ui.window.main_window import MainWindow

from support.moto_server import FAKE_KEY_ID, FAKE_SECRET
from support.window_driver import (
    WAIT_MS,
    add_metadata_row,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    press_send,
    save_sandbox_profile,
    sign_in,
    type_into,
    wait_result,
    wait_settled,
)

pytestmark = pytest.mark.gui
TRIGGERS = Path(__file__).resolve().parents[1] / "support" / "triggers"
FUNCTION = "verifydesk-custom-message"
SHOTS = os.environ.get("VERIFYDESK_SCREENSHOTS")  # a folder: save screenshots of the states tested


def shot(window: MainWindow, name: str) -> None:
    if SHOTS:  # a 256-colour palette, no dithering, like the README's other pictures
        image = window.grab().toImage().convertToFormat(
            QImage.Format.Format_Indexed8,
            Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither,
        )
        assert image.save(str(Path(SHOTS) / f"{name}.png"), "PNG", 0)


@pytest.fixture
def control(sandbox: Any) -> Iterator[Any]:
    """The shared sandbox without a trigger or faults before and after the test."""
    sandbox.control.clear_faults()
    sandbox.control.set_trigger(None)
    yield sandbox.control
    sandbox.control.set_trigger(None)


@pytest.fixture
def open_settled(qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop) -> Iterator[Callable[[], MainWindow]]:
    """`open_window`, and at the end of the test: stop following and wait until no background call is
    in flight, so nothing a test started outlives it (a late history write would meet a closed store,
    a late result a closed event loop)."""
    windows: list[MainWindow] = []

    def opened() -> MainWindow:
        windows.append(open_window(qtbot))
        return windows[-1]

    yield opened
    for each in windows:
        tools = each.trigger_tools
        tools.follow.stop("the test ended")
        qtbot.waitUntil(lambda w=each, t=tools: t.tasks.running == 0 and w.tasks.running == 0,
                        timeout=30_000)


@pytest.fixture
def window(qtbot: QtBot, open_settled: Callable[[], MainWindow], sandbox: Any, control: Any,
           fresh_user: dict[str, str]) -> MainWindow:
    save_sandbox_profile(sandbox.info)
    win = open_settled()
    sign_in(qtbot, win, fresh_user["username"], fresh_user["password"])
    return win


def show_tab(qtbot: QtBot, window: MainWindow, title: str) -> None:
    """Bring the Trigger tab forward and click one of its inner tabs."""
    dock = window.trigger_tools.dock
    dock.show()
    dock.raise_()
    tabs = find(window, QTabWidget, "triggerTabs")
    bar = tabs.tabBar()
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def use_trigger(qtbot: QtBot, window: MainWindow, handler: str) -> None:
    """Local trigger tab: type `file.py:handler`, press Use trigger, wait until the sandbox took it."""
    show_tab(qtbot, window, "Local trigger (sandbox)")
    type_into(qtbot, window, "triggerSpecEdit", f"{TRIGGERS / handler}:handler")
    click(qtbot, window, "applyTriggerButton")
    qtbot.waitUntil(lambda: "calls" in label(window, "localTriggerStatusLabel")
                    or find(window, QLabel, "triggerSpecProblemLabel").isVisible(), timeout=WAIT_MS)
    assert not find(window, QLabel, "triggerSpecProblemLabel").isVisible(), label(
        window, "triggerSpecProblemLabel")


def preview(qtbot: QtBot, window: MainWindow) -> dict[str, Any]:
    """The event preview's JSON once it has settled."""
    editor = find(window, QPlainTextEdit, "eventPreviewEdit")
    qtbot.waitUntil(lambda: bool(editor.toPlainText()), timeout=WAIT_MS)
    wait_settled(qtbot, window)  # the preview follows edits after a short debounce
    result: dict[str, Any] = json.loads(editor.toPlainText())
    return result


def log_lines(window: MainWindow) -> list[Any]:
    return list(window.trigger_tools.follow.model.lines)


def wait_followed(qtbot: QtBot, window: MainWindow, timeout: int = 30_000) -> str:
    """Wait until following the log has ended; returns the result pane's status text."""
    qtbot.waitUntil(lambda: not window.trigger_tools.follow.following, timeout=timeout)
    return label(window, "resultTriggerLogStatus")


def history_record(qtbot: QtBot, window: MainWindow, *, with_log: str | None = None) -> Any:
    recorded = window.controller.last_recorded
    assert recorded is not None and recorded.history_id is not None
    found: list[Any] = []

    def stored() -> bool:
        record = window.history_store.get(recorded.history_id)
        found[:] = [record]
        return record is not None and (with_log is None or with_log in (record.trigger_log or ""))

    qtbot.waitUntil(stored, timeout=WAIT_MS)
    return found[0]


# --- event preview ------------------------------------------------------------------------------


def test_the_preview_follows_the_grid_and_is_exactly_the_event_the_echo_trigger_received(
    qtbot: QtBot, window: MainWindow, control: Any, fresh_user: dict[str, str], tmp_path: Path
) -> None:
    use_trigger(qtbot, window, "echo.py")
    show_tab(qtbot, window, "Event preview")
    pick_attribute(qtbot, window, "email")
    empty = preview(qtbot, window)
    assert "clientMetadata" not in empty["request"]  # absent when the grid is empty
    assert empty["triggerSource"] == "CustomMessage_VerifyUserAttribute"
    assert empty["request"]["userAttributes"]["email"] == fresh_user["email"]

    add_metadata_row(qtbot, window, "campaign", "printemps ☀")
    add_metadata_row(qtbot, window, "tenant", "acme-42")
    event = preview(qtbot, window)
    assert event["request"]["clientMetadata"] == {"campaign": "printemps ☀", "tenant": "acme-42"}
    assert "clientMetadata" in label(window, "eventPreviewNoteLabel")
    shot(window, "trigger-preview")

    before = len(control.trigger_events())
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")

    sent = control.trigger_events()[before:]
    assert len(sent) == 1
    assert sent[0]["event"] == event  # the same JSON, key for key
    qtbot.waitUntil(lambda: bool(label(window, "previewMatchLabel")), timeout=WAIT_MS)
    assert label(window, "previewMatchLabel") == "✓ Same event as the preview."

    # Save it as a JSON file through the dialog, then copy it as a console test event.
    click(qtbot, window, "saveEventButton")
    qtbot.waitUntil(lambda: window.findChild(QFileDialog, "saveEventDialog") is not None)
    dialog = window.findChild(QFileDialog, "saveEventDialog")
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "event.json"
    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(target.exists)
    assert json.loads(target.read_text(encoding="utf-8")) == event
    click(qtbot, window, "copyTestEventButton")
    from PySide6.QtGui import QGuiApplication

    assert json.loads(QGuiApplication.clipboard().text()) == event


def test_without_a_trigger_the_pool_says_none_configured_and_send_warns_about_metadata(
    qtbot: QtBot, window: MainWindow
) -> None:
    show_tab(qtbot, window, "Pool configuration")
    qtbot.waitUntil(lambda: label(window, "customMessageArnLabel") != "—", timeout=WAIT_MS)
    assert label(window, "customMessageArnLabel").startswith("None configured")
    assert label(window, "emailSendingAccountLabel") == "COGNITO_DEFAULT"
    assert "50 emails a day" in label(window, "poolTriggerWarningsLabel")
    warning = find(window, QLabel, "triggerWarningLabel")
    assert not warning.isVisible()  # no metadata yet: nothing to warn about

    add_metadata_row(qtbot, window, "campaign", "spring")
    qtbot.waitUntil(warning.isVisible)
    assert "no Custom Message trigger" in warning.text()
    shot(window, "trigger-none-configured")


# --- local trigger runs ---------------------------------------------------------------------------


def test_the_echo_handler_shows_the_rendered_message_its_log_with_metadata_highlighted_and_history(
    qtbot: QtBot, window: MainWindow, control: Any, fresh_user: dict[str, str]
) -> None:
    use_trigger(qtbot, window, "echo.py")
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "spring-sale")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")

    code = control.latest_code(fresh_user["username"], "email")
    rendered = find(window, QPlainTextEdit, "renderedMessageView")
    qtbot.waitUntil(lambda: code in rendered.toPlainText(), timeout=WAIT_MS)
    assert rendered.toPlainText() == (
        f"Subject: Echo code for {fresh_user['username']}\n\n"
        f'Echo: your code is {code}. metadata={{"campaign": "spring-sale"}}')
    returned = json.loads(find(window, QPlainTextEdit, "returnedEventView").toPlainText())
    assert returned["response"]["emailMessage"].startswith("Echo: your code is {####}")
    assert label(window, "triggerRunSummaryLabel").startswith("✓ The trigger answered")
    assert label(window, "triggerRunResultLabel").startswith("✓ Trigger verifydesk-custom-message answered")

    status = wait_followed(qtbot, window)
    lines = log_lines(window)
    kinds = [line.kind for line in lines]
    assert LogKind.START in kinds and LogKind.REPORT in kinds, status
    echoed = [line for line in lines if line.message.startswith("ECHO event")]
    assert echoed and all(line.mentions_metadata for line in echoed)
    assert "mention" in status and "REPORT arrived" in status
    assert window.trigger_tools.result_box.isVisible()

    record = history_record(qtbot, window, with_log="REPORT RequestId")
    assert record.outcome is Outcome.SUCCESS
    assert "/aws/lambda/verifydesk-custom-message" in record.trigger_log
    marked = [row for row in record.trigger_log.splitlines() if "ECHO event" in row]
    assert marked and all(" *OUTPUT" in row for row in marked)  # the metadata mark survives
    shot(window, "trigger-echo")

    # The history details show the stored lines.
    window.history_dock.show()
    window.history_dock.raise_()
    table = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.model().rowCount() > 0, timeout=WAIT_MS)
    table.selectRow(0)
    details = find(window, QTextEdit, "historyDetails")
    qtbot.waitUntil(lambda: "ECHO event" in details.toPlainText(), timeout=WAIT_MS)
    assert "Trigger log" in details.toPlainText()
    found = details.document().find("ECHO event")  # highlighted there too: it mentions the metadata
    assert not found.isNull()
    background = found.charFormat().background().color().name()
    assert background == tone_colors(Tone.WARNING)[1]
    report = details.document().find("REPORT RequestId")
    assert report.charFormat().background().color().name() != background


def test_a_change_of_value_shows_its_update_attribute_trigger_run_and_follows_its_log_as_a_send_does(
    qtbot: QtBot, window: MainWindow, control: Any, fresh_user: dict[str, str]
) -> None:
    use_trigger(qtbot, window, "echo.py")
    new_value = f"new-{uuid.uuid4().hex[:8]}@example.com"
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "moving")
    click(qtbot, window, "changeValueButton")
    edit = type_into(qtbot, window, "newValueEdit", new_value)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    updates = window.parts.updates
    qtbot.waitUntil(lambda: updates.last_recorded is not None and not updates.in_flight, timeout=WAIT_MS)
    recorded = updates.last_recorded
    assert recorded is not None and recorded.ok

    code = control.latest_code(fresh_user["username"], "email")
    rendered = find(window, QPlainTextEdit, "renderedMessageView")
    qtbot.waitUntil(lambda: code in rendered.toPlainText(), timeout=WAIT_MS)
    assert 'metadata={"campaign": "moving"}' in rendered.toPlainText()
    sent = json.loads(find(window, QPlainTextEdit, "sentEventView").toPlainText())
    assert sent["triggerSource"] == "CustomMessage_UpdateUserAttribute"
    assert sent["request"]["userAttributes"]["email"] == new_value
    assert label(window, "triggerRunResultLabel").startswith("✓ Trigger verifydesk-custom-message answered")

    status = wait_followed(qtbot, window)
    assert LogKind.REPORT in [line.kind for line in log_lines(window)], status
    assert recorded.history_id is not None
    qtbot.waitUntil(lambda: "REPORT RequestId" in (window.history_store.get(recorded.history_id).trigger_log
                                                   or ""), timeout=WAIT_MS)


def test_a_raising_handler_is_user_lambda_validation_in_window_and_history_and_links_to_the_view(
    qtbot: QtBot, window: MainWindow, control: Any
) -> None:
    use_trigger(qtbot, window, "raises.py")
    window.history_dock.raise_()
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "tenant", "acme")
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")

    assert label(window, "errorCodeLabel") == "UserLambdaValidationException"
    assert "Email domain not allowed" in label(window, "errorMessageLabel")
    record = history_record(qtbot, window)
    assert record.outcome is Outcome.ERROR and record.error_code == "UserLambdaValidationException"

    qtbot.waitUntil(lambda: label(window, "triggerRunSummaryLabel").startswith("✗"), timeout=WAIT_MS)
    click(qtbot, window, "openTriggerViewButton")
    tabs = find(window, QTabWidget, "triggerTabs")
    qtbot.waitUntil(lambda: window.trigger_tools.dock.isVisible()
                    and tabs.currentWidget() is window.trigger_tools.view.local)
    assert label(window, "triggerRunSummaryLabel").startswith("✗ UserLambdaValidationException")
    returned = find(window, QPlainTextEdit, "returnedEventView").toPlainText()
    assert returned.startswith("// The function raised; Lambda's error object:")
    assert '"errorType": "ValueError"' in returned
    sent = json.loads(find(window, QPlainTextEdit, "sentEventView").toPlainText())
    assert sent["request"]["clientMetadata"] == {"tenant": "acme"}

    wait_followed(qtbot, window)
    errors = [line for line in log_lines(window) if line.kind is LogKind.ERROR]
    assert any("Email domain not allowed" in line.message for line in errors)
    assert "Email domain not allowed" in history_record(qtbot, window, with_log="REPORT").trigger_log
    shot(window, "trigger-raises")


def test_a_garbage_handler_is_invalid_lambda_response_with_the_problem_listed(
    qtbot: QtBot, window: MainWindow
) -> None:
    use_trigger(qtbot, window, "garbage.py")
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")

    assert label(window, "errorCodeLabel") == "InvalidLambdaResponseException"
    assert find(window, QPushButton, "openTriggerViewButton").isVisible()
    problems = find(window, QLabel, "triggerRunProblemsLabel")
    qtbot.waitUntil(problems.isVisible, timeout=WAIT_MS)
    assert problems.text() == "• The trigger returned a string, not the event object."
    assert json.loads(find(window, QPlainTextEdit, "returnedEventView").toPlainText()) == "this is not the event"
    assert label(window, "triggerRunResultLabel") == (
        "✗ Trigger failed: InvalidLambdaResponseException — The trigger returned a string, not the event object.")
    record = history_record(qtbot, window)
    assert record.error_code == "InvalidLambdaResponseException"
    shot(window, "trigger-garbage")


def test_a_lambda_invoke_endpoint_serves_as_the_trigger_and_an_unreachable_one_is_unexpected_lambda(
    qtbot: QtBot, window: MainWindow, control: Any, fresh_user: dict[str, str]
) -> None:
    from app.sandbox.lambda_runner import LambdaRunner

    with LambdaRunner(f"{TRIGGERS / 'echo.py'}:handler") as runner:
        show_tab(qtbot, window, "Local trigger (sandbox)")
        type_into(qtbot, window, "triggerSpecEdit", runner.endpoint_url)
        click(qtbot, window, "applyTriggerButton")
        qtbot.waitUntil(lambda: "calls http://" in label(window, "localTriggerStatusLabel"), timeout=WAIT_MS)
        pick_attribute(qtbot, window, "email")
        add_metadata_row(qtbot, window, "via", "sam-local")
        press_send(qtbot, window)
        wait_result(qtbot, window, "success")
        code = control.latest_code(fresh_user["username"], "email")
        rendered = find(window, QPlainTextEdit, "renderedMessageView")
        qtbot.waitUntil(lambda: f"your code is {code}." in rendered.toPlainText(), timeout=WAIT_MS)
        assert runner.events[-1]["request"]["clientMetadata"] == {"via": "sam-local"}
        port = runner.endpoint_url.rsplit(":", 1)[1]

    # The runner has stopped: nothing answers at that port any more.
    type_into(qtbot, window, "triggerSpecEdit", f"http://127.0.0.1:{port}")
    click(qtbot, window, "applyTriggerButton")
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "UnexpectedLambdaException"
    qtbot.waitUntil(lambda: label(window, "triggerRunSummaryLabel").startswith(
        "✗ UnexpectedLambdaException"), timeout=WAIT_MS)
    assert "nothing: the trigger failed before answering" in find(
        window, QPlainTextEdit, "returnedEventView").toPlainText()
    assert history_record(qtbot, window).error_code == "UnexpectedLambdaException"


def test_the_preview_warns_when_the_grid_has_a_duplicate_key(qtbot: QtBot, window: MainWindow) -> None:
    show_tab(qtbot, window, "Event preview")
    add_metadata_row(qtbot, window, "tenant", "first")
    add_metadata_row(qtbot, window, "tenant", "second")
    note = find(window, QLabel, "eventPreviewNoteLabel")
    qtbot.waitUntil(lambda: "Send is blocked" in note.text(), timeout=WAIT_MS)
    assert preview(qtbot, window)["request"]["clientMetadata"] == {"tenant": "first"}


def test_a_handler_file_that_does_not_exist_is_refused_at_the_field(qtbot: QtBot, window: MainWindow) -> None:
    show_tab(qtbot, window, "Local trigger (sandbox)")
    type_into(qtbot, window, "triggerSpecEdit", "/nowhere/handler.py:handler")
    click(qtbot, window, "applyTriggerButton")
    problem = find(window, QLabel, "triggerSpecProblemLabel")
    qtbot.waitUntil(problem.isVisible, timeout=WAIT_MS)
    assert "no such file" in problem.text()


# --- log lines from CloudWatch Logs -----------------------------------------------------------------


def test_log_lines_written_to_cloudwatch_logs_appear_beside_the_request_and_in_history(
    qtbot: QtBot, open_settled: Callable[[], MainWindow], sandbox: Any, control: Any,
    fresh_user: dict[str, str],
) -> None:
    """A deployed trigger's log, as Lambda writes it, followed from the request's start."""
    function = f"deployed-{uuid.uuid4().hex[:8]}"
    save_sandbox_profile(sandbox.info, trigger_function=function)
    window = open_settled()
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    show_tab(qtbot, window, "Log lines")
    assert label(window, "followFunctionLabel") == f"/aws/lambda/{function} (the profile's trigger function)"
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "orderId", "ord-7731")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    qtbot.waitUntil(lambda: window.trigger_tools.follow.following, timeout=WAIT_MS)

    logs = boto3.client("logs", endpoint_url=sandbox.info.endpoint_url, region_name=sandbox.info.region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    group, stream, request_id = f"/aws/lambda/{function}", "2026/01/01/[$LATEST]abc", str(uuid.uuid4())
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    messages = [
        f"START RequestId: {request_id} Version: $LATEST",
        f"{request_id}\tINFO\tbuilding the message for order ord-7731",
        f"{request_id}\tINFO\tno template override",
        f"[ERROR] KeyError: 'locale'\tRequestId: {request_id}",
        f"END RequestId: {request_id}",
        f"REPORT RequestId: {request_id}\tDuration: 12.00 ms\tBilled Duration: 13 ms",
    ]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": now + i, "message": message} for i, message in enumerate(messages)])

    status = wait_followed(qtbot, window)
    shown = [line.message for line in log_lines(window)]
    assert shown == messages, status
    model = window.trigger_tools.follow.model
    highlighted = [model.lines[i].message for i in range(model.rowCount())
                   if model.index(i).data(Qt.ItemDataRole.BackgroundRole) is not None
                   and model.lines[i].mentions_metadata]
    assert highlighted == [messages[1]]
    assert model.index(3).data(Qt.ItemDataRole.UserRole + 1) == "ERROR"
    assert model.index(5).data(Qt.ItemDataRole.FontRole).bold()  # REPORT stands out
    assert "1 mentions your ClientMetadata" in status or "1 mention your ClientMetadata" in status
    result_lines = find(window, QLabel, "resultTriggerLogStatus")
    assert result_lines.isVisible()

    record = history_record(qtbot, window, with_log="REPORT RequestId")
    stored = record.trigger_log.splitlines()
    assert stored[0] == f"# {group}"
    assert any(row.endswith(messages[1]) and " *OUTPUT" in row for row in stored)
    shot(window, "trigger-cloudwatch")


def test_a_new_send_stops_the_old_follow_and_stop_ends_the_current_one(
    qtbot: QtBot, open_settled: Callable[[], MainWindow], sandbox: Any, control: Any,
    fresh_user: dict[str, str],
) -> None:
    quiet = f"quiet-{uuid.uuid4().hex[:8]}"  # a function that never logs: following runs its window
    save_sandbox_profile(sandbox.info, trigger_function=quiet)
    window = open_settled()
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    follow = window.trigger_tools.follow
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    qtbot.waitUntil(lambda: follow.following, timeout=WAIT_MS)
    first = window.controller.last_recorded
    assert first is not None

    pick_attribute(qtbot, window, "phone_number")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    qtbot.waitUntil(lambda: follow.following and window.controller.last_recorded is not first, timeout=WAIT_MS)

    def first_log() -> str:
        record = window.history_store.get(first.history_id or 0)
        return (record.trigger_log if record else None) or ""

    qtbot.waitUntil(lambda: "# Following stopped: a new request was sent." in first_log(), timeout=WAIT_MS)

    status = find(window, QLabel, "resultTriggerLogStatus")
    qtbot.waitUntil(lambda: "does not exist" in status.text(), timeout=WAIT_MS)  # the group's absence, said
    click(qtbot, window, "resultTriggerLogStopButton")
    qtbot.waitUntil(lambda: not follow.following, timeout=WAIT_MS)
    assert "stopped: you pressed Stop" in status.text()
    record = history_record(qtbot, window, with_log="Following stopped: you pressed Stop.")
    assert record.trigger_log.startswith(f"# /aws/lambda/{quiet}")


# --- the pool's trigger with an AWS profile -------------------------------------------------------------


@pytest.fixture
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> str:
    """An AWS config whose profile reaches the sandbox's endpoint with moto-style keys."""
    config = tmp_path / "aws" / "config"
    credentials = tmp_path / "aws" / "credentials"
    config.parent.mkdir()
    config.write_text(textwrap.dedent(f"""
        [profile qa-admin]
        region = {sandbox.info.region}
        endpoint_url = {sandbox.info.endpoint_url}

        [profile other-sso]
        sso_start_url = https://example.awsapps.com/start
        sso_region = {sandbox.info.region}
        sso_account_id = 123456789012
        sso_role_name = Tester
        """), encoding="utf-8")
    credentials.write_text(
        f"[qa-admin]\naws_access_key_id = {FAKE_KEY_ID}\naws_secret_access_key = {FAKE_SECRET}\n",
        encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return "qa-admin"


def test_an_aws_profile_reads_the_pools_custom_message_trigger_arn(
    qtbot: QtBot, open_settled: Callable[[], MainWindow], sandbox: Any, control: Any, aws_files: str
) -> None:
    control.set_trigger(f"{TRIGGERS / 'echo.py'}:handler", FUNCTION)
    info = sandbox.info
    ProfileStore(app_paths().profiles_file).save(Profile(
        name="Staging", region=info.region, client_id=info.client_id, endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id, aws_profile=aws_files))
    window = open_settled()
    show_tab(qtbot, window, "Pool configuration")
    combo = find(window, QComboBox, "awsProfileCombo")
    # The AWS files were read, and the profile's AWS profile is the one chosen.
    qtbot.waitUntil(lambda: combo.count() > 2 and combo.currentData() == aws_files, timeout=WAIT_MS)
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert any(text.startswith("other-sso (SSO 123456789012/Tester") for text in texts), texts

    click(qtbot, window, "loadPoolTriggerButton")
    arn = f"arn:aws:lambda:{info.region}:123456789012:function:{FUNCTION}"
    qtbot.waitUntil(lambda: label(window, "customMessageArnLabel") == arn, timeout=WAIT_MS)
    assert "qa-admin" in label(window, "poolTriggerStatusLabel")
    assert label(window, "followFunctionLabel").startswith(f"/aws/lambda/{FUNCTION}")
    shot(window, "trigger-aws-profile")

    # An SSO profile that never logged in: the catalogued message, in place.
    other = combo.findData("other-sso")
    combo.setCurrentIndex(other)
    combo.activated.emit(other)
    click(qtbot, window, "loadPoolTriggerButton")
    status = find(window, QLabel, "poolTriggerStatusLabel")
    qtbot.waitUntil(lambda: "aws sso login" in status.text(), timeout=WAIT_MS)
    assert label(window, "customMessageArnLabel") == "—"
    saved = ProfileStore(app_paths().profiles_file).get("Staging")
    assert saved is not None and saved.aws_profile == "other-sso"  # the choice is remembered


def test_demo_trigger_brings_the_demo_back_after_another_trigger_replaced_it(
    qtbot: QtBot, window: MainWindow, control: Any
) -> None:
    use_trigger(qtbot, window, "echo.py")
    assert control.trigger()["trigger"].endswith("echo.py:handler")
    click(qtbot, window, "demoTriggerButton")
    qtbot.waitUntil(lambda: control.trigger()["trigger"] == "demo", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "demo trigger" in label(window, "localTriggerStatusLabel"), timeout=WAIT_MS)
    assert not find(window, QLabel, "triggerSpecProblemLabel").isVisible()


def test_an_inbox_row_of_a_trigger_error_has_no_code_to_use(
    qtbot: QtBot, window: MainWindow, control: Any
) -> None:
    use_trigger(qtbot, window, "raises.py")
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")
    inbox = window.inbox
    inbox.show()
    inbox.raise_()
    table = find(window, QTableView, "inboxTable")
    username = window.session.username

    def error_row() -> int:
        inbox.refresh()
        rows = [r for r in range(table.model().rowCount())
                if table.model().index(r, 1).data() == username]
        return rows[0] if rows else -1

    qtbot.waitUntil(lambda: error_row() >= 0, timeout=WAIT_MS)
    table.selectRow(error_row())
    assert table.model().index(error_row(), 6).data() == "not sent"
    assert not find(window, QPushButton, "useInboxCodeButton").isEnabled()
    assert not find(window, QPushButton, "copyInboxCodeButton").isEnabled()
