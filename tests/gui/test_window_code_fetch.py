"""Fetching the code in the real window: with "Verify as soon as the code arrives" a send is followed
by the code in the field, where it came from and the attribute verified (from the sandbox inbox, and
from a Dovecot mailbox the sandbox mails into over LMTP); Cancel while waiting; the message when
nothing arrives in time; and no mailbox password or code in any file written on the way."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.core.code_source_settings import IMAP_KIND, SavedCodeSource
from app.core.logs import configure_logging
from app.core.paths import app_paths
from app.core.secrets import MemorySecretStore, SecretKind
from app.ui.window.main_window import MainWindow

from support.dovecot import PASSWORD, Dovecot, dovecot_server
from support.secret_scan import files_under, find_secrets
from support.window_driver import (
    PROFILE,
    WAIT_MS,
    click,
    find,
    label,
    open_window,
    pick_attribute,
    save_sandbox_profile,
    sign_in,
    wait_result,
)

pytestmark = pytest.mark.gui


def _imap_source(mail: Dovecot, **changes: Any) -> SavedCodeSource:
    values: dict[str, Any] = {"kind": IMAP_KIND, "host": "127.0.0.1", "port": mail.imap_port, "user": "qa",
                              "has_password": True, **changes}
    return SavedCodeSource(**values)


def _watch_codes(window: MainWindow) -> list[str]:
    """The codes as they land in the field (the field is cleared again once verified)."""
    seen: list[str] = []
    window.parts.code_fetch.arrived.connect(lambda _attribute: seen.append(window.parts.verify.code_edit.text()))
    return seen


def _tick_verify_on_arrival(qtbot: QtBot, window: MainWindow) -> None:
    box = find(window, QCheckBox, "verifyOnArrivalCheck")
    assert not box.isChecked(), "opt-in: unticked until the tester ticks it"
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()


def _send_email(qtbot: QtBot, window: MainWindow) -> None:
    pick_attribute(qtbot, window, "email")
    click(qtbot, window, "sendButton")
    wait_result(qtbot, window, "success")


def test_a_send_with_verify_on_arrival_fills_the_sandbox_code_and_the_badge_turns_verified(
    qtbot: QtBot, window: MainWindow, sandbox: Any, fresh_user: dict[str, str]
) -> None:
    seen = _watch_codes(window)
    _tick_verify_on_arrival(qtbot, window)
    _send_email(qtbot, window)
    qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=WAIT_MS)
    assert seen == [sandbox.control.latest_code(fresh_user["username"], "email")]
    status = label(window, "codeWaitStatusLabel")
    assert status.startswith("Code filled in from the message of ") and " UTC from " in status
    assert f"sandbox {sandbox.info.endpoint_url}" in status
    assert seen[0] not in status
    assert label(window, "attributeBadgeLabel") == "✓ verified"


def test_fetch_code_after_a_send_fills_the_field_and_leaves_verifying_to_the_tester(
    qtbot: QtBot, window: MainWindow, sandbox: Any, fresh_user: dict[str, str]
) -> None:
    _send_email(qtbot, window)
    with qtbot.waitSignal(window.parts.code_fetch.arrived, timeout=WAIT_MS):
        click(qtbot, window, "fetchCodeButton")
    assert window.parts.verify.code_edit.text() == sandbox.control.latest_code(fresh_user["username"], "email")
    assert label(window, "verifyResultLabel") == ""
    assert label(window, "attributeBadgeLabel") == "not verified"


def test_cancel_stops_the_wait_while_the_window_keeps_ticking(qtbot: QtBot, window: MainWindow) -> None:
    fetcher = window.parts.code_fetch
    pick_attribute(qtbot, window, "email")
    click(qtbot, window, "fetchCodeButton")  # nothing was sent: nothing will come
    assert fetcher.waiting
    elapsed = find(window, QLabel, "codeWaitElapsedLabel")
    qtbot.waitUntil(lambda: elapsed.isVisible() and elapsed.text().startswith("Waiting… "))
    first = elapsed.text()
    qtbot.waitUntil(lambda: elapsed.text() != first, timeout=WAIT_MS)  # repainted while the worker waits
    assert label(window, "codeWaitStatusLabel").startswith("Waiting for a message to ")
    wait = fetcher.wait
    assert wait is not None
    with qtbot.waitSignal(fetcher.ended, timeout=WAIT_MS) as ended:
        click(qtbot, window, "cancelCodeWaitButton")
    assert ended.args == ["Cancelled"]
    assert wait.cancel.is_set()  # the worker's wait gives up too
    assert not fetcher.waiting and not elapsed.isVisible()
    assert label(window, "codeWaitStatusLabel") == "Stopped waiting for the code."
    assert window.parts.verify.code_edit.text() == ""
    assert find(window, QPushButton, "fetchCodeButton").isEnabled()


@pytest.fixture
def mail() -> Iterator[Dovecot]:
    with dovecot_server(("qa",), lmtp=True, catch_all="qa") as server:
        yield server


@pytest.mark.linux_only
def test_nothing_arriving_in_time_says_what_was_searched_and_what_to_check(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str],
    mail: Dovecot,
) -> None:
    """The shared sandbox mails nobody: the mailbox stays empty until the wait ends."""
    save_sandbox_profile(sandbox.info, code_source=_imap_source(mail, wait_s=2.0))
    secrets = MemorySecretStore()
    secrets.set(SecretKind.MAILBOX_PASSWORD, PROFILE, PASSWORD)
    window = open_window(qtbot, secrets=secrets)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    _tick_verify_on_arrival(qtbot, window)
    with qtbot.waitSignal(window.parts.code_fetch.ended, timeout=WAIT_MS) as ended:
        _send_email(qtbot, window)
    assert ended.args == ["CodeNotReceived"]
    text = label(window, "codeWaitStatusLabel")
    masked = label(window, "deliveryDestinationLabel")
    assert "***" in masked
    assert text.startswith("CodeNotReceived: No message to " + fresh_user["email"])
    assert f"Searched: 127.0.0.1 mailbox INBOX (imap://qa@127.0.0.1:{mail.imap_port}/INBOX)" in text
    assert f"for messages to {fresh_user['email']} since 20" in text
    assert f"the destination the send reported ({masked})" in text
    assert "spam" in text and "the pool's email configuration" in text
    assert label(window, "verifyResultLabel") == ""  # nothing was verified


@pytest.fixture
def relayed(mail: Dovecot) -> Iterator[tuple[Dovecot, Any]]:
    """A sandbox of its own that mails every code into Dovecot over LMTP."""
    from app.sandbox import Sandbox

    with Sandbox(smtp=f"lmtp://127.0.0.1:{mail.lmtp_port}") as pool:
        yield mail, pool


@pytest.mark.slow
@pytest.mark.linux_only
def test_a_code_mailed_to_a_real_mailbox_is_verified_and_no_file_holds_it_or_the_password(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, relayed: tuple[Dovecot, Any],
    verifydesk_home: Path, tmp_path: Path,
) -> None:
    mail, pool = relayed
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    log_file = configure_logging(app_paths().ensure(), level=logging.DEBUG)
    try:
        user = pool.control.create_user()
        save_sandbox_profile(pool.info, code_source=_imap_source(mail, wait_s=20.0))
        secrets = MemorySecretStore()
        secrets.set(SecretKind.MAILBOX_PASSWORD, PROFILE, PASSWORD)
        window = open_window(qtbot, secrets=secrets)
        sign_in(qtbot, window, user["username"], user["password"])
        seen = _watch_codes(window)
        _tick_verify_on_arrival(qtbot, window)
        _send_email(qtbot, window)
        qtbot.waitUntil(lambda: label(window, "verifyResultLabel") == "✓ email verified.", timeout=30_000)
        assert seen == [pool.control.latest_code(user["username"], "email")]
        status = label(window, "codeWaitStatusLabel")
        assert "from no-reply@verificationemail.com" in status
        assert f"imap://qa@127.0.0.1:{mail.imap_port}/INBOX" in status
        assert label(window, "attributeBadgeLabel") == "✓ verified"
        window.close()
    finally:
        for handler in root.handlers:
            handler.flush()
        root.setLevel(previous)
    assert "fetched from imap://" in log_file.read_text(encoding="utf-8")
    written = files_under(verifydesk_home, tmp_path)
    assert {"profiles.json", "verifydesk.log"} <= {path.name for path in written}
    assert find_secrets(written, {"mailbox password": PASSWORD, "code": seen[0]}) == []
