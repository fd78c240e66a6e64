"""Small things a person notices: the event preview's side note is never cut off in a short bottom
tab; the dock tab bar is named; the sign-in flow choices and the token hint are not cut off."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QStyle, QStyleOptionComboBox, QTabBar
from pytestqt.qtbot import QtBot

from app.core.trigger_insight import EventInputs
from app.ui.trigger.preview import EventPreviewPanel

from support.window_driver import open_window, save_sandbox_profile

pytestmark = pytest.mark.gui


def test_the_event_preview_note_is_never_cut_off_in_a_short_tab(qtbot: QtBot) -> None:
    panel = EventPreviewPanel()
    qtbot.addWidget(panel)
    panel.show_inputs(EventInputs("eu-west-1", "eu-west-1_Example", "1example23456789", "alice",
                                  {"email": "alice@example.com", "phone_number": "+15550100"},
                                  {"campaign": "spring"}), attribute_name="email")
    panel.resize(700, 170)
    panel.show()
    qtbot.waitExposed(panel)
    note = panel.findChild(QLabel, "eventPreviewNoteLabel")
    assert note is not None and note.isVisible() and note.text()
    qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()), timeout=2000)


def test_the_dock_tab_bar_has_an_object_and_accessible_name(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox,  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    window.inbox.show()
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QTabBar)))
    bars = [b for b in window.findChildren(QTabBar) if b.isVisible() and b.parentWidget() is window]
    assert bars
    for bar in bars:
        assert bar.objectName() and bar.accessibleName().strip(), (bar.objectName(), bar.accessibleName())
    assert window.findChild(QTabBar, "bottomTabBar") is not None


def test_the_flow_choices_and_the_token_hint_fit_their_fields_at_1280x800(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox,  # type: ignore[no-untyped-def]
) -> None:
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    combo = window.findChild(QComboBox, "authFlowCombo")
    assert combo is not None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    room = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo).width()
    for index in range(combo.count()):
        text = combo.itemText(index)
        assert combo.fontMetrics().horizontalAdvance(text) <= room, f"{text!r} is cut at {room} px"
    token = window.findChild(QLineEdit, "accessTokenEdit")
    assert token is not None
    hint = token.placeholderText()
    assert token.fontMetrics().horizontalAdvance(hint) <= token.width() - 8, f"{hint!r} is cut"
