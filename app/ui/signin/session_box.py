"""The Session box under sign-in: who is signed in, the token's scope, a live expiry countdown,
Refresh and Sign out; and the wording of sign-in errors."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.errors import ErrorContext, ServiceError
from app.core.tokens import ADMIN_SCOPE
from app.ui.session import REFRESH_MARGIN_S, Session
from app.ui.widgets.style import Tone, selectable, set_tone


def problem_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    selectable(label)
    set_tone(label, Tone.ERROR)
    label.hide()
    return label


REMEMBER_UNAVAILABLE = "No secure keyring here, so passwords are never kept: type it at each sign-in."


def error_text(error: ServiceError, context: ErrorContext | None = None) -> str:
    return f"{error.code}: {error.message}\n{error.entry_in(context).next_step}"


def sign_in_error_text(error: ServiceError) -> str:
    """A refused sign-in, read as one (the core's rule: a wrong password is not a refused token)."""
    return error_text(error, ErrorContext(operation="sign_in"))


class SessionBox(QGroupBox):
    """The signed-in session's state; its buttons are connected by the sign-in panel."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("Session", parent)
        self.setObjectName("sessionBox")
        self.session = session
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self.who_label = QLabel()
        self.who_label.setObjectName("sessionUserLabel")
        self.who_label.setProperty("heading", True)
        self.who_label.setWordWrap(True)
        selectable(self.who_label)
        self.scope_label = QLabel()
        self.scope_label.setObjectName("sessionScopeLabel")
        self.scope_label.setWordWrap(True)
        selectable(self.scope_label)
        self.expiry_label = QLabel()
        self.expiry_label.setObjectName("sessionExpiryLabel")
        self.expiry_label.setAccessibleName("Token expiry countdown")
        self.expiry_label.setWordWrap(True)
        self.session_problem = problem_label("sessionProblemLabel")
        self.session_password_note = QLabel()
        self.session_password_note.setObjectName("sessionPasswordNoteLabel")
        self.session_password_note.setWordWrap(True)
        selectable(self.session_password_note)
        self.session_password_note.hide()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.setAccessibleName("Refresh tokens")
        self.refresh_button.setToolTip("New access token from the refresh token (REFRESH_TOKEN_AUTH)")
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setAccessibleName("Sign out")
        self.sign_out_button.setToolTip("Forget the tokens (nothing was ever written to disk)")
        session_buttons = QHBoxLayout()
        session_buttons.addStretch(1)
        session_buttons.addWidget(self.refresh_button)
        session_buttons.addWidget(self.sign_out_button)
        session_layout = QVBoxLayout(self)
        session_layout.addWidget(self.who_label)
        session_layout.addWidget(self.scope_label)
        session_layout.addWidget(self.expiry_label)
        session_layout.addWidget(self.session_problem)
        session_layout.addWidget(self.session_password_note)
        session_layout.addLayout(session_buttons)

    def show_session(self, *, refresh_enabled: bool) -> None:
        """Who is signed in, the token's scope, the expiry countdown (started here)."""
        self.show()
        self.session_problem.hide()
        self.session_password_note.hide()
        info = self.session.token_info
        who = self.session.username or (info.username if info else None) or "unknown user"
        source = "signed in" if self.session.can_refresh else "pasted access token"
        self.who_label.setText(f"{who} — {source}")
        if info is None:
            self.scope_label.setText("The token is not a JWT: its scope and expiry are unknown.")
            set_tone(self.scope_label, Tone.WARNING)
        else:
            notes = [n for n in info.warnings() if "expired" not in n]
            scopes = " ".join(info.scopes) or "(no scope claim)"
            self.scope_label.setText(f"Scope: {scopes}" + ("\n" + "\n".join(notes) if notes else ""))
            set_tone(self.scope_label, Tone.WARNING if not info.has_admin_scope or notes else Tone.NONE)
            self.scope_label.setToolTip(
                "" if info.has_admin_scope else f"Without {ADMIN_SCOPE}, Cognito refuses this call."
            )
        self.refresh_button.setEnabled(refresh_enabled)
        self._tick()
        self._countdown.start()

    def stop(self) -> None:
        self._countdown.stop()

    def _tick(self) -> None:
        if not self.session.is_signed_in:
            return
        left = self.session.seconds_left()
        text = self.session.expires_in_text()
        if left is None:
            self.expiry_label.setText("Expiry unknown")
            set_tone(self.expiry_label, Tone.MUTED)
            return
        if left <= 0:
            advice = "refresh or sign in again." if self.session.can_refresh else "paste a new one."
            self.expiry_label.setText(f"The access token has expired: {advice}")
            set_tone(self.expiry_label, Tone.ERROR)
            return
        note = ""
        if self.session.can_refresh:
            note = " · refreshes itself " + (
                "now" if left <= REFRESH_MARGIN_S else f"{int(REFRESH_MARGIN_S // 60)} min before")
        expires = time.strftime("%H:%M:%S", time.localtime(time.time() + left))
        self.expiry_label.setText(f"Expires in {text} (at {expires}){note}")
        set_tone(self.expiry_label, Tone.WARNING if left <= REFRESH_MARGIN_S else Tone.MUTED)
