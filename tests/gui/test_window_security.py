"""The real window leaks no secret to disk (a remembered password included), and tells the tester
where an unreadable history file went.

The session is driven as a tester would: sign in (SRP) on the app client with a secret, refresh,
send, verify with the delivered code, export history as CSV and JSON from the history view, close.
Then everything under VERIFYDESK_HOME (history, logs at DEBUG, profiles, `window.ini`), the exports
and the QSettings file Qt's file dialog writes are searched for every secret in every written form.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QCheckBox, QFileDialog, QLabel, QLineEdit, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from app.core.history import AttemptCompletion, AttemptStart, HistoryFilter, HistoryStore
from app.core.logs import configure_logging
from app.core.models import SEND_OPERATION, ConnectionInfo, Outcome
from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.redaction import REDACTED
from app.core.secrets import MemorySecretStore, SecretKind, reset_default_secret_store
from app.ui.settings import settings_path
from app.ui.window.main_window import MainWindow

from support.memory_keyring import MemoryKeyring
from support.secret_scan import empty_secret_registry, files_under, find_secrets
from support.window_driver import (
    PROFILE,
    WAIT_MS,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    sign_in,
    type_into,
    wait_result,
    wait_signed_in,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def debug_logging(verifydesk_home: Path) -> Iterator[Path]:
    """The app's log file at DEBUG (botocore prints request and response bodies), no secret known yet."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    with empty_secret_registry():
        yield configure_logging(app_paths().ensure(), level=logging.DEBUG)
    root.setLevel(previous)


def _export_from_history_view(qtbot: QtBot, window: MainWindow, target: Path) -> None:
    click(qtbot, window, "exportHistoryButton")
    qtbot.waitUntil(lambda: window.findChild(QFileDialog, "historyExportDialog") is not None)
    dialog = window.findChild(QFileDialog, "historyExportDialog")
    assert dialog is not None
    dialog.selectFile(str(target))
    dialog.accept()
    status = find(window, QLabel, "historyStatusLabel")
    qtbot.waitUntil(lambda: status.text().startswith(("Exported", "Export failed")), timeout=WAIT_MS)
    assert status.text().startswith("Exported"), status.text()
    assert target.exists()


def test_a_window_session_on_a_client_with_a_secret_writes_no_secret_anywhere(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str],
    verifydesk_home: Path, tmp_path: Path, debug_logging: Path,
) -> None:
    info = sandbox.info
    ProfileStore(app_paths().profiles_file).save(Profile(
        name=PROFILE, region=info.region, client_id=info.client_id_with_secret, endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id, has_client_secret=True, sandbox=True,
    ))
    secrets = MemorySecretStore()
    secrets.set(SecretKind.CLIENT_SECRET, PROFILE, info.client_secret)
    window = open_window(qtbot, secrets=secrets)
    assert window.session.connection is not None
    assert window.session.connection.settings.client_secret == info.client_secret

    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])  # SRP with SECRET_HASH
    issued = [window.session.tokens]
    click(qtbot, window, "refreshButton")
    qtbot.waitUntil(lambda: window.session.tokens is not issued[0], timeout=WAIT_MS)
    issued.append(window.session.tokens)

    pick_attribute(qtbot, window, "email")
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")
    code = sandbox.control.latest_code(fresh_user["username"], "email")
    type_into(qtbot, window, "codeEdit", code)
    click(qtbot, window, "verifyButton")
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    assert [r.outcome for r in window.history_store.page(HistoryFilter(), limit=5)] == [Outcome.SUCCESS] * 2

    exports = tmp_path / "exports"
    exports.mkdir()
    _export_from_history_view(qtbot, window, exports / "history.csv")
    _export_from_history_view(qtbot, window, exports / "history.json")
    window.close()  # writes window.ini
    for handler in logging.getLogger().handlers:
        handler.flush()

    log_text = debug_logging.read_text(encoding="utf-8")
    assert "Making request for OperationModel(name=InitiateAuth)" in log_text
    assert "Making request for OperationModel(name=GetUserAttributeVerificationCode)" in log_text
    assert settings_path().exists()
    qt_dialog_settings = Path(QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "QtProject").fileName())
    native_dialog_settings = Path(QSettings("QtProject").fileName())
    written = files_under(verifydesk_home, exports) + [
        p for p in (qt_dialog_settings, native_dialog_settings) if p.is_file()
    ]
    names = {p.name for p in written}
    assert {"history.csv", "history.json", "verifydesk.log", "history.sqlite3", "profiles.json", "window.ini"} <= names

    found: dict[str, str] = {"password": fresh_user["password"], "client secret": info.client_secret}
    for index, tokens in enumerate(issued):
        assert tokens is not None
        found[f"access token {index}"] = tokens.access_token
        if tokens.id_token:
            found[f"id token {index}"] = tokens.id_token
        if tokens.refresh_token:
            found[f"refresh token {index}"] = tokens.refresh_token
    assert find_secrets(written, found) == []


