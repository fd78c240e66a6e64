"""The menu bar as a table: each row is a menu, a text with its mnemonic, a stable objectName,
the slot and the shortcuts. `install` creates the actions in that order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from app.ui.widgets.style import Theme

MENU_TITLES = ("&File", "&Session", "Re&quest", "Sand&box", "&View", "&Help")
SEPARATOR = "-"
Shortcut = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionRow:
    """One menu entry; `name` "-" is a separator; `action` an existing action to add instead."""

    menu: str
    text: str = ""
    name: str = SEPARATOR
    slot: Callable[[], object] | None = None
    shortcuts: Sequence[Shortcut] = ()
    role: QAction.MenuRole | None = None
    action: QAction | None = None


def make_action(owner: QObject, row: ActionRow) -> QAction:
    action = QAction(row.text, owner)
    action.setObjectName(row.name)
    if row.shortcuts:
        action.setShortcuts([QKeySequence(key) for key in row.shortcuts])
    if row.role is not None:
        action.setMenuRole(row.role)
    slot = row.slot
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action


def install(owner: QObject, menus: dict[str, QMenu], rows: Sequence[ActionRow]) -> dict[str, QAction]:
    """Add the rows' actions to their menus; returns them by objectName."""
    actions: dict[str, QAction] = {}
    for row in rows:
        menu = menus[row.menu]
        if row.action is not None:
            menu.addAction(row.action)
            actions[row.action.objectName()] = row.action
        elif row.name == SEPARATOR:
            menu.addSeparator()
        else:
            actions[row.name] = make_action(owner, row)
            menu.addAction(actions[row.name])
    return actions


def theme_menu(
    owner: QObject, view_menu: QMenu, choose: Callable[[Theme], None]
) -> tuple[QActionGroup, dict[Theme, QAction]]:
    """View → Theme: System, Light, Dark as exclusive choices."""
    menu = view_menu.addMenu("&Theme")
    group = QActionGroup(owner)
    actions: dict[Theme, QAction] = {}
    for theme, label in ((Theme.SYSTEM, "&System"), (Theme.LIGHT, "&Light"), (Theme.DARK, "&Dark")):
        action = QAction(label, owner, checkable=True)
        action.setObjectName(f"theme{theme.value.title()}Action")
        action.triggered.connect(lambda _checked=False, t=theme: choose(t))
        group.addAction(action)
        menu.addAction(action)
        actions[theme] = action
    return group, actions
