"""The Sign in box: username, password, flow, the remember-password box, and a pasted token."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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

from app.core.auth import AuthFlow
from app.ui.signin.session_box import problem_label
from app.ui.widgets.style import selectable


class CredentialsBox(QGroupBox):
    """The sign-in form's widgets; the sign-in panel connects and drives them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sign in", parent)
        self.setObjectName("credentialsBox")
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
        self.sign_in_problem = problem_label("signInProblemLabel")
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

        cred_layout = QVBoxLayout(self)
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
        self.token_problem = problem_label("accessTokenProblemLabel")
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

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label
