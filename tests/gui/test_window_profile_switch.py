"""Switching profile or user through the real window clears what belonged to the earlier one: the
result and code, the typed password; the switch's sign-out is said; the sandbox inbox goes away
on a profile that is not the sandbox."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.core.profile_model import Profile
from app.ui.window.main_window import MainWindow

from support.window_driver import WAIT_MS, find, label, pick_attribute, press_send, type_into, wait_result

pytestmark = pytest.mark.gui


def _choose(window: MainWindow, name: str) -> None:
    window.connection_panel.reload()
    combo = window.connection_panel.combo
    combo.setCurrentIndex(combo.findData(name))


def test_a_profile_switch_clears_result_code_and_password_and_says_it_signed_out(
    qtbot: QtBot, window: MainWindow  # type: ignore[no-untyped-def]
) -> None:
    sandbox_name = window.workbench.profile.name if window.workbench.profile else ""
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    type_into(qtbot, window, "codeEdit", "123456")
    window.workbench.profiles.save(Profile(name="aws-other", region="us-east-1", client_id="2example23456789"))

    _choose(window, "aws-other")
    qtbot.waitUntil(lambda: window.workbench.profile is not None and window.workbench.profile.name == "aws-other",
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.session.is_signed_in, timeout=WAIT_MS)
    assert window.result_view.showing == "empty"
    assert find(window, QLineEdit, "codeEdit").text() == ""
    assert "signed you out" in label(window, "statusLabel")
    assert not window.inbox.isVisible() and window.inbox.control is None
    assert not window.inbox.toggleViewAction().isVisible()

    type_into(qtbot, window, "passwordEdit", "typed-for-aws-other")
    _choose(window, sandbox_name)
    qtbot.waitUntil(lambda: window.workbench.profile is not None and window.workbench.profile.name == sandbox_name,
                    timeout=WAIT_MS)
    assert find(window, QLineEdit, "passwordEdit").text() == ""  # never follows you to another pool
    assert window.inbox.toggleViewAction().isVisible()
