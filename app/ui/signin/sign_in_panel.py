"""Sign in (SRP or plain password, challenges answered in place) or paste an access token; then
see who is signed in, the token's scope and a live expiry countdown, with Refresh and Sign out.

The "Remember password in the OS keyring" box lives here; what it stores and where is decided by
`app.ui.signin.password_memory`, which fills the form and hears of accepted passwords through signals."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.auth import AuthFlow, Challenge, SignInInputError, SignInStep
from app.core.errors import ErrorContext, ServiceError
from app.core.tokens import ADMIN_SCOPE
from app.core.validation import access_token_problem
from app.ui.async_tools import TaskKeeper
from app.ui.session import REFRESH_MARGIN_S, Session
from app.ui.signin.challenge_form import ChallengeForm
from app.ui.widgets.scrolling import reveal
from app.ui.widgets.style import Tone, selectable, set_tone

_log = logging.getLogger(__name__)


def _problem_label(name: str) -> QLabel:
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
        self._build_credentials()
        self.challenge_form = ChallengeForm()
        self._build_session()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.credentials)
        layout.addWidget(self.challenge_form)
        layout.addWidget(self.session_box)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._connect()
        self._show_signed_out()

    def _build_credentials(self) -> None:
        self.credentials = QGroupBox("Sign in")
        self.credentials.setObjectName("credentialsBox")
        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("usernameEdit")
        self.username_edit.setAccessibleName("Username")
        self.username_edit.setPlaceholderText("username, email or phone")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.flow_combo = QComboBox()
        self.flow_combo.setObjectName("authFlowCombo")
        self.flow_combo.setAccessibleName("Sign-in flow")
        # Short enough for the sign-in column at 1280×800; the full names are in the tooltips.
        self.flow_combo.addItem("SRP", AuthFlow.USER_SRP_AUTH.value)
        self.flow_combo.addItem("Plain password", AuthFlow.USER_PASSWORD_AUTH.value)
        self.flow_combo.setItemData(0, "USER_SRP_AUTH: the password never leaves this computer",
                                    Qt.ItemDataRole.ToolTipRole)
        self.flow_combo.setItemData(1, "USER_PASSWORD_AUTH: the password is sent (over TLS); "
                                    "the app client must allow it", Qt.ItemDataRole.ToolTipRole)
        self.flow_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.flow_combo.setMinimumContentsLength(12)
        self.flow_combo.setToolTip(
            "SRP never sends the password; USER_PASSWORD_AUTH must be enabled on the app client.")
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_problem = _problem_label("signInProblemLabel")
        self._build_remember()
        form = QFormLayout()
        form.addRow(self._buddy("&Username", self.username_edit), self.username_edit)
        form.addRow(self._buddy("Pass&word", self.password_edit), self.password_edit)
        form.addRow(self._buddy("F&low", self.flow_combo), self.flow_combo)
        button_row = QHBoxLayout()
        button_row.addWidget(self.forget_password_button)
        button_row.addStretch(1)
        button_row.addWidget(self.sign_in_button)

        token_row = self._build_token_row()

        cred_layout = QVBoxLayout(self.credentials)
        cred_layout.addLayout(form)
        cred_layout.addWidget(self.remember_check)
        cred_layout.addWidget(self.remember_note)
        cred_layout.addWidget(self.sign_in_problem)
        cred_layout.addLayout(button_row)
        cred_layout.addLayout(token_row)
        cred_layout.addWidget(self.token_problem)

    def _build_token_row(self) -> QHBoxLayout:
        self.token_edit = QLineEdit()
        self.token_edit.setObjectName("accessTokenEdit")
        self.token_edit.setAccessibleName("Access token")
        self.token_edit.setPlaceholderText("or paste an access token")
        self.token_edit.setToolTip("An access token (eyJ…), e.g. from another tool's sign-in")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.use_token_button = QPushButton("Use token")
        self.use_token_button.setObjectName("useTokenButton")
        self.use_token_button.setAccessibleName("Use the pasted access token")
        self.token_problem = _problem_label("accessTokenProblemLabel")
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.use_token_button)
        return token_row

    def _build_remember(self) -> None:
        self.remember_check = QCheckBox("Remember password in the OS &keyring")
        self.remember_check.setObjectName("rememberPasswordCheck")
        self.remember_check.setAccessibleName("Remember password in the OS keyring")
        self.remember_note = QLabel()
        self.remember_note.setObjectName("rememberPasswordNoteLabel")
        self.remember_note.setWordWrap(True)
        selectable(self.remember_note)
        self.remember_note.hide()
        self.forget_password_button = QPushButton("Forget remembered password")
        self.forget_password_button.setObjectName("forgetPasswordButton")
        self.forget_password_button.setAccessibleName("Forget the remembered password")
        self.forget_password_button.setToolTip("Remove this profile's password from the OS keyring")
        self.forget_password_button.hide()
        self.set_remember_available(False)

    def _build_session(self) -> None:
        self.session_box = QGroupBox("Session")
        self.session_box.setObjectName("sessionBox")
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
        self.session_problem = _problem_label("sessionProblemLabel")
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
        session_layout = QVBoxLayout(self.session_box)
        session_layout.addWidget(self.who_label)
        session_layout.addWidget(self.scope_label)
        session_layout.addWidget(self.expiry_label)
        session_layout.addWidget(self.session_problem)
        session_layout.addWidget(self.session_password_note)
        session_layout.addLayout(session_buttons)

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

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

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
            if self.remember_note.text() == REMEMBER_UNAVAILABLE:
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
        self._countdown.stop()
        self.credentials.show()
        self.session_box.hide()
        self.challenge_form.clear()

    def _show_session(self) -> None:
        self.challenge_form.clear()
        self.credentials.hide()
        self.session_box.show()
        self.session_problem.hide()
        self.session_password_note.hide()
        self.password_edit.clear()
        self.token_edit.clear()
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
        self.refresh_button.setEnabled(self.session.can_refresh and not self._busy)
        self._tick()
        self._countdown.start()

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
