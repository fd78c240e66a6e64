"""The inbox's test-user row shows its "Test user" label whole: the final r is not clipped by the
label's edge beside the combo."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from support.window_driver import open_window, save_sandbox_profile

pytestmark = pytest.mark.gui


def _ink_columns(label: QLabel) -> list[int]:
    """The x of every pixel column of the label's picture that holds text ink (dark pixels)."""
    image = label.grab().toImage()
    background = label.palette().window().color().lightness()
    return [x for x in range(image.width())
            if any(background - image.pixelColor(x, y).lightness() > 60 for y in range(image.height()))]


def test_the_test_user_label_is_not_cut_by_the_combo_beside_it(
    event_loop_qt: asyncio.AbstractEventLoop, qtbot: QtBot, sandbox: Any
) -> None:
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    window.inbox.show()
    window.inbox.raise_()
    qtbot.waitUntil(lambda: not window.inbox.visibleRegion().isEmpty())
    label = next(found for found in window.inbox.findChildren(QLabel) if found.buddy() is window.inbox.view.users_combo)
    ink = _ink_columns(label)
    assert ink, "the label shows its text"
    assert max(ink) < label.width() - 1, f"the text's ink reaches the label's edge: {max(ink)} of {label.width()}"
    combo = window.inbox.view.users_combo
    assert label.geometry().right() < combo.geometry().left()
