"""The opt-in remembered password, through the real window against the sandbox.

The OS keyring is the in-memory test backend (`support.memory_keyring.MemoryKeyring`, a keyring
that keyring itself recommends) selected with PYTHON_KEYRING_BACKEND, so the window detects it as
it would GNOME Keyring; its class-level store outlives a window, as the OS keyring outlives the app.
The headless default (no secure keyring at all) is the real detection with no session bus.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QDialog, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.redaction import redact
from app.core.secrets import SecretKind, default_secret_store, reset_default_secret_store
from app.ui.window.main_window import MainWindow

from support.memory_keyring import MemoryKeyring
from support.secret_scan import empty_secret_registry
from support.window_driver import (
    PROFILE,
    WAIT_MS,
    click,
    find,
    open_window,
    save_sandbox_profile,
    sign_in,
    type_into,
    visible_label,
    wait_signed_in,
    wait_tasks_done,
)

pytestmark = pytest.mark.gui

PASSWORD_SERVICE = SecretKind.PASSWORD.service
CLIENT_SECRET_SERVICE = SecretKind.CLIENT_SECRET.service


@pytest.fixture
def os_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[tuple[str, str], str]]:
    """A secure keyring the window detects by itself; yields what it holds."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # no user keyringrc.cfg
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "support.memory_keyring.MemoryKeyring")
    MemoryKeyring.values.clear()
    reset_default_secret_store()
    assert default_secret_store().is_secure
    yield MemoryKeyring.values
    MemoryKeyring.values.clear()
    reset_default_secret_store()


def open_detecting(qtbot: QtBot) -> MainWindow:
    """The window with the secret store it detects itself (as at start-up), not the driver's."""
    reset_default_secret_store()  # a new process detects afresh
    return open_window(qtbot, secrets=None)


def stored_profile(name: str = PROFILE) -> Profile:
    profile = ProfileStore(app_paths().profiles_file).get(name)
    assert profile is not None
    return profile


def remember_for(info: Any, username: str, password: str, **changes: Any) -> None:
    """The state a remembered sign-in leaves: the profile's flag and username, the password in the keyring."""
    save_sandbox_profile(info, remember_password=True, last_username=username, **changes)
    MemoryKeyring.values[(PASSWORD_SERVICE, changes.get("name", PROFILE))] = password


def check(window: MainWindow) -> QCheckBox:
    return find(window, QCheckBox, "rememberPasswordCheck")


def password_field(window: MainWindow) -> QLineEdit:
    return find(window, QLineEdit, "passwordEdit")


def wait_filled(qtbot: QtBot, window: MainWindow, password: str) -> None:
    qtbot.waitUntil(lambda: password_field(window).text() == password, timeout=WAIT_MS)


