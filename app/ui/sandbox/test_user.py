"""The chosen sandbox test user's password (a local toy pool: shown in clear) and, for a user with an
authenticator (TOTP) secret, the code an authenticator app would show now, with its countdown."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.sandbox import totp
from app.ui.request.result_view import copy_text
from app.ui.widgets.style import Tone, mono_font, set_tone


def totp_now(secret: str, at: float | None = None) -> tuple[str, int]:
    """The current code and the seconds it stays valid."""
    moment = time.time() if at is None else at
    return totp.totp(secret, moment), totp.STEP_S - int(moment) % totp.STEP_S


class TestUserBox(QWidget):
    """Password and TOTP code of one test user, each with a copy button."""

    __test__ = False  # not a pytest class, whatever its name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sandboxTestUserBox")
        self._secret: str | None = None
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("sandboxPasswordEdit")
        self.password_edit.setAccessibleName("Test user's password")
        self.password_edit.setReadOnly(True)
        self.password_edit.setFont(mono_font())
        self.password_edit.setToolTip("The sandbox is a local toy pool: its test passwords are no secret")
        self.copy_password_button = QPushButton("Copy")
        self.copy_password_button.setObjectName("copySandboxPasswordButton")
        self.copy_password_button.setAccessibleName("Copy the test user's password")
        self.totp_label = QLabel()
        self.totp_label.setObjectName("sandboxTotpLabel")
        self.totp_label.setAccessibleName("Authenticator code")
        self.totp_label.setFont(mono_font())
        set_tone(self.totp_label, Tone.MUTED)
        self.copy_totp_button = QPushButton("Copy TOTP")
        self.copy_totp_button.setObjectName("copySandboxTotpButton")
        self.copy_totp_button.setAccessibleName("Copy the authenticator code")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Password")
        caption.setBuddy(self.password_edit)
        layout.addWidget(caption)
        layout.addWidget(self.password_edit, 1)
        layout.addWidget(self.copy_password_button)
        layout.addWidget(self.totp_label)
        layout.addWidget(self.copy_totp_button)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self.copy_password_button.clicked.connect(lambda: copy_text(self.password_edit.text()))
        self.copy_totp_button.clicked.connect(self._copy_totp)
        self.set_user(None)

    def set_user(self, user: Mapping[str, Any] | None) -> None:
        password = str((user or {}).get("password") or "")
        self.password_edit.setText(password)
        self.password_edit.setCursorPosition(0)
        self.copy_password_button.setEnabled(bool(password))
        self._secret = str(user["totp_secret"]) if user and user.get("totp_secret") else None
        for widget in (self.totp_label, self.copy_totp_button):
            widget.setVisible(self._secret is not None)
        if self._secret is None:
            self._timer.stop()
        else:
            self._tick()
            self._timer.start()

    def _tick(self) -> None:
        if self._secret is None:
            return
        code, left = totp_now(self._secret)
        self.totp_label.setText(f"TOTP {code} · {left:2d} s")
        self.totp_label.setToolTip(f"The code an authenticator app shows now; a new one in {left} s")

    def _copy_totp(self) -> None:
        if self._secret is not None:
            copy_text(totp_now(self._secret)[0])
