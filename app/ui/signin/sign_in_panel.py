"""Sign in (SRP or plain password, challenges answered in place) or paste an access token; then
see who is signed in, the token's scope and a live expiry countdown, with Refresh and Sign out.

The "Remember password in the OS keyring" box lives here; what it stores and where is decided by
`app.ui.signin.password_memory`, which fills the form and hears of accepted passwords through signals."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QVBoxLayout,
    QWidget,
)

from app.core.auth import AuthFlow, Challenge, SignInInputError, SignInStep
from app.core.errors import ErrorContext, ServiceError
from app.core.field_rules import access_token_problem
from app.ui.async_tools import TaskKeeper
from app.ui.session import Session
from app.ui.signin.challenge_form import ChallengeForm
from app.ui.signin.credentials import CredentialsBox
from app.ui.signin.session_box import (
    REMEMBER_UNAVAILABLE,
    SessionBox,
    error_text,
    sign_in_error_text,
)
from app.ui.widgets.scrolling import reveal
from app.ui.widgets.style import Tone, set_tone

_log = logging.getLogger(__name__)


class SignInPanel(QWidget):
    """Credentials, pasted token, challenge form and the session's state."""

    signed_in_as = Signal(str)  # a password sign-in succeeded for this username
    # ...with this password (the new one after NEW_PASSWORD_REQUIRED): (username, password)
    password_accepted = Signal(str, str)
    remember_changed = Signal(bool)  # the tester ticked or unticked "Remember password"
    forget_password_requested = Signal()  # "Forget remembered password" after a rejection
    signed_out_by_user = Signal()  # Sign out (button or menu), not the window closing

    def __init__(self, session: Session, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInPanel")
        self.session = session
        self._tasks = tasks
        self._busy = False
        self._attempt_password: str | None = None  # the password of the sign-in under way
        self._remembered: tuple[str, str] | None = None  # (username, password) filled from the keyring
        self._note = ""  # the remember-password note shown
        self.credentials = CredentialsBox()
        c = self.credentials
        self.username_edit, self.password_edit = c.username_edit, c.password_edit
        self.flow_combo, self.sign_in_button = c.flow_combo, c.sign_in_button
        self.sign_in_problem = c.sign_in_problem
        self.token_edit, self.use_token_button = c.token_edit, c.use_token_button
        self.token_problem = c.token_problem
        self.remember_check, self.remember_note = c.remember_check, c.remember_note
        self.forget_password_button = c.forget_password_button
        self.set_remember_available(False)
        self.challenge_form = ChallengeForm()
        self.session_box = SessionBox(session)
        box = self.session_box
        self.who_label, self.scope_label, self.expiry_label = box.who_label, box.scope_label, box.expiry_label
        self.session_problem, self.session_password_note = box.session_problem, box.session_password_note
        self.refresh_button, self.sign_out_button = box.refresh_button, box.sign_out_button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.credentials)
        layout.addWidget(self.challenge_form)
        layout.addWidget(self.session_box)
        self._connect()
        self._show_signed_out()

    def _connect(self) -> None:
        session = self.session
        self.sign_in_button.clicked.connect(self.start_sign_in)
        self.password_edit.returnPressed.connect(self.start_sign_in)
        self.username_edit.returnPressed.connect(self.password_edit.setFocus)
        self.username_edit.textEdited.connect(self._username_edited)
        self.remember_check.clicked.connect(self._remember_clicked)
        self.forget_password_button.clicked.connect(self._forget_clicked)
        self.token_edit.returnPressed.connect(self.use_token)
        self.use_token_button.clicked.connect(self.use_token)
        self.challenge_form.answered.connect(self._answer)
        self.challenge_form.cancelled.connect(self._cancel_challenge)
        self.refresh_button.clicked.connect(self.start_refresh)
        self.sign_out_button.clicked.connect(self.sign_out)
        session.signed_in.connect(self._show_session)
        session.signed_out.connect(self._show_signed_out)
        session.failed.connect(self._background_failed)
        session.connection_changed.connect(self._connection_changed)

    # --- state ---------------------------------------------------------------------------------
    def set_flow(self, flow: str) -> None:
        index = self.flow_combo.findData(flow)
        if index >= 0:
            self.flow_combo.setCurrentIndex(index)

    def flow(self) -> AuthFlow:
        return AuthFlow(str(self.flow_combo.currentData()))

    # --- remembered password ---------------------------------------------------------------------
    def set_remember_available(self, available: bool, *, where: str = "", reason: str | None = None) -> None:
        """Enable the box when a secure keyring (`where`) exists; else disable it and say why."""
        check = self.remember_check
        check.setEnabled(available)
        if available:
            tip = (f"After a successful sign-in the password is kept in {where} for this profile "
                   "(never in a file) and filled in next time. Untick to remove it at once.")
            if self._note == REMEMBER_UNAVAILABLE:
                self.show_remember_note("")
        else:
            check.setChecked(False)
            tip = "No secure keyring: passwords are never kept." + (f"\n\n{reason}" if reason else "")
            self.show_remember_note(REMEMBER_UNAVAILABLE, Tone.MUTED)
            self.remember_note.setToolTip(tip)
        check.setToolTip(tip)
        check.setAccessibleDescription(tip)

    def set_remember_checked(self, checked: bool) -> None:
        self.remember_check.setChecked(checked and self.remember_check.isEnabled())

    def show_remember_note(self, text: str, tone: Tone = Tone.MUTED) -> None:
        """A line under the box: where the password went, or why it was not kept. Empty hides it.
        Once signed in (the form is hidden), the session box shows it."""
        self._note = text
        labels = [self.remember_note]
        if self.session.is_signed_in:
            labels.append(self.session_password_note)
        for label in labels:
            label.setText(text)
            label.setToolTip("")
            label.setVisible(bool(text))
            set_tone(label, tone)

    def fill_remembered(self, username: str | None, password: str) -> None:
        """Fill the form from the keyring (masked) so Enter signs in."""
        if username:
            self.username_edit.setText(username)
        self.password_edit.setText(password)
        self._remembered = (self.username_edit.text().strip(), password)
        self.forget_password_button.hide()
        focus = QApplication.focusWidget()
        if focus is None or focus is self.username_edit:
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def drop_remembered(self) -> None:
        """The remembered password is gone (forgotten, other profile): empty the field if it is
        still the one filled in."""
        if self._remembered is not None and self.password_edit.text() == self._remembered[1]:
            self.password_edit.clear()
        self._remembered = None
        self.forget_password_button.hide()

    def password_forgotten(self, note: str) -> None:
        """After "Forget remembered password": box unticked, field emptied, ready to type."""
        self.drop_remembered()
        self.remember_check.setChecked(False)
        self.sign_in_problem.hide()
        self.show_remember_note(note)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remember_clicked(self) -> None:
        self.remember_changed.emit(self.remember_check.isChecked())

    def _forget_clicked(self) -> None:
        self.forget_password_requested.emit()

    def _username_edited(self, text: str) -> None:
        # A remembered password belongs to one user: typing another name takes it out of the field.
        remembered = self._remembered
        if remembered is not None and text.strip() != remembered[0]:
            self.drop_remembered()
            self.show_remember_note(
                f"The remembered password is {remembered[0]}'s: type this user's password.")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.sign_in_button, self.use_token_button, self.refresh_button):
            widget.setEnabled(not busy)
        self.sign_in_button.setText("Signing in…" if busy else "Sign in")
        self.challenge_form.set_busy(busy)

    def _connection_changed(self) -> None:
        self.sign_in_problem.hide()

    def _show_signed_out(self) -> None:
        self.session_box.stop()
        self.credentials.show()
        self.session_box.hide()
        self.challenge_form.clear()

    def _show_session(self) -> None:
        self.challenge_form.clear()
        self.credentials.hide()
        self.password_edit.clear()
        self.token_edit.clear()
        self.session_box.show_session(refresh_enabled=self.session.can_refresh and not self._busy)

    # --- actions ------------------------------------------------------------------------------
    def start_sign_in(self) -> None:
        if self._busy:
            return
        self.sign_in_problem.hide()
        self._tasks.spawn(self._sign_in(), name="sign-in")

    async def _sign_in(self) -> None:
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username:
            self._show_sign_in_problem("Enter a username.", self.username_edit)
            return
        if not password:
            self._show_sign_in_problem("Enter the password.", self.password_edit)
            return
        remembered = self._remembered == (username, password)
        self.forget_password_button.hide()
        self._set_busy(True)
        self._attempt_password = password
        try:
            step = await self.session.sign_in(username, password, self.flow())
        except SignInInputError as error:
            self._attempt_password = None
            target = {"username": self.username_edit, "password": self.password_edit}.get(error.field)
            self._show_sign_in_problem(error.message, target)
            return
        except ServiceError as error:
            self._attempt_password = None
            if remembered and error.code == "NotAuthorizedException":
                self._show_remembered_rejected(username, error)
            else:
                self._show_sign_in_problem(sign_in_error_text(error), self.password_edit)
            return
        finally:
            self._set_busy(False)
        self._after_step(step, username)

    def _show_sign_in_problem(self, message: str, field: QWidget | None = None) -> None:
        self.sign_in_problem.setText(message)
        self.sign_in_problem.show()
        if field is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)
        reveal(self.sign_in_problem)

    def _show_remembered_rejected(self, username: str, error: ServiceError) -> None:
        """Cognito refused the password filled in from the keyring: say so, keep it stored, and
        offer to forget it."""
        self._show_sign_in_problem(
            f"The remembered password for {username} was rejected — {error.code}: {error.message}\n"
            "It is still in the keyring. Type the current password and sign in (with the box ticked "
            "it replaces the remembered one), or forget it.",
            self.password_edit,
        )
        self.password_edit.selectAll()
        self.forget_password_button.show()

    def _after_step(self, step: SignInStep, username: str) -> None:
        if isinstance(step, Challenge):
            self.credentials.setEnabled(False)
            self.challenge_form.show_challenge(step)
            return
        self.credentials.setEnabled(True)
        self._remembered = None  # the field was emptied once signed in
        self.forget_password_button.hide()
        self.signed_in_as.emit(username)
        password, self._attempt_password = self._attempt_password, None
        if password:
            self.password_accepted.emit(username, password)

    def _answer(self, answers: dict[str, str]) -> None:
        challenge = self.challenge_form.challenge
        if challenge is None or self._busy:
            return
        self._tasks.spawn(self._answer_async(challenge, answers), name="challenge")

    async def _answer_async(self, challenge: Challenge, answers: dict[str, str]) -> None:
        self._set_busy(True)
        if answers.get("NEW_PASSWORD"):
            self._attempt_password = answers["NEW_PASSWORD"]  # the old one no longer works
        try:
            step = await self.session.answer(challenge, answers)
        except ServiceError as error:
            context = ErrorContext(operation="sign_in", challenge=challenge.name)
            self.challenge_form.show_problem(error_text(error, context))
            return
        finally:
            self._set_busy(False)
        self._after_step(step, self.username_edit.text().strip() or challenge.username)

    def _cancel_challenge(self) -> None:
        self._attempt_password = None
        self.challenge_form.clear()
        self.credentials.setEnabled(True)
        self.password_edit.setFocus()

    def use_token(self) -> None:
        token = self.token_edit.text().strip()
        self.token_problem.hide()
        problem = access_token_problem(token)
        if problem:
            self.token_problem.setText(problem)
            self.token_problem.show()
            self.token_edit.setFocus()
            reveal(self.token_problem)
            return
        self.session.use_access_token(token)

    def start_refresh(self) -> None:
        if self._busy or not self.session.can_refresh:
            return
        self._tasks.spawn(self._refresh(), name="refresh")

    async def _refresh(self) -> None:
        self._set_busy(True)
        self.session_problem.hide()
        try:
            await self.session.refresh()
        except (ServiceError, SignInInputError) as error:
            self._background_failed(error)
        finally:
            self._set_busy(False)

    def _background_failed(self, error: object) -> None:
        if isinstance(error, ServiceError):
            advice = error_text(error, ErrorContext("refresh"))
            text = f"Refreshing failed — {advice}"
        else:
            text = f"Refreshing failed: {error}"
        self.session_problem.setText(text)
        self.session_problem.show()

    def sign_out(self) -> None:
        """Forget the tokens (a remembered password stays in the keyring)."""
        self.session.sign_out()
        self.username_edit.setFocus()
        self.signed_out_by_user.emit()
