"""Sign in, send and verify through the window with every runtime patch off.

Not collected on its own (the patches are process-wide, and this process has them): the stock-mode
smoke test (tests/integration/test_stock_mode.py) runs this file in a pytest of its own with
VERIFYDESK_STOCK=1.
"""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.runtime.guard import STOCK_ENV, status
from app.ui.window.main_window import MainWindow

from support.window_driver import WAIT_MS, label, pick_attribute, press_send, type_into, wait_result

pytestmark = pytest.mark.gui


def test_sign_in_send_and_verify_in_the_window_with_every_patch_off(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    assert os.environ.get(STOCK_ENV) == "1"
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    assert label(window, "deliveryMediumLabel") == "EMAIL"

    code = sandbox.control.latest_code(fresh_user["username"], "email")
    qtbot.keyClick(type_into(qtbot, window, "codeEdit", code), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    assert label(window, "attributeBadgeLabel") == "✓ verified"

    decided = status()
    assert {"botocore shared lean data loader", "pycognito.aws_srp without its package",
            "gc.freeze long-lived objects", "PySide6 import hook without the source scan"} <= set(decided)
    assert set(decided.values()) == {f"stock ({STOCK_ENV}=1)"}, decided
