"""The Preflight tab in the real window against the sandbox: opened from the Request menu or the
button near Send it lists the checks for the chosen attribute with their status, runs again when the
attribute changes, keeps the window responsive and can be cancelled; a CodeDeliveryFailureException
links to it with the failing checks first, and "no code arrived" orders the silent-delivery causes
first."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QTreeWidget
from pytestqt.qtbot import QtBot

from app.core.paths import app_paths
from app.core.preflight import Check, Status, order_for_failure
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.ui.preflight.panel import STATUS_TEXT
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    WAIT_MS,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    sign_in,
    wait_result,
)

pytestmark = pytest.mark.gui

TEXT_STATUS = {text: status for status, text in STATUS_TEXT.items()}


def rows(window: MainWindow) -> list[tuple[Status, str, str]]:
    """(status, check id, message) of each listed check, read from the list as shown (none while
    the tab was never opened: its panel is built then)."""
    if window.findChild(QTreeWidget, "preflightChecks") is None and not window.parts.preflight.holder.is_built:
        return []
    tree = find(window, QTreeWidget, "preflightChecks")
    found = []
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        assert item is not None
        found.append((TEXT_STATUS[item.text(0)], item.text(1), item.text(2)))
    return found


def in_front(dock: QDockWidget) -> bool:
    """The dock's tab is the one shown (Qt calls the tabs behind it visible too)."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def as_checks(listed: list[tuple[Status, str, str]]) -> list[Check]:
    return [Check(check_id, status, message) for status, check_id, message in listed]


def wait_checks(qtbot: QtBot, window: MainWindow, want: str, *, absent: str = "") -> list[tuple[Status, str, str]]:
    """Wait until a finished run lists check `want` (and no check starting with `absent`)."""
    def done() -> bool:
        if window.parts.preflight.panel.busy:
            return False
        ids = [check_id for _, check_id, _ in rows(window)]
        return want in ids and not (absent and any(i.startswith(absent) for i in ids))

    qtbot.waitUntil(done, timeout=WAIT_MS)
    return rows(window)


def test_the_request_menu_opens_the_checks_for_the_attribute_and_a_new_attribute_runs_them_again(
    qtbot: QtBot, window: MainWindow, fresh_user: dict[str, str]
) -> None:
    pick_attribute(qtbot, window, "email")
    dock = find(window, QDockWidget, "preflightDock")
    assert not in_front(dock)
    window.menu_actions["preflightAction"].trigger()
    listed = wait_checks(qtbot, window, "email.cognito_default_limit")
    assert in_front(dock)
    by_id = {check_id: (status, message) for status, check_id, message in listed}
    assert by_id["attribute.present"][0] is Status.OK
    assert fresh_user["email"] in by_id["attribute.present"][1]
    assert by_id["email.cognito_default_limit"][0] is Status.OK  # no email sent today in this history
    assert "0 of about 50" in by_id["email.cognito_default_limit"][1]
    assert by_id["template.code_placeholder"][0] is Status.OK
    assert not any(check_id.startswith("sms.") for check_id in by_id)
    assert label(window, "preflightSummaryLabel") == f"{len(listed)} OK"

    # The tab is in view: choosing the phone number runs the checks again, for SMS this time.
    pick_attribute(qtbot, window, "phone_number")
    listed = wait_checks(qtbot, window, "sms.configuration", absent="email.")
    by_id = {check_id: (status, message) for status, check_id, message in listed}
    assert by_id["sms.configuration"][0] is Status.FAIL  # the sandbox pool has no SmsConfiguration
    assert by_id["attribute.phone_format"][0] is Status.OK
    assert fresh_user["phone_number"] in by_id["attribute.present"][1]
    # moto's SNS account is in the SMS sandbox, and the test user's number is none of its verified ones
    assert by_id["sms.sandbox_number"][0] is Status.FAIL
    assert label(window, "preflightSummaryLabel").startswith("2 fail")
    detail = find(window, QLabel, "preflightDetail")
    assert detail.isVisible() and listed[0][1] in detail.text()


