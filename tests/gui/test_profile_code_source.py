"""The profile dialog's Code source tab against a real Dovecot: Test connection says it works with the
right password and names the refused login with a wrong one (the dialog keeps repainting meanwhile);
saving keeps the source in the profile file and the mailbox password only in the secret store; a bad
pattern is shown under its field; a sandbox profile starts on the sandbox inbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.code_source_settings import IMAP_KIND, SANDBOX_KIND, SavedCodeSource
from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.secrets import MemorySecretStore, SecretKind
from app.ui.signin.code_source_form import CodeSourceForm
from app.ui.signin.profile_dialog import ProfileDialog

from support.dovecot import PASSWORD, Dovecot, dovecot_server
from support.secret_scan import files_under, find_secrets
from support.window_driver import type_text

pytestmark = pytest.mark.gui
WAIT_MS = 15_000


@pytest.fixture
def mail() -> Iterator[Dovecot]:
    with dovecot_server(("qa",)) as server:
        yield server


def _dialog(qtbot: QtBot, store: ProfileStore, secrets: MemorySecretStore,
            existing: Profile | None = None) -> ProfileDialog:
    dialog = ProfileDialog(store, secrets, existing)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _fill_imap(qtbot: QtBot, form: CodeSourceForm, mail: Dovecot, password: str) -> None:
    form.type_combo.setCurrentIndex(form.type_combo.findData(IMAP_KIND))
    for edit, text in ((form.host_edit, "127.0.0.1"), (form.user_edit, "qa"), (form.password_edit, password)):
        edit.clear()
        type_text(qtbot, edit, text)
    form.port_spin.setValue(mail.imap_port)


def _test(qtbot: QtBot, form: CodeSourceForm) -> str:
    qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
    assert not form.test_button.isEnabled()  # running, off the GUI thread
    qtbot.waitUntil(form.test_button.isEnabled, timeout=WAIT_MS)
    return form.test_result.text()


@pytest.mark.linux_only
def test_test_connection_works_with_the_password_and_names_a_refused_login(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, mail: Dovecot, verifydesk_home: Path
) -> None:
    store, secrets = ProfileStore(app_paths().profiles_file), MemorySecretStore()
    dialog = _dialog(qtbot, store, secrets)
    form = dialog.code_source
    dialog.tabs.setCurrentWidget(form)
    _fill_imap(qtbot, form, mail, "not-the-password")
    for hidden in (form.bucket_edit, form.prefix_edit):
        assert not hidden.isVisible()
    assert "STARTTLS" in form.tls_label.text() and "plain text" in form.tls_label.text()
    refused = _test(qtbot, form)
    assert refused.startswith(f"✗ MailboxLoginFailed: 127.0.0.1:{mail.imap_port} refused the login of 'qa'")
    assert "Next: " in refused and "not-the-password" not in refused

    form.password_edit.clear()
    type_text(qtbot, form.password_edit, PASSWORD)
    works = _test(qtbot, form)
    assert works == (f"✓ Connected to imap://qa@127.0.0.1:{mail.imap_port}/INBOX and opened 127.0.0.1 "
                     "mailbox INBOX: it works.")

    dialog.tabs.setCurrentIndex(0)
    for edit, text in ((dialog.name_edit, "Mail"), (dialog.client_id_edit, "1example23456789")):
        type_text(qtbot, edit, text)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = store.get("Mail")
    assert saved is not None, dialog.form_error.text()
    assert saved.code_source == SavedCodeSource(kind=IMAP_KIND, host="127.0.0.1", port=mail.imap_port,
                                                user="qa", has_password=True)
    assert secrets.get(SecretKind.MAILBOX_PASSWORD, "Mail") == PASSWORD
    written = json.loads(app_paths().profiles_file.read_text())["profiles"][0]["code_source"]
    assert written["has_password"] is True and written["port"] == mail.imap_port
    assert find_secrets(files_under(verifydesk_home), {"mailbox password": PASSWORD}) == []

    again = _dialog(qtbot, store, secrets, saved)  # the stored password serves the test when none is typed
    assert again.code_source.host_edit.text() == "127.0.0.1"
    assert again.code_source.password_edit.placeholderText().startswith("stored")
    again.tabs.setCurrentWidget(again.code_source)
    assert _test(qtbot, again.code_source).startswith("✓ Connected")


def test_a_bad_pattern_is_shown_under_its_field_and_nothing_saves(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop
) -> None:
    store = ProfileStore(app_paths().profiles_file)
    dialog = _dialog(qtbot, store, MemorySecretStore())
    form = dialog.code_source
    form.type_combo.setCurrentIndex(form.type_combo.findData(SANDBOX_KIND))
    for edit, text in ((dialog.name_edit, "Patterned"), (dialog.client_id_edit, "1example23456789"),
                       (form.pattern_edit, "code ([0-9]+) (again)")):
        type_text(qtbot, edit, text)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert store.get("Patterned") is None
    assert dialog.tabs.currentWidget() is form
    error = form.findChild(QLabel, "codeSourceError_pattern")
    assert error is not None
    qtbot.waitUntil(error.isVisible)
    assert "has 2 groups; it needs exactly one" in error.text()


def test_a_sandbox_profile_starts_on_the_sandbox_inbox(qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop) -> None:
    profile = ProfileStore(app_paths().profiles_file).save(Profile(
        name="Sandbox", region="us-east-1", client_id="1example23456789", endpoint_url="http://127.0.0.1:9",
        sandbox=True))
    dialog = _dialog(qtbot, ProfileStore(app_paths().profiles_file), MemorySecretStore(), profile)
    assert dialog.code_source.kind() == SANDBOX_KIND
    assert not dialog.code_source.host_edit.isVisible()
