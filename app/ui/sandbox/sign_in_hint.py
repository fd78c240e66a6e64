"""A one-line hint in the empty sign-in form of a sandbox profile: where its test users and their
passwords are."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QLabel

from app.core.profile_model import Profile
from app.ui.signin.sign_in_panel import SignInPanel
from app.ui.widgets.style import Tone, set_tone
from app.ui.workbench import Workbench

HINT = "Test users and passwords: the inbox (Ctrl+I)."


class SandboxSignInHint(QLabel):
    """Shown while the profile is a sandbox's and both fields are empty."""

    def __init__(self, bench: Workbench, sign_in: SignInPanel) -> None:
        super().__init__(HINT)
        self.setObjectName("sandboxSignInHintLabel")
        self.setWordWrap(True)
        set_tone(self, Tone.MUTED)
        self._sign_in = sign_in
        self._sandbox = False
        layout = sign_in.credentials.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(1, self)  # under the fields
        bench.profile_changed.connect(self._profile_changed)
        sign_in.username_edit.textChanged.connect(self._update)
        sign_in.password_edit.textChanged.connect(self._update)
        self._profile_changed(bench.profile)

    def _profile_changed(self, profile: Profile | None) -> None:
        self._sandbox = profile is not None and profile.sandbox
        self._update()

    def _update(self) -> None:
        empty = not self._sign_in.username_edit.text() and not self._sign_in.password_edit.text()
        self.setVisible(self._sandbox and empty)
