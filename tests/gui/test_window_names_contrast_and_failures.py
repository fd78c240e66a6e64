"""What a person notices beyond features: stable object and accessible names, readable text under a
dark and a light palette, background failures shown in the window and logged with secrets redacted
(never a traceback dialog), and nothing clipped at 1280×800."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.logs import configure_logging
from app.core.paths import app_paths
from app.core.redaction import SECRETS
from app.ui.launch import install_error_reporting
from app.ui.widgets.style import Theme, Tone
from app.ui.window.main_window import MainWindow

from support.contrast import text_contrast
from support.window_driver import (
    SEND,
    WAIT_MS,
    find,
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

STABLE_NAMES = (  # what tests, docs and assistive tools find controls by
    "profileCombo", "usernameEdit", "passwordEdit", "signInButton", "accessTokenEdit", "attributeCombo",
    "metadataTable", "addMetadataRowButton", "sendButton", "cancelButton", "deliveryAttributeLabel",
    "deliveryMediumLabel", "deliveryDestinationLabel", "errorCodeLabel", "codeEdit", "verifyButton",
    "historyTable", "historyFilterEdit",
)
# The window's own panels (the trigger view's are its owner's to name).
PANELS = ("connectionPanel", "signInPanel", "requestPanel", "resultView", "verifyBox", "historyView",
          "inboxDock", "bannerFrame")
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit, QTextEdit)


@pytest.fixture
def window(event_loop_qt: asyncio.AbstractEventLoop, qtbot: QtBot, sandbox, fresh_user):  # type: ignore[no-untyped-def]
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    win = open_window(qtbot)
    sign_in(qtbot, win, fresh_user["username"], fresh_user["password"])
    yield win
    sandbox.control.clear_faults()


@pytest.fixture
def restore_theme(qapp: QApplication) -> Iterator[None]:
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def _qt_internal(widget: QWidget) -> bool:
    """Parts Qt builds inside a control (combo popups, headers, corner and clear buttons)."""
    if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QLineEdit)) or parent.objectName().startswith("qt_"):
            return True
        parent = parent.parentWidget()
    return False


def test_the_stable_control_names_exist_and_every_panel_control_has_object_and_accessible_names(
    window: MainWindow,
) -> None:
    for name in STABLE_NAMES:
        widget = find(window, QWidget, name)
        assert widget.accessibleName().strip(), f"{name} has no accessible name"
    unnamed = []
    for panel_name in PANELS:
        panel = find(window, QWidget, panel_name)
        for widget in panel.findChildren(QWidget):
            named = bool(widget.objectName()) and bool(widget.accessibleName().strip())
            if isinstance(widget, INTERACTIVE) and not _qt_internal(widget) and not named:
                unnamed.append(f"{panel_name}/{type(widget).__name__} {widget.objectName()!r}")
    assert not unnamed, unnamed


def _shown_states(qtbot: QtBot, window: MainWindow) -> None:
    """Success in the result view, a problem under the send bar, a badge, a banner, a verify error."""
    pick_attribute(qtbot, window, "email")
    press_send(qtbot, window)
    wait_result(qtbot, window, "success")
    type_into(qtbot, window, "codeEdit", "12")
    qtbot.keyClick(find(window, QLineEdit, "codeEdit"), Qt.Key.Key_Return)  # the code is too short
    window.banner.show_message("The history file could not be read; it was moved aside.", Tone.WARNING)


def _key_labels(window: MainWindow) -> list[QLabel]:
    names = ["deliveryAttributeLabel", "deliveryMediumLabel", "deliveryDestinationLabel", "latencyLabel",
             "attributeBadgeLabel", "attributeValueLabel", "sessionUserLabel", "sessionExpiryLabel",
             "verifyResultLabel", "bannerLabel", "requestLimitsLabel", "connectionSummaryLabel"]
    return [find(window, QLabel, name) for name in names]


@pytest.mark.parametrize("theme", [Theme.DARK, Theme.LIGHT])
def test_key_labels_are_readable_under_dark_and_light_palettes(
    qtbot: QtBot, window: MainWindow, sandbox, theme: Theme, restore_theme: None  # type: ignore[no-untyped-def]
) -> None:
    window.set_theme(theme, save=False)
    _shown_states(qtbot, window)
    wait_settled(qtbot, window)
    shot = window.grab().toImage()
    measured = {}
    for widget in _key_labels(window):
        assert widget.isVisible(), widget.objectName()
        measured[widget.objectName()] = text_contrast(window, widget, shot)
    weak = {name: m for name, m in measured.items() if m[0] < 4.5}
    assert not weak, f"below WCAG AA 4.5:1 under {theme}: {weak}"

    # The error panel: the code, message and advice on the tinted background.
    sandbox.control.inject_fault(SEND, error_code="LimitExceededException", http_status=400,
                                 message="Attempt limit exceeded, please try after some time.")
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")
    wait_settled(qtbot, window)
    shot = window.grab().toImage()
    for name in ("errorCodeLabel", "errorMessageLabel", "errorExplanationLabel", "errorNextStepLabel"):
        ratio, fg, bg = text_contrast(window, find(window, QLabel, name), shot)
        assert ratio >= 4.5, f"{name} {fg} on {bg} is {ratio:.1f}:1 under {theme}"


def test_a_failed_background_task_is_shown_in_the_window_and_logged_redacted_without_a_dialog(
    qtbot: QtBot, window: MainWindow, event_loop_qt: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    log_file = configure_logging(app_paths())
    install_error_reporting(event_loop_qt, window)  # what run_window installs
    token = window.session.access_token
    assert token
    secret = "client-secret-ZYX987"
    SECRETS.add(secret)

    async def export_job() -> None:
        await asyncio.sleep(0.01)
        raise OSError(f"No space left on device while writing {secret} for {token}")

    window.tasks.spawn(export_job(), name="export")
    qtbot.waitUntil(lambda: bool(window.banner.text), timeout=WAIT_MS)
    shown = window.banner.text
    assert "OSError" in shown and "No space left on device" in shown and "log" in shown
    assert token not in shown and secret not in shown

    # A callback on the loop failing (not a task) reaches the window the same way.
    window.banner.hide()
    event_loop_qt.call_soon(lambda: {}["missing-key"])
    qtbot.waitUntil(lambda: bool(window.banner.text), timeout=WAIT_MS)
    assert "KeyError" in window.banner.text

    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
    assert not dialogs, dialogs
    logged = log_file.read_text(encoding="utf-8")
    assert "Background task export failed" in logged and "Traceback" in logged
    assert "No space left on device" in logged and "KeyError" in logged
    assert token not in logged and secret not in logged
