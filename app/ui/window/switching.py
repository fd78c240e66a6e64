"""What a change of profile or user clears: the last result, the code and the typed password (a
password typed for one pool never follows you to another), the sandbox inbox on a profile that is
not the sandbox, and a sign-out the switch caused is said in the status bar."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from app.core.profile_model import Profile
from app.ui.request.metadata_editor import MetadataEditor
from app.ui.request.result_view import ResultView, VerifyBox
from app.ui.sandbox.inbox_view import InboxDock
from app.ui.session import Session
from app.ui.signin.sign_in_panel import SignInPanel
from app.ui.widgets.status_line import StatusLine
from app.ui.widgets.style import Tone


class SwitchCleaner(QObject):
    """Clears per-user and per-profile state when the profile or the signed-in user changes."""

    def __init__(self, session: Session, *, sign_in: SignInPanel, result: ResultView, verify: VerifyBox,
                 metadata: MetadataEditor, inbox: InboxDock, status: StatusLine,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session, self._sign_in, self._result, self._verify = session, sign_in, result, verify
        self._metadata, self._inbox, self._status = metadata, inbox, status
        self._profile_name: str | None = None
        self._user: str | None = None
        self._switching_to: str | None = None
        self._note = ""
        session.signed_in.connect(self._signed_in)
        session.signed_out.connect(self._signed_out)

    def profile_changed(self, profile: Profile | None) -> None:
        name = profile.name if profile else None
        if name == self._profile_name:
            return  # the same profile saved again
        first = self._profile_name is None and profile is not None and self._user is None
        self._profile_name = name
        if not first:
            self._sign_in.password_edit.clear()
            self._clear_results()
        sandbox = bool(profile and profile.sandbox)
        if not sandbox:
            self._inbox.set_control(None)
            self._inbox.hide()
        self._inbox.toggleViewAction().setVisible(sandbox)
        self._switching_to = name
        QTimer.singleShot(0, self._switch_done)  # the session signs out right after the change

    def _switch_done(self) -> None:
        self._switching_to = None

    def _clear_results(self) -> None:
        self._result.clear()
        self._verify.code_edit.clear()
        self._verify.show_result("", Tone.NONE)
        self._metadata.clear_status()

    def _signed_in(self) -> None:
        user = self._session.username
        if self._user is not None and user != self._user:
            self._clear_results()  # another user's result and code say nothing about this one
        self._user = user

    def take_note(self) -> str:
        """What the last switch did to the session ("" when nothing), said once."""
        note, self._note = self._note, ""
        return note

    def _signed_out(self) -> None:
        if self._switching_to is not None and self._user is not None:
            self._note = (f"switching signed you out of {self._user!r} (another app client or endpoint);"
                          " sign in again.")
            self._status.setText(f"Profile {self._switching_to}: {self._note}")
