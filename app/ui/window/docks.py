"""The bottom area: History, the sandbox inbox and add-on panels as tabbed docks, and the toggles
that bring a dock forward rather than hide it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QMainWindow,
    QMenu,
    QScrollArea,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

DOCK_HEIGHT = 235


class BottomDocks:
    """The main window's bottom docks: History first, the inbox beside it, then add-on tabs."""

    def __init__(self, window: QMainWindow, history_view: QWidget, inbox: QDockWidget) -> None:
        self.window = window
        self.history_dock = QDockWidget("History", window)
        self.history_dock.setObjectName("historyDock")
        feature = QDockWidget.DockWidgetFeature
        self.history_dock.setFeatures(feature.DockWidgetMovable | feature.DockWidgetFloatable)
        frame = QWidget()
        frame.setObjectName("historyFrame")
        frame_layout = QVBoxLayout(frame)
        frame_layout.setContentsMargins(6, 0, 6, 4)
        frame_layout.addWidget(history_view)
        self.history_dock.setWidget(frame)
        self.inbox = inbox
        self.extra: list[QDockWidget] = []
        window.setDockNestingEnabled(True)
        self.dock_bottom()
        inbox.hide()

    def dock_bottom(self) -> None:
        """History and the inbox docked at the bottom as tabs (both want the full width)."""
        window = self.window
        for dock in (self.history_dock, self.inbox):
            dock.setFloating(False)
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        window.tabifyDockWidget(self.history_dock, self.inbox)
        window.resizeDocks([self.history_dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)
        self.name_tab_bars()
        QTimer.singleShot(0, self.name_tab_bars)  # Qt may make the bar when it next lays out

    def name_tab_bars(self) -> None:
        """Qt creates the bars of tabbed docks unnamed, when docks are tabified or a state is
        restored: give each a stable objectName and an accessible name."""
        bars = [bar for bar in self.window.findChildren(QTabBar) if bar.parentWidget() is self.window]
        for index, bar in enumerate(bars):
            bar.setObjectName("bottomTabBar" if index == 0 else f"dockTabBar{index + 1}")
            bar.setAccessibleName("Bottom panels" if index == 0 else f"Docked panels {index + 1}")
            bar.setAccessibleDescription("History, the sandbox inbox and the trigger tools; "
                                         "Ctrl+H and Ctrl+I bring History and the inbox forward")

    def fit(self) -> None:
        """The bottom tabs at their default height (set before the window had its size, Qt gives
        them whatever the central area does not claim)."""
        docks = [d for d in (self.history_dock, self.inbox, *self.extra) if not d.isFloating()]
        self.window.resizeDocks(docks, [DOCK_HEIGHT] * len(docks), Qt.Orientation.Vertical)

    def reset(self) -> None:
        inbox_visible = self.inbox.isVisible()
        self.dock_bottom()
        self.inbox.setVisible(inbox_visible)
        for dock in self.extra:
            dock.setFloating(False)
            self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.window.tabifyDockWidget(self.history_dock, dock)
        self.history_dock.raise_()

    def toggle_action(self, dock: QDockWidget) -> QAction:
        """The dock's toggle action, changed so that a dock behind another bottom tab is brought
        forward rather than hidden (Qt's toggle hides it: the tester sees nothing happen)."""
        action = dock.toggleViewAction()
        action.triggered.disconnect()  # Qt's own hide/show toggle
        action.triggered.connect(lambda _checked=False: self.toggle(dock))
        return action

    def toggle(self, dock: QDockWidget) -> None:
        """Hide the dock when it is the tab in front; else show it, bring it forward, focus it."""
        in_front = dock.isVisible() and not dock.visibleRegion().isEmpty()
        if in_front:
            dock.hide()
        else:
            bring_forward(dock)
        dock.toggleViewAction().setChecked(not dock.isHidden())

    def add_tab(self, widget: QWidget, title: str, name: str, view_menu: QMenu) -> QDockWidget:
        """Add a panel as a tab beside History; `name` is its dock's objectName (stable, so the
        layout is restored)."""
        window = self.window
        dock = QDockWidget(title, window)
        dock.setObjectName(name)
        feature = QDockWidget.DockWidgetFeature
        dock.setFeatures(feature.DockWidgetMovable | feature.DockWidgetFloatable | feature.DockWidgetClosable)
        dock.setWidget(_scrolling(widget, name))
        self.extra.append(dock)
        view_menu.addAction(self.toggle_action(dock))
        # Where the tester left it last time, if the restored window state has it; else beside History.
        if not window.restoreDockWidget(dock):
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            window.tabifyDockWidget(self.history_dock, dock)
            dock.show()
        self.history_dock.raise_()
        # Added to a window already on screen (the launcher builds the panels after the first paint),
        # the tab bar catches up at the next layout and keeps the newest tab in front: raise again then.
        QTimer.singleShot(0, self.history_dock.raise_)
        self.name_tab_bars()
        return dock


def _scrolling(widget: QWidget, name: str) -> QScrollArea:
    """The panel in a scroll area: the tab takes the room it is given and scrolls inside it, so
    a panel's minimum (its form row, a message that appeared) never widens the window nor takes
    height from the request column."""
    scroll = QScrollArea()
    scroll.setObjectName(f"{name}Scroll")
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    scroll.setWidget(widget)
    return scroll


def bring_forward(dock: QDockWidget) -> None:
    """Show the dock as the tab in front, with the keyboard focus on its first control."""
    dock.show()
    dock.raise_()
    for widget in dock.widget().findChildren(QWidget):
        if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible()
                and widget.isEnabled() and not widget.objectName().startswith("qt_")):
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
