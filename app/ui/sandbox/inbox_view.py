"""The sandbox's inbox as a dock: every message the local pool "delivered", newest first, with its
code, read while the dock is in view; plus the seeded test users, to sign in as one with a click.
Its widgets (`app.ui.sandbox.inbox_panel`) are built the first time it comes into view."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QWidget

from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.sandbox.inbox_panel import RESIZE_PRECISION_ROWS, InboxPanel
from app.ui.widgets.lazy import LazyPanel
from app.ui.widgets.style import Tone

if TYPE_CHECKING:
    from app.sandbox.control import SandboxControl

__all__ = ["INBOX_SHOWN", "POLL_INTERVAL_MS", "RESIZE_PRECISION_ROWS", "InboxDock"]

_log = logging.getLogger(__name__)
POLL_INTERVAL_MS = 1500
INBOX_SHOWN = 500  # newest messages fetched per refresh (a long session's inbox stays cheap to poll)


class InboxDock(QDockWidget):
    """`use_message(dict)`: Use code on the selected (or newest) message, whose attribute and
    purpose say where its code goes; `use_user(username, password)` the sign-in form."""

    use_message = Signal(object)
    use_user = Signal(str, str)

    def __init__(self, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__("Sandbox inbox", parent)
        self.setObjectName("inboxDock")
        self.setAccessibleName("Sandbox inbox")
        self._tasks = tasks
        self.control: SandboxControl | None = None
        self._polling = False
        self._users: list[dict[str, Any]] = []
        self._holder = LazyPanel(self._make_panel, "inboxHolder")
        self.setWidget(self._holder)
        self._holder.follow(self)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self.refresh)
        self.visibilityChanged.connect(self._visibility_changed)

    def _make_panel(self) -> QWidget:
        panel = InboxPanel()
        panel.use_message.connect(self.use_message)
        panel.use_user.connect(self.use_user)
        panel.refresh_requested.connect(self.refresh)
        panel.show_source(self.control.endpoint_url if self.control is not None else None)
        panel.set_users(self._users)
        return panel

    @property
    def view(self) -> InboxPanel:
        """The dock's widgets, built now if they were not yet."""
        panel = self._holder.panel()
        assert isinstance(panel, InboxPanel)
        return panel

    # --- source ---------------------------------------------------------------------------
    def set_control(self, control: SandboxControl | None, users: list[dict[str, Any]] | None = None) -> None:
        old = self.control
        same = control is not None and old is not None and control.endpoint_url == old.endpoint_url
        self.control = control
        self.set_users(list(users or []))
        if same:  # the same pool again (Start sandbox pool twice): keep the rows and the choices
            self.refresh()
            return
        if self._holder.is_built:
            self.view.show_source(control.endpoint_url if control is not None else None)
            self.view.update_buttons()
        if control is None:
            self._timer.stop()
        else:
            self._visibility_changed(self.isVisible())

    def set_users(self, users: list[dict[str, Any]]) -> None:
        """The seeded test users (the panel keeps the chosen one chosen)."""
        self._users = users
        if self._holder.is_built:
            self.view.set_users(users)

    def refresh_users(self) -> None:
        """Read the test users again (after a sign-in changed a password or set up an authenticator)."""
        if self.control is not None:
            self._tasks.spawn(self._read_users(self.control), name="inbox-users")

    async def _read_users(self, control: SandboxControl) -> None:
        try:
            info = await run_blocking(control.info)
        except Exception as error:  # the poll says the sandbox is gone
            _log.info("Could not read the sandbox's users: %s", error)
            return
        if control is self.control:
            self.set_users(list(info.users))

    def _visibility_changed(self, visible: bool) -> None:
        if visible and self.control is not None:
            self._timer.start()
            self.refresh()  # what arrived while it was hidden
        else:
            self._timer.stop()

    def refresh(self) -> None:
        """Read the inbox again now if the dock is in view; otherwise when it next comes into view
        (a send refreshes it: a hidden dock does not fetch and lay out its newest messages each time)."""
        if self.control is None or self._polling or not self.isVisible():
            return
        self._polling = True
        self._tasks.spawn(self._poll(self.control), name="inbox-poll")

    async def _poll(self, control: SandboxControl) -> None:
        try:
            messages = await run_blocking(control.inbox, None, INBOX_SHOWN)
        except Exception as error:  # the sandbox may have stopped: say so, keep polling
            if control is self.control:
                self.view.show_status(f"Inbox unavailable: {error}", Tone.WARNING)
            return
        finally:
            self._polling = False
        if control is not self.control:
            return
        shown = f"the newest {INBOX_SHOWN}" if len(messages) >= INBOX_SHOWN else f"{len(messages)} message(s)"
        self.view.show_status(f"Sandbox at {control.endpoint_url} · {shown}")
        self.view.show_messages(messages)
