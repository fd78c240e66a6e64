"""Opt-in remembered passwords: one per profile, only in a secure OS keyring, never in a file.

`PasswordMemory` connects the sign-in panel's "Remember password in the OS keyring" box to the
secret store and the profile file:
- the box is enabled only while the store is secure; otherwise it says passwords are never kept
  (not even in memory: a password that cannot be kept safely is simply not kept);
- after a password sign-in succeeds with the box ticked, the password goes to the keyring under
  (PASSWORD, profile name) and the profile's `remember_password` is saved;
- choosing that profile (at start-up too, and after Sign out) fills the form from the keyring,
  masked, so Enter signs in;
- unticking the box, or "Forget remembered password" after Cognito rejected it, deletes it at once.
Deleting or renaming a profile deletes or moves its secrets (connection panel, profile dialog).
Keyring calls can block (D-Bus): they run off the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.core.profile_model import Profile
from app.core.redaction import SECRETS
from app.core.secrets import SecretKind
from app.ui.async_tools import run_blocking
from app.ui.widgets.style import Tone
from app.ui.workbench import ProfileSaveError, Workbench

if TYPE_CHECKING:
    from app.ui.signin.connection_panel import ConnectionPanel
    from app.ui.signin.sign_in_panel import SignInPanel


class PasswordMemory(QObject):
    """Remembers, fills in and forgets the current profile's password (see the module notes)."""

    def __init__(self, bench: Workbench, panel: SignInPanel, connection: ConnectionPanel) -> None:
        super().__init__(bench)
        self._bench = bench
        self._panel = panel
        self._profiles = bench.profiles
        self._secrets = bench.secrets
        self._tasks = bench.tasks
        self._profile: Profile | None = None  # the profile chosen in the connection panel
        self._generation = 0  # bumped whenever a pending fill-in must not land any more
        connection.profile_chosen.connect(self._profile_chosen)
        connection.profile_deleted.connect(self._profile_deleted)
        bench.profile_changed.connect(self._profile_saved)
        panel.password_accepted.connect(self._password_accepted)
        panel.remember_changed.connect(self._remember_changed)
        panel.forget_password_requested.connect(self._forget_requested)
        panel.signed_out_by_user.connect(self._signed_out)
        # Reading order for Tab: the box right after the flow, before Sign in.
        panel.setTabOrder(panel.flow_combo, panel.remember_check)
        panel.setTabOrder(panel.remember_check, panel.sign_in_button)
        panel.setTabOrder(panel.sign_in_button, panel.forget_password_button)
        self._update_availability()
        current = connection.current_profile()
        if current is not None:
            self._profile_chosen(current)

    @property
    def _where(self) -> str:
        return self._secrets.backend_name

    def _update_availability(self) -> bool:
        secure = self._secrets.is_secure
        self._panel.set_remember_available(secure, where=self._where, reason=self._secrets.notice)
        return secure

    # --- choosing a profile ------------------------------------------------------------------------
    def _profile_chosen(self, profile: Profile) -> None:
        self._generation += 1
        if self._profile is not None and self._profile.name != profile.name:
            self._panel.drop_remembered()  # never offer one profile's password on another
            if self._secrets.is_secure:
                self._panel.show_remember_note("")
        self._profile = profile
        secure = self._update_availability()
        self._panel.set_remember_checked(secure and profile.remember_password)
        self._fill_later(profile)

    def _signed_out(self) -> None:
        if self._profile is not None:
            self._generation += 1
            self._fill_later(self._profile)

    def _fill_later(self, profile: Profile) -> None:
        if profile.remember_password and self._secrets.is_secure and not self._bench.session.is_signed_in:
            self._tasks.spawn(self._fill(profile, self._generation), name="remembered-password")

    async def _fill(self, profile: Profile, generation: int) -> None:
        password = await run_blocking(self._secrets.get, SecretKind.PASSWORD, profile.name)
        if generation != self._generation or self._bench.session.is_signed_in:
            return
        if not self._update_availability():  # the keyring failed while reading
            return
        if password is None:
            self._panel.show_remember_note(
                f"The remembered password of {profile.name!r} is no longer in {self._where}: sign in "
                "with the box ticked to remember it again.", Tone.WARNING)
            return
        SECRETS.add(password)
        self._panel.fill_remembered(profile.last_username, password)
        who = profile.last_username or "this profile"
        self._panel.show_remember_note(f"Password for {who} filled in from {self._where}.")

    def _profile_deleted(self, name: str) -> None:
        # The connection panel deleted the profile's secrets with it.
        if self._profile is not None and self._profile.name == name:
            self._generation += 1
            self._profile = None
            self._panel.drop_remembered()
            self._panel.set_remember_checked(False)
            if self._secrets.is_secure:
                self._panel.show_remember_note("")

    # --- remembering -------------------------------------------------------------------------------
    def _password_accepted(self, username: str, password: str) -> None:
        profile = self._bench.profile  # the profile whose connection signed in
        if profile is None:
            return
        check = self._panel.remember_check
        wanted = check.isChecked() and check.isEnabled()
        self._tasks.spawn(
            self._after_sign_in(profile.name, username, password, wanted), name="remember-password")

    async def _after_sign_in(self, name: str, username: str, password: str, wanted: bool) -> None:
        if not self._secrets.is_secure:
            return  # the box is disabled: no intent either way, the profile's setting stays as it is
        if not wanted:
            stored = self._profiles.get(name)
            if stored is not None and stored.remember_password:  # unticked, then saved stale elsewhere
                await self._forget(name)
            return
        await run_blocking(self._secrets.set, SecretKind.PASSWORD, name, password)
        if not self._update_availability():
            # The keyring refused: the store kept it in memory as a fallback. Passwords are never
            # kept outside a secure keyring, so drop it again.
            await run_blocking(self._secrets.delete, SecretKind.PASSWORD, name)
            self._save_flag(name, False)
            self._panel.show_remember_note(
                f"The password was not remembered: {self._secrets.notice or 'the keyring failed.'}",
                Tone.WARNING)
            return
        if self._save_flag(name, True, username) is not None:
            self._panel.show_remember_note(f"Password for {username} remembered in {self._where}.")

    def _remember_changed(self, checked: bool) -> None:
        if self._profile is None:
            return
        if checked:
            self._panel.show_remember_note(
                f"Kept in {self._where} after the next successful sign-in (never in a file).")
            return
        self._tasks.spawn(self._forget(self._profile.name), name="forget-password")

    def _forget_requested(self) -> None:
        if self._profile is not None:
            self._tasks.spawn(self._forget(self._profile.name, clear_field=True), name="forget-password")

    async def _forget(self, name: str, *, clear_field: bool = False) -> None:
        """Delete the remembered password now and record that the profile keeps none."""
        self._generation += 1  # a fill-in still reading the keyring must not land
        await run_blocking(self._secrets.delete, SecretKind.PASSWORD, name)
        self._save_flag(name, False)
        note = f"Forgotten: the password of {name!r} is no longer in {self._where}."
        if clear_field:
            self._panel.password_forgotten(note)
        else:
            self._panel.show_remember_note(note)

    def _save_flag(self, name: str, remember: bool, username: str | None = None) -> Profile | None:
        """Save `remember_password` (and the username it belongs to) on the stored profile."""
        changes: dict[str, object] = {"remember_password": remember}
        if username:
            changes["last_username"] = username
        try:
            saved = self._bench.update_profile(name, **changes)
        except ProfileSaveError as error:
            self._panel.show_remember_note(f"Could not save the profile: {error}", Tone.WARNING)
            return None
        if saved is not None and self._profile is not None and self._profile.name == name:
            self._profile = saved
        return saved

    def _profile_saved(self, profile: Profile | None) -> None:
        """The current profile was saved again elsewhere: keep this copy current."""
        if profile is not None and self._profile is not None and self._profile.name == profile.name:
            self._profile = profile
