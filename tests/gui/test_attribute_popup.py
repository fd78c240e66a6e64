"""The attribute picker's popup is wide enough for every column: the Status ("not verified") is never
cut, however long the values beside it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.core.calls import UserAttribute, UserProfile
from app.ui.request.attribute_picker import AttributePicker

pytestmark = pytest.mark.gui


def test_the_popup_shows_every_column_whole_including_not_verified(qtbot: QtBot) -> None:
    picker = AttributePicker()
    qtbot.addWidget(picker)
    picker.resize(360, 40)
    picker.show()
    qtbot.waitExposed(picker)
    picker.set_user(UserProfile("someone", (
        UserAttribute("email", "a-rather-long-address-for-the-qa-desk@subdomain.example.com", False),
        UserAttribute("phone_number", "+15555550100", True),
        UserAttribute("custom:department", "Quality assurance and verification"),
    )))
    picker.combo.showPopup()
    view = picker.combo.view()
    assert isinstance(view, QTableView)
    qtbot.waitUntil(view.isVisible)
    header = view.horizontalHeader()
    for column in range(view.model().columnCount()):
        needed = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
        right = header.sectionViewportPosition(column) + needed
        assert right <= view.viewport().width(), (column, right, view.viewport().width())
    picker.combo.hidePopup()
