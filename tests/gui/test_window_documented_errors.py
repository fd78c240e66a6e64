"""Every error documented for GetUserAttributeVerificationCode, injected in the sandbox and sent from
the real window, fills the result pane: the code, the API reference's HTTP status, what it means and
the next step (the catalogue's advice for it, not the unknown-error fallback), and the right ways on:
Refresh and send again for an expired token, the trigger view for the Lambda trigger's errors, the
preflight for a failed delivery, and the trigger log followed unless Cognito refused the request before
the trigger ran. History gets the row. A user deleted or reset by an admin after sign-in gets its
documented error in the window too (not injected)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QFrame, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from app.core.errors import ErrorContext, entry_in
from app.core.history import HistoryFilter
from app.core.models import Outcome
from app.ui.window.main_window import MainWindow

from support.documented_errors import documented_errors, documented_status, model_error_codes
from support.window_driver import (
    SEND,
    WAIT_MS,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    save_sandbox_profile,
    sign_in,
    wait_result,
)

pytestmark = pytest.mark.gui

# The errors the API reference describes as the Custom Message trigger's (Lambda) failures.
TRIGGER_ERRORS = frozenset(
    {"InvalidLambdaResponseException", "UnexpectedLambdaException", "UserLambdaValidationException"})
DELIVERY_FAILURE = "CodeDeliveryFailureException"
# The sandbox's injected NotAuthorizedException says "Access Token has expired": the window refreshes
# the session and sends once more by itself, then offers Refresh and send again.
REFRESHABLE = frozenset({"NotAuthorizedException"})
BEFORE_TRIGGER = "failed before the trigger ran"


def _visible(window: MainWindow, kind: type[Any], name: str) -> bool:
    return bool(find(window, kind, name).isVisible())


def _trigger_log_status(window: MainWindow) -> str:
    return label(window, "resultTriggerLogStatus")


@pytest.mark.parametrize("error_code", documented_errors())
def test_each_documented_error_fills_the_result_pane_with_its_advice_and_ways_on_and_a_history_row(
    qtbot: QtBot, window: MainWindow, sandbox: Any, error_code: str
) -> None:
    assert error_code in model_error_codes(), f"botocore's model does not list {error_code} for {SEND}"
    status = documented_status(error_code)
    table = find(window, QTableView, "historyTable")
    rows_before = table.model().rowCount()
    pick_attribute(qtbot, window, "email")
    sends = 2 if error_code in REFRESHABLE else 1
    sandbox.control.inject_fault(SEND, error_code=error_code, count=sends)
    requests_before = sandbox.control.request_count(SEND)
    status_before = _trigger_log_status(window)
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "error")

    assert label(window, "errorCodeLabel") == error_code
    assert label(window, "errorHttpStatusLabel") == f"HTTP {status}"
    message = label(window, "errorMessageLabel")
    assert message not in ("", "(no message)")
    entry = entry_in(error_code, message, ErrorContext("send", can_refresh=True, attribute_name="email"))
    assert entry.code == error_code  # a catalogued entry, not the unknown-error fallback
    assert label(window, "errorExplanationLabel") == f"What it means: {entry.explanation}"
    assert label(window, "errorNextStepLabel") == f"Next: {entry.next_step}"
    assert "attempts 1" in label(window, "errorDetailsLabel")
    assert sandbox.control.request_count(SEND) == requests_before + sends

    assert _visible(window, QPushButton, "refreshAndResendButton") == (error_code in REFRESHABLE)
    assert _visible(window, QPushButton, "openTriggerViewButton") == (error_code in TRIGGER_ERRORS)
    assert _visible(window, QFrame, "preflightLink") == (error_code == DELIVERY_FAILURE)
    qtbot.waitUntil(lambda: _trigger_log_status(window) != status_before, timeout=WAIT_MS)
    refused_before_trigger = status < 500 and error_code not in TRIGGER_ERRORS | {DELIVERY_FAILURE}
    assert (BEFORE_TRIGGER in _trigger_log_status(window)) == refused_before_trigger, _trigger_log_status(window)

    newest = window.history_store.page(HistoryFilter(), limit=1)[0]
    assert (newest.outcome, newest.error_code, newest.http_status) == (Outcome.ERROR, error_code, status)
    assert newest.attempts == 1
    qtbot.waitUntil(lambda: table.model().rowCount() == rows_before + sends, timeout=WAIT_MS)


def _admin(info: Any) -> Any:
    import boto3

    return boto3.client("cognito-idp", region_name=info.region, endpoint_url=info.endpoint_url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _delete_user(admin: Any, pool_id: str, username: str) -> None:
    admin.admin_delete_user(UserPoolId=pool_id, Username=username)


def _reset_password(admin: Any, pool_id: str, username: str) -> None:
    admin.admin_update_user_attributes(UserPoolId=pool_id, Username=username,
                                       UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    admin.admin_reset_user_password(UserPoolId=pool_id, Username=username)


@pytest.mark.parametrize(
    ("change", "error_code"),
    [(_delete_user, "UserNotFoundException"), (_reset_password, "PasswordResetRequiredException")],
    ids=["user deleted", "password reset by an admin"],
)
def test_a_user_changed_by_an_admin_after_sign_in_gets_the_documented_error_in_the_window(
    qtbot: QtBot, window: MainWindow, sandbox: Any, fresh_user: dict[str, str], change: Any, error_code: str
) -> None:
    pick_attribute(qtbot, window, "email")
    change(_admin(sandbox.info), sandbox.info.user_pool_id, fresh_user["username"])
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "error")
    assert label(window, "errorCodeLabel") == error_code
    assert label(window, "errorHttpStatusLabel") == f"HTTP {documented_status(error_code)}"
    entry = entry_in(error_code, label(window, "errorMessageLabel"), ErrorContext("send", attribute_name="email"))
    assert label(window, "errorNextStepLabel") == f"Next: {entry.next_step}"
    newest = window.history_store.page(HistoryFilter(), limit=1)[0]
    assert (newest.outcome, newest.error_code) == (Outcome.ERROR, error_code)


def test_a_limit_exceeded_is_sent_once_from_the_window_even_with_three_attempts(
    qtbot: QtBot, event_loop_qt: Any, sandbox: Any, fresh_user: dict[str, str]
) -> None:
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info, max_attempts=3)
    window = open_window(qtbot)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    sandbox.control.inject_fault(SEND, error_code="LimitExceededException", count=3)
    before = sandbox.control.request_count(SEND)
    try:
        click(qtbot, window, "sendButton")
        wait_result(qtbot, window, "error")
    finally:
        sandbox.control.clear_faults()
    assert label(window, "errorCodeLabel") == "LimitExceededException"
    assert "attempts 1" in label(window, "errorDetailsLabel")
    assert sandbox.control.request_count(SEND) == before + 1
    assert window.history_store.page(HistoryFilter(), limit=1)[0].attempts == 1
