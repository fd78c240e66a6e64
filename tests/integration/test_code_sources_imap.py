"""The IMAP code source against a real Dovecot: search on the server, IDLE and polling, read-only,
plus-addressing, big mailboxes, refused logins, dropped connections and size guards."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from imapclient import IMAPClient

from app.core.codes import (
    CODE_NOT_IN_MESSAGE,
    CODE_NOT_RECEIVED,
    CodeQuery,
    CodeSourceError,
    FoundCode,
    SourceContext,
    open_source,
    parse_source_spec,
)
from app.core.codes.model import (
    MAILBOX_CONNECTION_LOST,
    MAILBOX_LOGIN_FAILED,
    MAILBOX_NOT_FOUND,
    MAILBOX_UNREACHABLE,
)
from app.core.error_catalogue import CANCELLED
from app.core.logs import configure_logging
from app.core.paths import app_paths

from support.dovecot import PASSWORD, Dovecot, dovecot_server, free_port, ses_message
from support.secret_scan import files_under, find_secrets

pytestmark = [pytest.mark.slow, pytest.mark.linux_only]  # Dovecot
CONTEXT = SourceContext(environ={"VERIFYDESK_IMAP_PASSWORD": PASSWORD})
WRONG_PASSWORD = "not-the-password"
_codes_found: list[str] = []


@pytest.fixture(autouse=True)
def nothing_secret_written(verifydesk_home: Path, tmp_path: Path) -> Iterator[None]:
    """Each test logs at DEBUG into its VERIFYDESK_HOME; afterwards no file written holds the mailbox
    password (right or wrong) or a code found."""
    configure_logging(app_paths(), level=logging.DEBUG)
    _codes_found.clear()
    yield
    for handler in logging.getLogger().handlers:
        handler.flush()
    secrets = {"mailbox password": PASSWORD, "wrong password": WRONG_PASSWORD}
    secrets.update({f"code {code}": code for code in _codes_found})
    assert find_secrets(files_under(verifydesk_home, tmp_path), secrets) == []


@pytest.fixture(scope="module")
def mail() -> Iterator[Dovecot]:
    with dovecot_server(("qa", "other")) as server:
        yield server


def _address() -> str:
    """A fresh plus-address of the qa mailbox (a catch-all of sorts), so tests never share mail."""
    return f"qa+{uuid.uuid4().hex[:10]}@example.test"


def _wait(url: str, destination: str, *, timeout_s: float = 10.0, sent_after: datetime | None = None,
          cancel: threading.Event | None = None, context: SourceContext = CONTEXT) -> FoundCode:
    source = open_source(parse_source_spec(url), context)
    query = CodeQuery(destination, sent_after or datetime.now(UTC), timeout_s)
    found = source.wait(query, cancel or threading.Event())
    _codes_found.append(found.code)
    logging.getLogger("verifydesk.test").info("code %s in %r", found.code, found.line)  # must be redacted
    return found


def _error(*args: object, **kwargs: object) -> CodeSourceError:
    try:
        found = _wait(*args, **kwargs)  # type: ignore[arg-type]
    except CodeSourceError as error:
        return error
    raise AssertionError(f"expected an error, got {found!r}")


def _later(seconds: float, action: object, *args: object, **kwargs: object) -> threading.Timer:
    timer = threading.Timer(seconds, action, args, kwargs)  # type: ignore[arg-type]
    timer.start()
    return timer


def test_an_older_message_with_another_code_is_ignored_and_the_new_one_found(mail: Dovecot) -> None:
    to = _address()
    sent = datetime.now(UTC)
    mail.append("qa", ses_message(to, "111111"), when=sent - timedelta(minutes=5))
    mail.append("qa", ses_message(to, "222222"), when=sent + timedelta(seconds=1))
    found = _wait(mail.url("qa"), to, sent_after=sent)
    assert found.code == "222222"
    assert found.subject == "Your verification code"
    assert found.sender == "no-reply@verificationemail.com"
    assert found.line == "Vérification: your verification code is 222222."
    assert found.message_date is not None


def test_the_newest_of_two_messages_after_the_send_wins(mail: Dovecot) -> None:
    to, sent = _address(), datetime.now(UTC) - timedelta(seconds=30)
    mail.append("qa", ses_message(to, "333333"), when=sent + timedelta(seconds=5))
    mail.append("qa", ses_message(to, "444444"), when=sent + timedelta(seconds=10))
    assert _wait(mail.url("qa"), to, sent_after=sent).code == "444444"


def test_a_message_to_another_recipient_is_ignored(mail: Dovecot) -> None:
    to, sent = _address(), datetime.now(UTC)
    mail.append("qa", ses_message(f"x{to}", "555555"), when=sent)  # contains `to`: the server's
    mail.append("qa", ses_message("qa+else@example.test", "555556"), when=sent)  # match is a substring
    error = _error(mail.url("qa"), to, timeout_s=1.5, sent_after=sent)
    assert error.code == CODE_NOT_RECEIVED
    assert to in error.message
    assert error.details["recipient"] == to
    assert error.details["searched"] == "127.0.0.1 mailbox INBOX"
    assert "spam" in error.entry.next_step


@pytest.mark.parametrize("idle", [True, False], ids=["idle", "polling"])
def test_a_message_arriving_2_s_after_the_wait_began_is_found(idle: bool) -> None:
    with dovecot_server(("qa",), idle=idle) as server:
        to = _address()
        started = time.monotonic()
        timer = _later(2.0, server.append, "qa", ses_message(to, "606060"))
        try:
            found = _wait(server.url("qa"), to, timeout_s=15)
        finally:
            timer.cancel()
        elapsed = time.monotonic() - started
    assert found.code == "606060"
    assert elapsed >= 2.0  # found during the wait, not before; how fast IDLE hears it is a bench figure


def test_a_message_dated_before_the_send_by_a_server_clock_behind_is_found_when_it_arrives_during_the_wait(
    mail: Dovecot,
) -> None:
    to = _address()
    behind = datetime.now(UTC) - timedelta(minutes=2)
    timer = _later(1.0, mail.append, "qa", ses_message(to, "616161"), when=behind)
    try:
        assert _wait(mail.url("qa"), to, timeout_s=10).code == "616161"
    finally:
        timer.cancel()


def test_plus_addressed_mail_delivered_to_the_base_mailbox_is_matched_exactly(mail: Dovecot) -> None:
    sent = datetime.now(UTC)
    tag = uuid.uuid4().hex[:8]
    alice, bob = f"qa+alice{tag}@example.test", f"qa+bob{tag}@example.test"
    mail.append("qa", ses_message(bob, "777001", delivered_to="qa@example.test"), when=sent)
    mail.append("qa", ses_message(alice, "777002", delivered_to="qa@example.test"), when=sent)
    assert _wait(mail.url("qa"), alice, sent_after=sent).code == "777002"
    assert _wait(mail.url("qa"), bob, sent_after=sent).code == "777001"


@pytest.mark.parametrize(("cte", "charset"), [("quoted-printable", "utf-8"), ("base64", "iso-8859-1"),
                                              ("8bit", "windows-1252")])
def test_codes_are_read_in_every_transfer_encoding_and_charset(mail: Dovecot, cte: str, charset: str) -> None:
    to, sent = _address(), datetime.now(UTC)
    mail.append("qa", ses_message(to, "818181", cte=cte, charset=charset), when=sent)
    found = _wait(mail.url("qa"), to, sent_after=sent)
    assert (found.code, found.line) == ("818181", "Vérification: your verification code is 818181.")


def test_waiting_leaves_every_message_unread(mail: Dovecot) -> None:
    to, sent = _address(), datetime.now(UTC)
    mail.append("qa", ses_message(to, "919191"), when=sent)
    assert _wait(mail.url("qa"), to, sent_after=sent).code == "919191"
    with IMAPClient("127.0.0.1", mail.imap_port, ssl=False) as client:
        client.login("qa", PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["HEADER", "To", to])
        flags = client.get_flags(uids)
    assert uids
    assert all(b"\\Seen" not in value for value in flags.values())


def test_a_matching_message_without_a_code_is_reported_with_its_subject(mail: Dovecot) -> None:
    to, sent = _address(), datetime.now(UTC)
    mail.append("qa", ses_message(to, None, subject="Welcome aboard", text="Hello!", html="<p>Hi</p>"), when=sent)
    error = _error(mail.url("qa"), to, timeout_s=1.0, sent_after=sent)
    assert error.code == CODE_NOT_IN_MESSAGE
    assert "'Welcome aboard'" in error.message
    assert error.details["subjects"] == ["Welcome aboard"]


def test_a_custom_pattern_per_source_is_used(mail: Dovecot) -> None:
    from app.core.codes import compile_pattern

    to, sent = _address(), datetime.now(UTC)
    mail.append("qa", ses_message(to, None, text="Ticket 123456. Your PIN: QX7-42", html="<p>PIN QX7-42</p>"),
                when=sent)
    context = SourceContext(environ=CONTEXT.environ, pattern=compile_pattern(r"PIN:? ([A-Z0-9]{3}-[0-9]{2})"))
    assert _wait(mail.url("qa"), to, sent_after=sent, context=context).code == "QX7-42"


def test_a_wrong_password_is_a_clear_refused_login() -> None:
    context = SourceContext(environ={"VERIFYDESK_IMAP_PASSWORD": WRONG_PASSWORD})
    # A server of its own: Dovecot slows later logins from an address that failed one.
    with dovecot_server(("qa",)) as server:
        started = time.monotonic()
        error = _error(server.url("qa"), _address(), timeout_s=600, context=context)
    assert time.monotonic() - started < 60  # answered by the refusal; the wait itself would last 600 s
    assert error.code == MAILBOX_LOGIN_FAILED
    assert error.message.endswith("refused the login of 'qa': [AUTHENTICATIONFAILED] Authentication failed.")
    assert "VERIFYDESK_IMAP_PASSWORD" in error.entry.next_step


def test_an_unknown_mailbox_is_named_in_the_error(mail: Dovecot) -> None:
    error = _error(mail.url("qa", "Codes"), _address(), timeout_s=5)
    assert error.code == MAILBOX_NOT_FOUND
    assert "could not open the mailbox 'Codes'" in error.message
    assert "/INBOX" in error.entry.next_step


def test_no_server_on_the_port_is_unreachable_within_the_timeout() -> None:
    started = time.monotonic()
    error = _error(f"imap://qa@127.0.0.1:{free_port()}/INBOX", _address(), timeout_s=3)
    assert time.monotonic() - started < 30  # the 3 s timeout, with room for a loaded machine; not a hang
    assert error.code == MAILBOX_UNREACHABLE


def test_the_server_closing_the_connection_mid_wait_is_reported_within_the_timeout(mail: Dovecot) -> None:
    started = time.monotonic()
    timer = _later(1.0, mail.kick, "qa")  # closes every session of qa, the waiting one too
    try:
        error = _error(mail.url("qa"), _address(), timeout_s=600)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 60  # reported on the close; the wait itself would last 600 s
    assert error.code == MAILBOX_CONNECTION_LOST
    assert "127.0.0.1" in error.message
    assert "fetch the code again" in error.entry.next_step


@pytest.mark.parametrize("idle", [True, False], ids=["idle", "polling"])
def test_cancel_stops_the_wait_at_once(mail: Dovecot, idle: bool) -> None:
    cancel = threading.Event()
    context = SourceContext(environ=CONTEXT.environ, use_idle=idle)
    _later(1.0, cancel.set)
    started = time.monotonic()
    error = _error(mail.url("qa"), _address(), timeout_s=600, cancel=cancel, context=context)
    assert error.code == CANCELLED
    assert time.monotonic() - started < 60  # cancelled at 1 s; the wait itself would last 600 s


def test_a_25_mb_attachment_and_an_html_bomb_neither_hang_nor_blow_memory(mail: Dovecot) -> None:
    import tracemalloc

    to, sent = _address(), datetime.now(UTC)
    bomb = "<div>" * 300_000 + "<p>Your code is 121212</p>" + "</div>" * 300_000
    mail.append("qa", ses_message(to, "131313", attachment=b"\x00\xfe" * (13 * 1024 * 1024)), when=sent)
    mail.append("qa", ses_message(to, "121212", text="", html=bomb), when=sent + timedelta(seconds=1))
    tracemalloc.start()
    started = time.monotonic()
    found = _wait(mail.url("qa"), to, sent_after=sent)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The bomb's code lies beyond the text read of a part: the message before it answers.
    assert found.code == "131313"
    assert elapsed < 60  # a hang bound, not a speed budget
    assert peak < 60 * 1024 * 1024
