"""The status bar's message line (Qt only: it is part of the first frame)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


class StatusLine(QLabel):
    """The status bar's message. A prompt (e.g. to send a loaded attempt) is cleared by
    `clear_prompt` only while no other message has replaced it."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.prompting = False

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self.prompting = False
        super().setText(text)

    def show_prompt(self, text: str) -> None:
        self.setText(text)
        self.prompting = True

    def clear_prompt(self) -> None:
        if self.prompting:
            self.clear()
        self.prompting = False