def test_remembered_password_is_filled_in_after_a_restart_and_enter_signs_in(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox_info: Any, fresh_user: dict[str, str],
    os_keyring: dict[tuple[str, str], str], verifydesk_home: Path,
) -> None:
    save_sandbox_profile(sandbox_info)
    window = open_detecting(qtbot)
    box = check(window)
    assert box.isEnabled() and not box.isChecked()
    assert box.accessibleName() == "Remember password in the OS keyring"
    assert "never in a file" in box.toolTip()
    flow = find(window, QComboBox, "authFlowCombo")  # Tab: flow, the box, Sign in
    flow.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(flow, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is box
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is find(window, QPushButton, "signInButton")

    type_into(qtbot, window, "usernameEdit", fresh_user["username"])
    type_into(qtbot, window, "passwordEdit", fresh_user["password"])
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()
    assert not os_keyring  # nothing is kept before the password has worked
    click(qtbot, window, "signInButton")
    wait_signed_in(qtbot, window)
    qtbot.waitUntil(lambda: stored_profile().remember_password, timeout=WAIT_MS)
    assert os_keyring == {(PASSWORD_SERVICE, PROFILE): fresh_user["password"]}
    assert "remembered in" in visible_label(window, "sessionPasswordNoteLabel")
    assert stored_profile().last_username == fresh_user["username"]
    assert fresh_user["password"] not in app_paths().profiles_file.read_text(encoding="utf-8")
    window.close()

    with empty_secret_registry():  # a new process knows no secret until it reads one
        again = open_detecting(qtbot)
        wait_filled(qtbot, again, fresh_user["password"])
        assert fresh_user["password"] not in redact(f"log line {fresh_user['password']}")  # registered
    assert password_field(again).echoMode() == QLineEdit.EchoMode.Password  # masked
    assert find(again, QLineEdit, "usernameEdit").text() == fresh_user["username"]
    assert check(again).isChecked()
    assert "filled in from" in visible_label(again, "rememberPasswordNoteLabel")
    assert QApplication.focusWidget() is password_field(again)
    qtbot.keyClick(password_field(again), Qt.Key.Key_Return)  # Enter signs in
    wait_signed_in(qtbot, again)

    # Sign out forgets the tokens only: the password stays in the keyring and is offered again.
    click(qtbot, again, "signOutButton")
    assert not again.session.is_signed_in
    wait_filled(qtbot, again, fresh_user["password"])
    assert os_keyring == {(PASSWORD_SERVICE, PROFILE): fresh_user["password"]}


def test_unticking_the_box_deletes_the_remembered_password_at_once(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox_info: Any, fresh_user: dict[str, str],
    os_keyring: dict[tuple[str, str], str],
) -> None:
    remember_for(sandbox_info, fresh_user["username"], fresh_user["password"])
    window = open_detecting(qtbot)
    wait_filled(qtbot, window, fresh_user["password"])

    qtbot.mouseClick(check(window), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (PASSWORD_SERVICE, PROFILE) not in os_keyring, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not stored_profile().remember_password, timeout=WAIT_MS)
    assert "Forgotten" in visible_label(window, "rememberPasswordNoteLabel")
    window.close()

    again = open_detecting(qtbot)
    assert not check(again).isChecked()
    assert password_field(again).text() == ""
    # Signing in with the box left unticked keeps nothing.
    sign_in(qtbot, again, fresh_user["username"], fresh_user["password"])
    assert os_keyring == {}
    assert not stored_profile().remember_password


def test_a_remembered_password_belongs_to_its_user_and_its_profile(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox_info: Any, fresh_user: dict[str, str],
    os_keyring: dict[tuple[str, str], str],
) -> None:
    remember_for(sandbox_info, fresh_user["username"], fresh_user["password"])
    save_sandbox_profile(sandbox_info, name="Other")
    window = open_detecting(qtbot)
    combo = window.connection_panel.combo
    combo.setCurrentIndex(combo.findData(PROFILE))
    wait_filled(qtbot, window, fresh_user["password"])

    # Another username takes the filled-in password out of the field; the keyring keeps it.
    type_into(qtbot, window, "usernameEdit", "someone-else")
    assert password_field(window).text() == ""
    assert "type this user's password" in visible_label(window, "rememberPasswordNoteLabel")
    assert os_keyring[(PASSWORD_SERVICE, PROFILE)] == fresh_user["password"]

    # Back to the profile: filled again. Another profile (remembering nothing) never gets it.
    combo.setCurrentIndex(combo.findData("Other"))
    assert not check(window).isChecked()
    combo.setCurrentIndex(combo.findData(PROFILE))
    wait_filled(qtbot, window, fresh_user["password"])
    combo.setCurrentIndex(combo.findData("Other"))
    qtbot.waitUntil(lambda: password_field(window).text() == "", timeout=WAIT_MS)
    assert not check(window).isChecked()


def test_without_a_secure_keyring_the_box_is_disabled_and_says_passwords_are_never_kept(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox_info: Any, fresh_user: dict[str, str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    # What keyring itself picks on a headless Linux (no session bus): its `fail` backend. (Named
    # here because this test process has also imported the test keyrings, which keyring would
    # otherwise offer; the detection without any setting is tested in a clean process in
    # tests/unit/test_secrets.py.)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # A profile that remembered its password on a machine with a keyring, opened on this one.
    save_sandbox_profile(sandbox_info, remember_password=True, last_username=fresh_user["username"])
    window = open_detecting(qtbot)
    try:
        assert not window.secrets.is_secure
        box = check(window)
        assert not box.isEnabled()
        assert not box.isChecked()
        assert "No secure keyring: passwords are never kept." in box.toolTip()
        assert "does not protect secrets" in box.toolTip()  # the detected reason
        assert "passwords are never kept" in visible_label(window, "rememberPasswordNoteLabel")
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)  # a disabled box does not tick
        assert not box.isChecked()
        assert password_field(window).text() == ""  # nothing to fill in

        sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
        wait_tasks_done(qtbot)  # a (wrong) store task would have run by now
        assert window.secrets.get(SecretKind.PASSWORD, PROFILE) is None  # not even in memory
        assert stored_profile().remember_password  # left for the machine that has the keyring
    finally:
        window.close()
        reset_default_secret_store()


def test_a_keyring_that_refuses_the_password_keeps_it_nowhere_and_says_so(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox_info: Any, fresh_user: dict[str, str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    # A keyring keyring recommends, but whose collection nobody unlocked: every call fails.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "support.memory_keyring.LockedKeyring")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    save_sandbox_profile(sandbox_info)
    window = open_detecting(qtbot)
    try:
        box = check(window)
        assert box.isEnabled()
        type_into(qtbot, window, "usernameEdit", fresh_user["username"])
        type_into(qtbot, window, "passwordEdit", fresh_user["password"])
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
        click(qtbot, window, "signInButton")
        wait_signed_in(qtbot, window)

        # Signed in, the form is hidden: the session box says what happened.
        qtbot.waitUntil(lambda: "not remembered" in visible_label(window, "sessionPasswordNoteLabel"),
                        timeout=WAIT_MS)
        assert "Failed to unlock" in visible_label(window, "sessionPasswordNoteLabel")
        assert not box.isEnabled() and not box.isChecked()
        assert window.secrets.get(SecretKind.PASSWORD, PROFILE) is None  # not kept in memory either
        assert not stored_profile().remember_password
    finally:
        window.close()
        reset_default_secret_store()


def test_a_rejected_remembered_password_is_explained_and_kept_until_forgotten(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox_info: Any, fresh_user: dict[str, str],
    os_keyring: dict[tuple[str, str], str],
) -> None:
    stale = "Changed-Since-0!"  # the password was changed elsewhere since it was remembered
    remember_for(sandbox_info, fresh_user["username"], stale)
    window = open_detecting(qtbot)
    wait_filled(qtbot, window, stale)
    qtbot.keyClick(password_field(window), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(visible_label(window, "signInProblemLabel")), timeout=WAIT_MS)

    text = visible_label(window, "signInProblemLabel")
    assert text.startswith(f"The remembered password for {fresh_user['username']} was rejected")
    assert "NotAuthorizedException" in text
    assert "still in the keyring" in text
    assert not window.session.is_signed_in
    assert os_keyring[(PASSWORD_SERVICE, PROFILE)] == stale  # not deleted silently
    assert stored_profile().remember_password
    forget = find(window, QPushButton, "forgetPasswordButton")
    assert forget.isVisible() and forget.accessibleName()

    click(qtbot, window, "forgetPasswordButton")
    qtbot.waitUntil(lambda: not check(window).isChecked(), timeout=WAIT_MS)  # once all is done
    assert (PASSWORD_SERVICE, PROFILE) not in os_keyring
    assert not stored_profile().remember_password
    assert password_field(window).text() == ""
    assert not check(window).isChecked()
    assert not forget.isVisible()
    assert not visible_label(window, "signInProblemLabel")


def test_typing_the_current_password_after_a_rejection_replaces_the_remembered_one(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox_info: Any, fresh_user: dict[str, str],
    os_keyring: dict[tuple[str, str], str],
) -> None:
    remember_for(sandbox_info, fresh_user["username"], "Changed-Since-0!")
    window = open_detecting(qtbot)
    wait_filled(qtbot, window, "Changed-Since-0!")
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: find(window, QPushButton, "forgetPasswordButton").isVisible(), timeout=WAIT_MS)

    assert check(window).isChecked()
    type_into(qtbot, window, "passwordEdit", fresh_user["password"])
    qtbot.keyClick(password_field(window), Qt.Key.Key_Return)
    wait_signed_in(qtbot, window)
    qtbot.waitUntil(lambda: os_keyring.get((PASSWORD_SERVICE, PROFILE)) == fresh_user["password"], timeout=WAIT_MS)
    assert stored_profile().remember_password


def test_deleting_a_profile_deletes_its_secrets_and_renaming_moves_them(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox_info: Any, fresh_user: dict[str, str],
    os_keyring: dict[tuple[str, str], str],
) -> None:
    remember_for(sandbox_info, fresh_user["username"], fresh_user["password"])
    window = open_detecting(qtbot)
    wait_filled(qtbot, window, fresh_user["password"])

    # Rename through the profile dialog: the remembered password follows the profile.
    click(qtbot, window, "editProfileButton")
    dialog = window.findChild(QDialog, "profileDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    type_into(qtbot, dialog, "profileNameEdit", "Renamed")
    click(qtbot, dialog, "profileSaveButton")
    qtbot.waitUntil(lambda: (PASSWORD_SERVICE, "Renamed") in os_keyring, timeout=WAIT_MS)
    assert (PASSWORD_SERVICE, PROFILE) not in os_keyring
    assert stored_profile("Renamed").remember_password
    wait_filled(qtbot, window, fresh_user["password"])

    # Delete: confirmed, the profile's secrets leave the keyring and the field is emptied.
    os_keyring[(CLIENT_SECRET_SERVICE, "Renamed")] = "client-secret-of-renamed"
    click(qtbot, window, "deleteProfileButton")
    confirm = window.findChild(QMessageBox, "deleteProfileConfirm")
    assert confirm is not None
    qtbot.waitUntil(confirm.isVisible)
    assert "remembered password" in confirm.text()
    yes = confirm.button(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ProfileStore(app_paths().profiles_file).get("Renamed") is None, timeout=WAIT_MS)
    assert os_keyring == {}
    assert password_field(window).text() == ""
    assert not check(window).isChecked()


def test_after_a_forced_password_change_the_new_password_is_remembered(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any,
    os_keyring: dict[tuple[str, str], str],
) -> None:
    user = sandbox.control.create_user(challenge="NEW_PASSWORD_REQUIRED")
    save_sandbox_profile(sandbox.info, auth_flow="USER_PASSWORD_AUTH")
    window = open_detecting(qtbot)
    type_into(qtbot, window, "usernameEdit", user["username"])
    type_into(qtbot, window, "passwordEdit", user["password"])
    qtbot.mouseClick(check(window), Qt.MouseButton.LeftButton)
    click(qtbot, window, "signInButton")
    qtbot.waitUntil(lambda: window.findChild(QLineEdit, "newPasswordEdit") is not None, timeout=WAIT_MS)
    type_into(qtbot, window, "newPasswordEdit", "Brand-New-Passw0rd!")
    type_into(qtbot, window, "confirmPasswordEdit", "Brand-New-Passw0rd!")
    type_into(qtbot, window, "challengeAttribute_name", "Remembered User")
    click(qtbot, window, "challengeSubmitButton")
    wait_signed_in(qtbot, window)

    qtbot.waitUntil(lambda: stored_profile().remember_password, timeout=WAIT_MS)
    assert os_keyring == {(PASSWORD_SERVICE, PROFILE): "Brand-New-Passw0rd!"}  # not the spent one