def test_a_remembered_password_is_in_the_os_keyring_and_nowhere_else(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str],
    verifydesk_home: Path, tmp_path: Path, debug_logging: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Remember the password (USER_PASSWORD_AUTH, so it crosses the wire and botocore logs the body),
    send, close; reopen, sign in with the filled-in password, send, close: no file holds it."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "support.memory_keyring.MemoryKeyring")
    MemoryKeyring.values.clear()
    info = sandbox.info
    ProfileStore(app_paths().profiles_file).save(Profile(
        name=PROFILE, region=info.region, client_id=info.client_id, endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id, auth_flow="USER_PASSWORD_AUTH", sandbox=True,
    ))
    password = fresh_user["password"]
    try:
        for restart in (False, True):
            reset_default_secret_store()  # each window detects the keyring as a new process does
            window = open_window(qtbot, secrets=None)
            if restart:
                edit = find(window, QLineEdit, "passwordEdit")
                qtbot.waitUntil(lambda: edit.text() == password, timeout=WAIT_MS)  # noqa: B023 - waited on here
                qtbot.keyClick(edit, Qt.Key.Key_Return)
                wait_signed_in(qtbot, window)
            else:
                qtbot.mouseClick(find(window, QCheckBox, "rememberPasswordCheck"), Qt.MouseButton.LeftButton)
                sign_in(qtbot, window, fresh_user["username"], password)
                qtbot.waitUntil(lambda: bool(MemoryKeyring.values), timeout=WAIT_MS)
            pick_attribute(qtbot, window, "email")
            click(qtbot, window, "sendButton")
            wait_result(qtbot, window, "success")
            window.close()
        assert MemoryKeyring.values == {(SecretKind.PASSWORD.service, PROFILE): password}
    finally:
        MemoryKeyring.values.clear()
        reset_default_secret_store()
    for handler in logging.getLogger().handlers:
        handler.flush()

    log_text = debug_logging.read_text(encoding="utf-8")
    assert log_text.count("Making request for OperationModel(name=InitiateAuth)") == 2
    assert log_text.count(f'"PASSWORD": "{REDACTED}"') >= 2  # botocore printed both sign-in bodies
    assert ProfileStore(app_paths().profiles_file).get(PROFILE).remember_password  # type: ignore[union-attr]
    qt_dialog_settings = Path(QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "QtProject").fileName())
    written = files_under(verifydesk_home) + [p for p in (qt_dialog_settings,) if p.is_file()]
    assert {"verifydesk.log", "history.sqlite3", "profiles.json", "window.ini"} <= {p.name for p in written}
    assert find_secrets(written, {"remembered password": password}) == []


def _damaged_database(path: Path) -> bytes:
    """A real history file whose interior pages were scribbled over (a disk or copy gone wrong)."""
    info = ConnectionInfo("eu-west-1", None, None, "client")
    with HistoryStore(path) as store:
        for index in range(300):
            row = store.begin(AttemptStart(SEND_OPERATION, info, "u", "email", {"i": str(index), "pad": "x" * 300}))
            store.complete(row, AttemptCompletion(Outcome.SUCCESS))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = bytearray(path.read_bytes())
    page = 4096
    for offset in range(3 * page, len(raw) - page, 5 * page):
        raw[offset : offset + 512] = b"\xa5" * 512
    return bytes(raw)


@pytest.mark.parametrize("damage", ["not a database", "damaged pages"])
def test_an_unreadable_history_file_is_moved_aside_and_the_window_says_where(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, verifydesk_home: Path, damage: str
) -> None:
    history_file = app_paths().ensure().history_db
    if damage == "not a database":
        content = b"these are my notes, not a database\n" * 50
    else:
        content = _damaged_database(verifydesk_home / "scratch.sqlite3")
    history_file.write_bytes(content)

    window = open_window(qtbot)

    banner = find(window, QLabel, "bannerLabel")
    assert banner.isVisible()
    moved = window.history_store.recovered_from
    assert moved is not None and moved.parent == history_file.parent
    assert re.fullmatch(r"history\.sqlite3\.corrupt-\d{8}T\d{6}Z(-\d+)?", moved.name), moved.name
    assert moved.read_bytes() == content
    assert str(moved) in banner.text()
    assert "could not be read" in banner.text()
    # The fresh history works: the view is empty and the file is a sound database.
    assert history_file.read_bytes().startswith(b"SQLite format 3\x00")
    assert window.history_store.count(HistoryFilter()) == 0
    assert find(window, QTableView, "historyTable").model().rowCount() == 0
    click(qtbot, window, "bannerDismissButton")
    assert not find(window, QPushButton, "bannerDismissButton").isVisible()
    window.close()
    with HistoryStore(history_file) as reopened:
        assert reopened.recovered_from is None
        assert reopened.check_integrity() == []


def test_qt_keeps_its_own_settings_under_verifydesk_home_once_the_window_exists(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, verifydesk_home: Path, tmp_path: Path
) -> None:
    """The file dialogs' QtProject.conf (last folder, sidebar) goes where the window's own files go."""
    elsewhere = tmp_path / "not-home"
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(elsewhere))
    open_window(qtbot)
    for settings in (QSettings(QSettings.Scope.UserScope, "QtProject"),
                     QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "QtProject")):
        assert Path(settings.fileName()).is_relative_to(verifydesk_home), settings.fileName()
