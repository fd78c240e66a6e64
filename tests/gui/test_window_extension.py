"""The window's extension points for panels beside the request (the trigger view): the request
context snapshot and its signals, and bottom tabs that come back where the tester left them."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QDockWidget, QLabel, QTableView
from pytestqt.qtbot import QtBot

from app.ui.request.context import RequestContext

from support.window_driver import (
    add_metadata_row,
    find,
    open_window,
    pick_attribute,
    press_send,
    save_sandbox_profile,
    sign_in,
    wait_result,
)

pytestmark = pytest.mark.gui


def test_request_context_follows_sign_in_attribute_metadata_and_the_last_send(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox, fresh_user  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    before = window.request_context()
    assert before.settings is not None and before.endpoint_url == sandbox.info.endpoint_url
    assert not before.signed_in and before.user_attributes == {} and before.last_send is None

    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    with qtbot.waitSignal(window.request_context_changed, timeout=5000):
        pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "été")
    context = window.request_context()
    assert context.signed_in and context.username == fresh_user["username"]
    assert context.user_pool_id == sandbox.info.user_pool_id and context.client_id == sandbox.info.client_id
    assert context.user_attributes["email"] == fresh_user["email"]
    assert context.attribute_name == "email" and context.client_metadata == {"campaign": "été"}

    started: list[RequestContext] = []
    finished: list[RequestContext] = []
    window.send_started.connect(started.append)
    window.send_finished.connect(finished.append)
    press_send(qtbot, window, find(window, QTableView, "metadataTable"))
    wait_result(qtbot, window, "success")

    assert len(started) == 1 and started[0].last_send_in_flight and started[0].last_send is None
    assert started[0].last_send_started_at is not None
    assert started[0].last_send_started_at.tzinfo is not None
    assert len(finished) == 1
    done = finished[0]
    assert not done.last_send_in_flight and done.last_send is not None and done.last_send.ok
    assert done.last_send_attribute == "email" and done.last_send_metadata == {"campaign": "été"}
    assert done.last_send_started_at == started[0].last_send_started_at
    assert done.last_send.history_id is not None


def test_a_bottom_tab_sits_beside_history_and_comes_back_where_it_was_left(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    window = open_window(qtbot)
    dock = window.add_bottom_tab(QLabel("example panel"), "Example", "examplePanelDock")
    assert dock.objectName() == "examplePanelDock"
    assert dock in window.tabifiedDockWidgets(window.history_dock)
    assert dock.toggleViewAction() in window.view_menu.actions()
    dock.setFloating(True)  # the tester tears it off
    dock.resize(500, 300)
    window.close()

    again = open_window(qtbot)
    restored = again.add_bottom_tab(QLabel("example panel"), "Example", "examplePanelDock")
    assert restored.isFloating() and restored.isVisible()
    assert again.findChild(QDockWidget, "examplePanelDock") is restored
    again.reset_layout()
    assert not restored.isFloating()
    assert restored in again.tabifiedDockWidgets(again.history_dock)
