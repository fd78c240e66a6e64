"""The Sandbox menu's tools beyond starting the pool: inject errors, the rate-limit and update
settings, expire the signed-in user's codes or access token, and use the latest code. Each call to
the control API runs off the GUI thread; what happened is said in the status bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from app.ui.async_tools import TaskKeeper, run_blocking
from app.ui.sandbox.inbox_use import SIGN_IN_PURPOSES
from app.ui.window.menus import ActionRow

if TYPE_CHECKING:
    from app.sandbox.control import SandboxControl
    from app.ui.session import Session
    from app.ui.signin.challenge_form import ChallengeForm
    from app.ui.widgets.status_line import StatusLine

MENU = "Sand&box"
NO_SANDBOX = "No sandbox: Sandbox → Start sandbox pool, or choose a sandbox profile."
RECENT = 50  # the newest messages searched for the latest code
USE_LATEST_SHORTCUT = "Ctrl+Shift+K"


def latest_code_message(messages: list[dict[str, Any]], *, sign_in: bool) -> dict[str, Any] | None:
    """The newest message with a code still valid (any code when the sandbox tells no state) of the
    kind wanted: a sign-in code while a challenge waits, else a verification code."""
    for message in reversed(messages):
        if not message.get("code") or message.get("state", "valid") != "valid":
            continue
        if (message.get("purpose") in SIGN_IN_PURPOSES) == sign_in:
            return dict(message)
    return None


class SandboxActions(QObject):
    """`control()` is the sandbox in use (None when the profile is no sandbox's); `use(message)`
    puts an inbox message's code where it belongs."""

    def __init__(
        self, *, window: QWidget, tasks: TaskKeeper, session: Session, form: ChallengeForm,
        status: StatusLine, control: Callable[[], SandboxControl | None],
        use: Callable[[dict[str, Any]], None],
    ) -> None:
        super().__init__(window)
        self._window, self._tasks, self._session, self._form = window, tasks, session, form
        self._status, self._control, self._use = status, control, use
        self.dialog: QDialog | None = None

    def rows(self) -> list[ActionRow]:
        return [
            ActionRow(MENU),
            ActionRow(MENU, "Inject &error…", "injectFaultAction", self.open_faults),
            ActionRow(MENU, "Rate &limit and update settings…", "sandboxSettingsAction", self.open_settings),
            ActionRow(MENU, "E&xpire codes", "expireCodesAction", self.expire_codes),
            ActionRow(MENU, "Expire access &token", "expireTokenAction", self.expire_token),
            ActionRow(MENU, "Use the latest &code", "useLatestCodeAction", self.use_latest_code,
                      [USE_LATEST_SHORTCUT]),
        ]

    def _sandbox(self) -> SandboxControl | None:
        control = self._control()
        if control is None:
            self._status.setText(NO_SANDBOX)
        return control

    def _open(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.show()  # not modal: the tester sends and watches the faults go while it is open

    def open_faults(self) -> None:
        control = self._sandbox()
        if control is not None:
            from app.ui.sandbox.fault_dialog import FaultDialog

            self._open(FaultDialog(control, self._tasks, self._window))

    def open_settings(self) -> None:
        control = self._sandbox()
        if control is not None:
            from app.ui.sandbox.settings_dialog import SandboxSettingsDialog

            self._open(SandboxSettingsDialog(control, self._tasks, self._window))

    def _signed_in_user(self, what: str) -> str | None:
        username = self._session.username
        if not username:
            self._status.setText(f"Sign in first: {what} acts on the signed-in user.")
        return username

    def expire_codes(self) -> None:
        control = self._sandbox()
        username = self._signed_in_user("Expire codes") if control else None
        if control is not None and username:
            self._tasks.spawn(self._expire_codes(control, username), name="expire-codes")

    async def _expire_codes(self, control: SandboxControl, username: str) -> None:
        try:
            count = await run_blocking(control.expire_codes, username)
        except Exception as error:
            self._status.setText(f"Codes not expired: {error}")
            return
        if count:
            self._status.setText(f"Expired {count} pending code(s) of {username}: verifying one now answers "
                                 "ExpiredCodeException.")
        else:
            self._status.setText(f"{username} has no pending code to expire: send a code first.")

    def expire_token(self) -> None:
        control = self._sandbox()
        username = self._signed_in_user("Expire access token") if control else None
        if control is not None and username:
            self._tasks.spawn(self._expire_token(control, username), name="expire-token")

    async def _expire_token(self, control: SandboxControl, username: str) -> None:
        try:
            await run_blocking(control.expire_access_tokens, username)
        except Exception as error:
            self._status.setText(f"Access token not expired: {error}")
            return
        self._status.setText(f"{username}'s access token has expired: the next call answers "
                             "NotAuthorizedException (Access Token has expired), and the window "
                             "refreshes the session once and sends again.")

    def use_latest_code(self) -> None:
        """The newest valid code for the waiting challenge's user, else for the signed-in user."""
        control = self._sandbox()
        if control is None:
            return
        challenge = self._form.challenge
        username = challenge.username if challenge is not None else self._session.username
        if not username:
            self._status.setText("Sign in first: the latest code is the signed-in user's.")
            return
        self._tasks.spawn(self._use_latest(control, username, challenge is not None), name="use-latest-code")

    async def _use_latest(self, control: SandboxControl, username: str, sign_in: bool) -> None:
        try:
            messages = await run_blocking(control.inbox, username, RECENT)
        except Exception as error:
            self._status.setText(f"The sandbox inbox did not answer: {error}")
            return
        message = latest_code_message(messages, sign_in=sign_in)
        if message is None:
            kind = "sign-in" if sign_in else "verification"
            self._status.setText(f"No valid {kind} code for {username} in the sandbox inbox yet.")
            return
        self._use(message)
        self._status.setText(f"Used the latest code sent to {username} ({message.get('attribute')}).")
