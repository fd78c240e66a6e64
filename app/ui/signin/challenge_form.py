"""Answer a sign-in challenge in place: new password (+ required attributes), codes, MFA choice.

A challenge VerifyDesk has no form for is shown by name with its parameters, and can still be
answered with `KEY=VALUE` lines.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.auth import (
    Challenge,
    ChallengeName,
    code_answers,
    mfa_choice_answers,
    new_password_answers,
)
from app.core.validation import MetadataImportError, parse_metadata_assignments
from app.ui.widgets.scrolling import reveal
from app.ui.widgets.style import Tone, selectable, set_tone

_TITLES = {
    ChallengeName.NEW_PASSWORD_REQUIRED: "A new password is required",
    ChallengeName.SMS_MFA: "Enter the code sent by SMS",
    ChallengeName.SOFTWARE_TOKEN_MFA: "Enter the code from your authenticator app",
    ChallengeName.EMAIL_OTP: "Enter the code sent by email",
    ChallengeName.SELECT_MFA_TYPE: "Choose how to receive your sign-in code",
    ChallengeName.CUSTOM_CHALLENGE: "Answer the custom challenge",
}
_MFA_LABELS = {
    "SMS_MFA": "SMS message",
    "SOFTWARE_TOKEN_MFA": "Authenticator app (TOTP)",
    "EMAIL_OTP": "Email",
}
_HIDDEN_PARAMETERS = {"USER_ID_FOR_SRP", "USERNAME", "userAttributes", "requiredAttributes"}


class ChallengeForm(QGroupBox):
    """The form for one challenge; `answered(dict)` carries the answers, `cancelled` gives up."""

    answered = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Challenge", parent)
        self.setObjectName("challengeForm")
        self.challenge: Challenge | None = None
        self._attribute_edits: dict[str, QLineEdit] = {}
        self._body: QWidget | None = None
        self.title_label = QLabel()
        self.title_label.setObjectName("challengeTitleLabel")
        self.title_label.setProperty("heading", True)
        self.title_label.setWordWrap(True)
        self.challenge_name = QLabel()
        self.challenge_name.setObjectName("challengeNameLabel")
        selectable(self.challenge_name)
        set_tone(self.challenge_name, Tone.MUTED)
        self.problem = QLabel()
        self.problem.setObjectName("challengeProblemLabel")
        self.problem.setWordWrap(True)
        set_tone(self.problem, Tone.ERROR)
        self.problem.hide()
        self.submit_button = QPushButton("Continue")
        self.submit_button.setObjectName("challengeSubmitButton")
        self.submit_button.setAccessibleName("Answer challenge")
        self.submit_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel sign-in")
        self.cancel_button.setObjectName("challengeCancelButton")
        self.cancel_button.setAccessibleName("Cancel sign-in")
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.title_label)
        self._layout.addWidget(self.challenge_name)
        self._body_index = self._layout.count()
        self._layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        self._layout.addLayout(buttons)
        self.hide()

        # Widgets of the current form (None when the challenge has no such field).
        self.new_password_edit: QLineEdit | None = None
        self.confirm_password_edit: QLineEdit | None = None
        self.code_edit: QLineEdit | None = None
        self.mfa_combo: QComboBox | None = None
        self.answers_edit: QPlainTextEdit | None = None

    # --- building the form --------------------------------------------------------------------
    def show_challenge(self, challenge: Challenge) -> None:
        self.challenge = challenge
        if self._body is not None:
            self._layout.removeWidget(self._body)
            self._body.deleteLater()
        self._attribute_edits = {}
        self.new_password_edit = self.confirm_password_edit = self.code_edit = None
        self.mfa_combo = None
        self.answers_edit = None
        self.problem.hide()
        unknown = f"Cognito asks a challenge VerifyDesk has no form for: {challenge.name}"
        known = _TITLES.get(ChallengeName(challenge.name)) if challenge.known else None
        self.title_label.setText(known or unknown)
        self.challenge_name.setText(f"{challenge.name} for {challenge.username}")
        body = QWidget()
        body.setObjectName("challengeBody")
        form = QFormLayout(body)
        form.setContentsMargins(0, 0, 0, 0)
        if challenge.name == ChallengeName.NEW_PASSWORD_REQUIRED:
            self._build_new_password(form, challenge)
        elif challenge.code_answer_key is not None or challenge.name == ChallengeName.CUSTOM_CHALLENGE:
            self._build_code(form, challenge)
        elif challenge.name == ChallengeName.SELECT_MFA_TYPE:
            self._build_mfa_choice(form, challenge)
        else:
            self._build_unknown(form, challenge)
        self._body = body
        self._layout.insertWidget(self._body_index, body)
        self.show()
        first = self.first_field()
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        reveal(self.submit_button, first)  # below the fold of a short column: scrolled into view

    def first_field(self) -> QWidget:
        for widget in (self.new_password_edit, self.code_edit, self.mfa_combo, self.answers_edit):
            if widget is not None:
                return widget
        return self.submit_button

    def _line(self, name: str, accessible: str, *, secret: bool = False) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.returnPressed.connect(self.submit)
        return edit

    def _build_new_password(self, form: QFormLayout, challenge: Challenge) -> None:
        self.new_password_edit = self._line("newPasswordEdit", "New password", secret=True)
        self.confirm_password_edit = self._line("confirmPasswordEdit", "Repeat new password", secret=True)
        form.addRow("New password", self.new_password_edit)
        form.addRow("Repeat", self.confirm_password_edit)
        current = challenge.current_attributes
        for name in challenge.required_attributes:
            edit = self._line(f"challengeAttribute_{name}", f"Required attribute {name}")
            edit.setText(current.get(name, ""))
            edit.setPlaceholderText("required by the pool")
            self._attribute_edits[name] = edit
            form.addRow(name, edit)

    def _build_code(self, form: QFormLayout, challenge: Challenge) -> None:
        self.code_edit = self._line("challengeCodeEdit", "Sign-in code")
        self.code_edit.setPlaceholderText("e.g. 123456")
        if challenge.destination:
            form.addRow("Sent to", QLabel(challenge.destination))
        form.addRow("Code" if challenge.code_answer_key else "Answer", self.code_edit)
        if challenge.name == ChallengeName.CUSTOM_CHALLENGE:
            self._add_parameters(form, challenge)

    def _build_mfa_choice(self, form: QFormLayout, challenge: Challenge) -> None:
        self.mfa_combo = QComboBox()
        self.mfa_combo.setObjectName("mfaTypeCombo")
        self.mfa_combo.setAccessibleName("MFA type")
        for choice in challenge.mfa_choices or list(_MFA_LABELS):
            self.mfa_combo.addItem(_MFA_LABELS.get(choice, choice), choice)
        form.addRow("Receive the code by", self.mfa_combo)

    def _build_unknown(self, form: QFormLayout, challenge: Challenge) -> None:
        self._add_parameters(form, challenge)
        self.answers_edit = QPlainTextEdit()
        self.answers_edit.setObjectName("challengeAnswersEdit")
        self.answers_edit.setAccessibleName("Challenge answers as KEY=VALUE lines")
        self.answers_edit.setPlaceholderText(
            "ANSWER=…  (one KEY=VALUE per line; USERNAME and SECRET_HASH are added)")
        self.answers_edit.setTabChangesFocus(True)
        self.answers_edit.setFixedHeight(70)
        form.addRow("Answers", self.answers_edit)

    def _add_parameters(self, form: QFormLayout, challenge: Challenge) -> None:
        shown = {k: v for k, v in challenge.parameters.items() if k not in _HIDDEN_PARAMETERS}
        text = json.dumps(shown, indent=2, ensure_ascii=False) if shown else "(no parameters)"
        view = QLabel(text)
        view.setObjectName("challengeParametersLabel")
        view.setWordWrap(True)
        selectable(view)
        form.addRow("Parameters", view)

    # --- answering --------------------------------------------------------------------------
    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        reveal(self.submit_button, self.problem)

    def set_busy(self, busy: bool) -> None:
        self.submit_button.setEnabled(not busy)
        self.submit_button.setText("Checking…" if busy else "Continue")

    def answers(self) -> dict[str, str] | None:
        """The answers, or None (with the problem shown) when the form is not complete."""
        challenge = self.challenge
        if challenge is None:
            return None
        if self.new_password_edit is not None:
            return self._new_password_answers()
        if self.code_edit is not None:
            code = self.code_edit.text().strip()
            return code_answers(challenge, code) if code else self._refuse("Enter the code.")
        if self.mfa_combo is not None:
            return mfa_choice_answers(str(self.mfa_combo.currentData()))
        if self.answers_edit is not None:
            return self._free_answers(self.answers_edit.toPlainText())
        return {}

    def _refuse(self, message: str) -> dict[str, str] | None:
        self.show_problem(message)
        return None

    def _free_answers(self, text: str) -> dict[str, str] | None:
        try:
            return parse_metadata_assignments(line for line in text.splitlines() if line.strip())
        except MetadataImportError as error:
            return self._refuse(f"Answers: {error.message}")

    def _new_password_answers(self) -> dict[str, str] | None:
        assert self.new_password_edit is not None
        assert self.confirm_password_edit is not None
        password = self.new_password_edit.text()
        if not password:
            return self._refuse("Enter a new password.")
        if password != self.confirm_password_edit.text():
            return self._refuse("The two passwords differ.")
        attributes = {name: edit.text().strip() for name, edit in self._attribute_edits.items()}
        missing = [name for name, value in attributes.items() if not value]
        if missing:
            return self._refuse("The pool requires: " + ", ".join(missing) + ".")
        return new_password_answers(password, attributes)

    def submit(self) -> None:
        if not self.submit_button.isEnabled():
            return
        answers = self.answers()
        if answers is not None:
            self.problem.hide()
            self.answered.emit(answers)

    def clear(self) -> None:
        self.challenge = None
        self.hide()