def test_the_button_near_send_runs_in_the_background_and_cancel_stops_it(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    pick_attribute(qtbot, window, "email")
    sandbox.control.inject_fault("DescribeUserPool", delay_s=4.0)
    ticks: list[int] = []
    heartbeat = QTimer(window)
    heartbeat.setInterval(20)
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start()
    panel = window.parts.preflight.panel
    click(qtbot, window, "openPreflightButton")
    qtbot.waitUntil(lambda: panel.busy and panel.progress.isVisible(), timeout=WAIT_MS)
    assert label(window, "preflightSummaryLabel") == "Checking…"
    before = len(ticks)
    qtbot.waitUntil(lambda: len(ticks) >= before + 10, timeout=WAIT_MS)  # the window keeps running
    assert panel.busy
    click(qtbot, window, "cancelPreflightButton")
    assert not panel.busy and not panel.progress.isVisible()
    assert label(window, "preflightHeadline") == "Preflight cancelled."
    assert label(window, "preflightSummaryLabel") == "Cancelled"
    heartbeat.stop()
    assert rows(window) == []  # the delayed answer is dropped when it comes


def test_a_delivery_failure_links_to_the_preflight_with_the_failing_checks_first(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    pick_attribute(qtbot, window, "phone_number")
    sandbox.control.inject_fault("GetUserAttributeVerificationCode", error_code="CodeDeliveryFailureException")
    dock = find(window, QDockWidget, "preflightDock")
    assert not in_front(dock)
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == "CodeDeliveryFailureException"
    assert "CodeDeliveryFailureException" in label(window, "preflightLinkLabel")
    click(qtbot, window, "preflightWhyButton")
    listed = wait_checks(qtbot, window, "sms.configuration")
    assert in_front(dock)
    assert listed[0][:2] == (Status.FAIL, "sms.configuration")
    shown = as_checks(listed)
    assert shown == order_for_failure(shown, "delivery_failure")
    assert "CodeDeliveryFailureException" in label(window, "preflightHeadline")

    # The next send hides the link: it was about the failed one.
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")
    assert not find(window, QLabel, "preflightLinkLabel").isVisible()


def test_no_code_arrived_orders_the_silent_delivery_causes_first(qtbot: QtBot, window: MainWindow) -> None:
    pick_attribute(qtbot, window, "email")
    window.parts.preflight.explain_no_code()
    listed = wait_checks(qtbot, window, "trigger.custom_sender")
    assert label(window, "preflightHeadline").startswith("No code arrived")
    shown = as_checks(listed)
    assert shown == order_for_failure(shown, "no_code")
    ids = [check.id for check in shown]
    # All OK on the sandbox: the causes of a silent delivery lead, in their likelihood order.
    assert ids.index("trigger.custom_sender") < ids.index("email.cognito_default_limit") < ids.index(
        "attribute.present")


def test_changes_while_the_tab_is_behind_history_make_no_calls(
    qtbot: QtBot, window: MainWindow, sandbox: Any
) -> None:
    described = sandbox.control.request_count("DescribeUserPool")
    pick_attribute(qtbot, window, "phone_number")
    qtbot.waitUntil(lambda: label(window, "preflightSummaryLabel") == "Not run for this request yet",
                    timeout=WAIT_MS)
    assert sandbox.control.request_count("DescribeUserPool") == described
    assert rows(window) == []
    # Brought forward, it runs for the request as it is now.
    find(window, QDockWidget, "preflightDock").raise_()
    listed = wait_checks(qtbot, window, "sms.configuration")
    assert sandbox.control.request_count("DescribeUserPool") == described + 1
    assert "attribute.present" in [check_id for _, check_id, _ in listed]


def test_a_saved_change_to_the_profile_runs_the_checks_again(qtbot: QtBot, window: MainWindow) -> None:
    pick_attribute(qtbot, window, "email")
    window.menu_actions["preflightAction"].trigger()
    wait_checks(qtbot, window, "email.cognito_default_limit")
    profile = window.workbench.profile
    assert profile is not None
    window.workbench.update_profile(profile.name, user_pool_id="us-east-1_NoSuchPool")
    listed = wait_checks(qtbot, window, "pool.describe")
    assert listed[0][0] is Status.FAIL and "does not exist" in listed[0][2]
    assert label(window, "preflightSummaryLabel").startswith("1 fail")


def test_a_real_aws_profile_signs_the_admin_calls_and_sends_them_where_aws_endpoint_url_points(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """Not a sandbox profile: the preflight uses the default AWS credentials at the endpoint botocore
    picks (here the sandbox, through AWS_ENDPOINT_URL, as a tester with LocalStack would)."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPREFLIGHTTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "preflight-test-secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.info.endpoint_url)
    sandbox.control.clear_faults()
    info = sandbox.info
    ProfileStore(app_paths().profiles_file).save(Profile(
        name="Staging", region=info.region, client_id=info.client_id, endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id))
    window = open_window(qtbot)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    described = sandbox.control.request_count("DescribeUserPool")
    window.menu_actions["preflightAction"].trigger()
    qtbot.waitUntil(lambda: "default AWS credentials" in label(window, "preflightHeadline"), timeout=WAIT_MS)
    listed = wait_checks(qtbot, window, "email.cognito_default_limit")
    assert sandbox.control.request_count("DescribeUserPool") == described + 1
    by_id = {check_id: status for status, check_id, _ in listed}
    assert "pool.describe" not in by_id  # the pool was read
    assert by_id["attribute.present"] is Status.OK
