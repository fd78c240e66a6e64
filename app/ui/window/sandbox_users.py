"""Sign-in form glue for the sandbox's test users: fill in the first user, or sign in as a chosen one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.ui.session import Session
from app.ui.signin.sign_in_panel import SignInPanel


def prefill_first_user(session: Session, sign_in: SignInPanel, users: list[Any]) -> None:
    """Put the pool's first test user in an empty sign-in form (when signed out), focus the password."""
    if session.is_signed_in or not users or sign_in.username_edit.text():
        return
    sign_in.username_edit.setText(str(users[0].get("username", "")))
    sign_in.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)


def sign_in_as(session: Session, sign_in: SignInPanel, username: str, password: str) -> None:
    """Sign out, fill the form with a test user's username and password, and focus Sign in."""
    if session.is_signed_in:
        session.sign_out()
    sign_in.username_edit.setText(username)
    sign_in.password_edit.setText(password)
    sign_in.sign_in_button.setFocus(Qt.FocusReason.OtherFocusReason)
