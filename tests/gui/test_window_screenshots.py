"""The main states at 1280×800, checked for clipped text and saved as pictures.

Every state asserts that no visible button or one-line label is narrower than its text and that each
picture stays small enough for the README. The pictures go to a temporary folder; to refresh the
README's, run:

    VERIFYDESK_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/gui/test_window_screenshots.py
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTableView, QWidget
from pytestqt.qtbot import QtBot

from app.ui.window.main_window import MainWindow

from support.window_driver import (
    SEND,
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
    wait_result,
    wait_settled,
)

pytestmark = pytest.mark.gui
MAX_BYTES = 150_000


def _longest_word(label: QLabel) -> int:
    metrics = QFontMetrics(label.font())
    return max((metrics.horizontalAdvance(word) for word in label.text().split()), default=0)


def clipped(window: QWidget) -> list[str]:
    """Visible buttons and labels (on screen, not in a tab behind another) whose text does not fit their width (for wrapping labels: a word
    longer than the line), and labels squeezed below the height their text needs."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.objectName().startswith("qt_"):
            continue
        if widget.visibleRegion().isEmpty():  # e.g. a bottom tab behind another: nothing of it is seen
            continue
        if isinstance(widget, QLabel) and widget.text() and widget.textFormat() != Qt.TextFormat.RichText:
            tall = widget.heightForWidth(widget.width()) if widget.wordWrap() else widget.sizeHint().height()
            if widget.height() + 1 < tall:
                found.append(f"QLabel {widget.objectName()!r} {widget.text()[:40]!r}: needs {tall}px "
                             f"of height, has {widget.height()}px")
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.textFormat() != Qt.TextFormat.RichText:
            room = widget.contentsRect().width() - 2 * widget.margin()
            if _longest_word(widget) > room + 1 and not widget.property("wrapsAnywhere"):
                found.append(f"QLabel {widget.objectName()!r} {widget.text()[:40]!r}: a word needs "
                             f"{_longest_word(widget)}px, the line has {room}px")
            continue
        one_line = isinstance(widget, QLabel) and not widget.wordWrap() and "\n" not in widget.text()
        if (one_line or isinstance(widget, QAbstractButton)) and getattr(widget, "text", lambda: "")():
            need, have = widget.sizeHint().width(), widget.width()
            if need > have + 1:
                found.append(f"{type(widget).__name__} {widget.objectName()!r} "
                             f"{widget.text()[:40]!r}: needs {need}px, has {have}px")  # type: ignore[attr-defined]
    return found


def _click_row(qtbot: QtBot, view: QTableView, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VERIFYDESK_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _snap(qtbot: QtBot, window: MainWindow, shots: Path, name: str) -> None:
    wait_settled(qtbot, window)  # debounced previews and the inbox poll settle
    assert (window.width(), window.height()) == (1280, 800)
    problems = clipped(window)
    assert not problems, f"{name}: {problems}"
    path = shots / f"{name}.png"
    # A 256-colour palette, no dithering: sharp UI text at a fifth of the size of a 24-bit PNG.
    image = window.grab().toImage().convertToFormat(
        QImage.Format.Format_Indexed8,
        Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither,
    )
    assert image.save(str(path), "PNG", 0)
    assert path.stat().st_size < MAX_BYTES, f"{path} is {path.stat().st_size} bytes"


def test_main_states_fit_at_1280x800_and_are_saved_as_pictures(
    event_loop_qt: asyncio.AbstractEventLoop, qtbot: QtBot, sandbox, fresh_user, shots: Path  # type: ignore[no-untyped-def]
) -> None:
    sandbox.control.clear_faults()
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    _snap(qtbot, window, shots, "signed-out")

    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    add_metadata_row(qtbot, window, "campaign", "spring-launch")
    add_metadata_row(qtbot, window, "greeting", "Grüß Gott ☀")
    _snap(qtbot, window, shots, "signed-in")

    press_send(qtbot, window, find(window, QTableView, "metadataTable"))
    wait_result(qtbot, window, "success")
    _snap(qtbot, window, shots, "delivery")

    # The sandbox inbox: the message that was "sent"; its code verifies the email.
    window.inbox.show()
    window.inbox.raise_()
    inbox = find(window, QTableView, "inboxTable")
    qtbot.waitUntil(lambda: inbox.model().rowCount() >= 1, timeout=WAIT_MS)
    _click_row(qtbot, inbox, 0)
    click(qtbot, window, "useInboxCodeButton")
    qtbot.keyClick(find(window, QLineEdit, "codeEdit"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    _snap(qtbot, window, shots, "sandbox-inbox")

    sandbox.control.inject_fault(SEND, error_code="LimitExceededException", http_status=400,
                                 message="Attempt limit exceeded, please try after some time.")
    window.history_dock.raise_()
    press_send(qtbot, window)
    wait_result(qtbot, window, "error")
    assert not find(window, QLabel, "verifyResultLabel").isVisible()  # the earlier verify is gone
    _snap(qtbot, window, shots, "error")

    history = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: history.model().rowCount() == 3, timeout=WAIT_MS)
    _click_row(qtbot, history, 0)
    _snap(qtbot, window, shots, "history")
    sandbox.control.clear_faults()
