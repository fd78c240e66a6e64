"""Where botocore's model and VerifyDesk's check differ, through the real window on the sandbox: a
name with a space is refused saying the model would pass it and Send anyway sends it unchanged; a
name whose code-point and UTF-16 counts straddle 32, and a ClientMetadata value over the model's
string limit, are sent with a warning."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.core.validation import MetadataRow
from app.ui.request.metadata_editor import MetadataEditor
from app.ui.window.main_window import MainWindow

from support.window_driver import SEND, click, label, pick_attribute, press_send, visible_label, wait_result

pytestmark = pytest.mark.gui
STRING_MAX = 131072  # ClientMetadataType's StringType max in botocore's model (pinned in test_field_rules)


def test_a_space_in_the_name_is_refused_saying_the_model_would_pass_it_and_send_anyway_sends_it(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "e mail")
    assert "service model would pass it" in visible_label(window, "attributeProblemLabel")
    before = sandbox.control.request_count(SEND)
    press_send(qtbot, window)
    assert "no verifiable attribute has such a name" in visible_label(window, "sendProblemsLabel")
    assert sandbox.control.request_count(SEND) == before

    click(qtbot, window, "sendAnywayButton")
    assert wait_result(qtbot, window) == "error"
    assert sandbox.control.request_count(SEND) == before + 1
    assert "Invalid attribute name" in label(window, "errorMessageLabel")
    assert window.controller.last_attempt is not None
    assert window.controller.last_attempt.attribute_name == "e mail"


def test_a_name_within_32_code_points_but_not_32_utf16_units_is_sent_with_a_warning(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "\U0001F600" * 17)
    info = visible_label(window, "attributeValueLabel")
    assert "17 characters counted in Unicode code points" in info and "34 in UTF-16 units" in info
    before = sandbox.control.request_count(SEND)
    press_send(qtbot, window)
    wait_result(qtbot, window)
    assert sandbox.control.request_count(SEND) == before + 1
    note = window.result_view.note
    assert note.isVisible() and "Warning: 17 characters counted in Unicode code points" in note.text()


def test_a_metadata_value_over_the_models_limit_is_sent_with_a_warning(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "email")
    editor = window.findChild(MetadataEditor)
    assert editor is not None
    editor.set_rows([MetadataRow("big", "x" * (STRING_MAX + 1))])
    press_send(qtbot, window)
    assert wait_result(qtbot, window) == "error"  # the sandbox, like the model, refuses it
    assert "Map value must satisfy constraint" in label(window, "errorMessageLabel")
    note = window.result_view.note
    assert note.isVisible()
    assert f"Warning: ClientMetadata value of 'big' has {STRING_MAX + 1} characters" in note.text()
