"""A send refused by the checks, through the real window on the sandbox: the refusal comes into
view with Send anyway and the status bar says it; Send anyway sends every row a JSON object can
carry (an empty key included), shows that payload before sending, and names what it dropped."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.core.validation import MetadataRow
from app.ui.request.metadata_editor import MetadataEditor
from app.ui.window.main_window import MainWindow

from support.window_driver import (
    SEND,
    WAIT_MS,
    click,
    find,
    label,
    pick_attribute,
    press_send,
    visible_label,
    wait_result,
)

pytestmark = pytest.mark.gui

ROWS = [MetadataRow("source", "qa-desk"), MetadataRow("source", "dup"), MetadataRow("", "orphan")]


def _in_view(widget: QWidget, area: QScrollArea) -> bool:
    """Shown whole: inside the column's viewport when it scrolls with the column, else (pinned
    below the column) inside the window."""
    viewport = area.viewport()
    if not viewport.isAncestorOf(widget):
        window = widget.window()
        return window.rect().contains(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


def _fill(window: MainWindow) -> None:
    editor = window.findChild(MetadataEditor)
    assert editor is not None
    editor.set_rows(list(ROWS))
    editor.flush_preview()


def test_a_refused_ctrl_enter_brings_the_problems_and_send_anyway_into_view(
    qtbot: QtBot, window: MainWindow, sandbox  # type: ignore[no-untyped-def]
) -> None:
    window.resize(1280, 640)  # short enough that the send bar's problems start below the fold
    pick_attribute(qtbot, window, "email")
    _fill(window)
    area = find(window, QScrollArea, "requestScroll")
    area.verticalScrollBar().setValue(0)
    before = sandbox.control.request_count(SEND)

    press_send(qtbot, window)
    anyway = find(window, QPushButton, "sendAnywayButton")
    qtbot.waitUntil(lambda: anyway.isVisible() and _in_view(anyway, area), timeout=WAIT_MS)
    assert _in_view(find(window, QWidget, "sendProblemsLabel"), area)
    assert label(window, "statusLabel").startswith("Not sent: ClientMetadata")
    assert sandbox.control.request_count(SEND) == before


def test_send_anyway_shows_then_sends_every_row_it_can_and_names_the_dropped_duplicate(
    qtbot: QtBot, window: MainWindow, sandbox, fresh_user: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    pick_attribute(qtbot, window, "email")
    _fill(window)
    preview = window.findChild(MetadataEditor)
    assert preview is not None
    assert '"": "orphan"' in preview.preview.toPlainText()
    assert "row 2 dropped: duplicate key 'source'" in preview.preview.toPlainText()

    press_send(qtbot, window)
    problems = visible_label(window, "sendProblemsLabel")
    assert 'Send anyway sends: {"source": "qa-desk", "": "orphan"}' in problems
    assert "row 2 dropped: duplicate key 'source' (row 1 is sent)" in problems

    click(qtbot, window, "sendAnywayButton")
    wait_result(qtbot, window)
    assert sandbox.control.inbox(fresh_user["username"])[-1]["client_metadata"] == {"source": "qa-desk", "": "orphan"}
    note = window.result_view.note
    assert note.isVisible() and "row 2 dropped: duplicate key 'source'" in note.text()
