"""The one push-button factory: object name, accessible name, tooltip and slot in one call."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton, QWidget


def make_button(
    name: str,
    text: str,
    accessible: str,
    *,
    tip: str | None = None,
    slot: Callable[[], object] | None = None,
    parent: QWidget | None = None,
    auto_default: bool | None = None,
) -> QPushButton:
    """A QPushButton named `name` (stable objectName) with `accessible` as its accessible name."""
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    if tip is not None:
        button.setToolTip(tip)
    if auto_default is not None:
        button.setAutoDefault(auto_default)
    if slot is not None:
        button.clicked.connect(lambda _checked=False: slot())
    return button
