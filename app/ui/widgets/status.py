"""The banner at the top of the window: failures of background work, recovered files, notices.

Never a modal box: a banner the tester can read, copy and dismiss, while the window keeps working.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.errors import ErrorContext, ServiceError
from app.core.redaction import redact
from app.ui.widgets.style import Tone, selectable, set_tone

_log = logging.getLogger(__name__)


class Banner(QFrame):
    """A dismissable message line; `show_message` replaces the current one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bannerFrame")
        self.setProperty("banner", True)
        self.setAccessibleName("Notice")
        self.topic: str | None = None
        self.label = QLabel(self)
        self.label.setObjectName("bannerLabel")
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Notice text")
        selectable(self.label)
        self.dismiss_button = QPushButton("Dismiss", self)
        self.dismiss_button.setObjectName("bannerDismissButton")
        self.dismiss_button.setAccessibleName("Dismiss notice")
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, tone: Tone = Tone.ERROR, *, topic: str | None = None) -> None:
        """Show `text`; a `topic` (e.g. "sandbox") lets `clear(topic)` take it away once its cause
        is gone."""
        self.topic = topic
        self.label.setText(redact(text))
        set_tone(self, tone)
        self.show()

    def clear(self, *topics: str) -> None:
        """Hide the message if it is about one of `topics` (a later call succeeded)."""
        if self.isVisible() and self.topic is not None and self.topic in topics:
            self.hide()
            self.label.clear()
            self.topic = None

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


def describe_failure(
    error: BaseException, doing: str | None = None, context: ErrorContext | None = None
) -> str:
    """One readable line for a failed background task (no traceback: that goes to the log); a
    `context` fits the catalogue's advice to where the error was met."""
    prefix = f"{doing} failed: " if doing else ""
    if isinstance(error, ServiceError):
        return f"{prefix}{error.code}: {error.message}. {error.entry_in(context).next_step}"
    return (f"{prefix}{type(error).__name__}: {error}. "
            "The details are in the log file (Help → Open log folder).")
