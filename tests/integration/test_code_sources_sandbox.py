"""The sandbox inbox through the code source interface, and the sandbox mailing for real: its emails
relayed over LMTP into Dovecot, read back over IMAP and verified, leaving no code or mailbox password
in any file written on the way."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.core.calls import get_user, send_verification_code, verify_attribute
from app.core.codes import (
    CODE_NOT_RECEIVED,
    CodeQuery,
    CodeSourceError,
    SourceContext,
    open_source,
    parse_source_spec,
)
from app.core.error_catalogue import CANCELLED
from app.core.logs import configure_logging
from app.core.paths import app_paths
from app.sandbox.mail_relay import parse_relay_target

from support.dovecot import PASSWORD, dovecot_server, free_port
from support.sandbox_session import connect, signed_in
from support.secret_scan import files_under, find_secrets


def _sandbox_source(info: Any) -> Any:
    return open_source(parse_source_spec("sandbox"), SourceContext(sandbox_endpoint_url=info.endpoint_url))


def test_the_sandbox_source_gives_the_code_of_the_newest_send(sandbox_info: Any, fresh_user: dict[str, str]) -> None:
    conn = connect(sandbox_info)
    tokens = signed_in(conn, fresh_user)
    send_verification_code(conn, tokens.access_token, "email")  # an older code, not wanted
    sent = datetime.now(UTC)
    send_verification_code(conn, tokens.access_token, "email")
    found = _sandbox_source(sandbox_info).wait(CodeQuery(fresh_user["email"], sent, 5), threading.Event())
    assert found.subject
    assert found.code in found.line
    verify_attribute(conn, tokens.access_token, "email", found.code)
    email = next(a for a in get_user(conn, tokens.access_token).attributes if a.name == "email")
    assert email.verified is True


def test_the_sandbox_source_times_out_and_cancels(sandbox_info: Any) -> None:
    source = _sandbox_source(sandbox_info)
    query = CodeQuery("nobody@example.com", datetime.now(UTC), 0.5)
    with pytest.raises(CodeSourceError) as raised:
        source.wait(query, threading.Event())
    assert raised.value.code == CODE_NOT_RECEIVED
    assert raised.value.details["searched"] == "the sandbox inbox"
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CodeSourceError) as cancelled:
        source.wait(CodeQuery("nobody@example.com", datetime.now(UTC), 30), cancel)
    assert cancelled.value.code == CANCELLED


@pytest.mark.parametrize(("text", "says"), [
    ("mail.example.com", "HOST:PORT"), ("smtp://mail:0", "port must be"), ("pop://h:1", "lmtp://"),
])
def test_a_bad_smtp_target_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_relay_target(text)
    assert str(parse_relay_target("lmtp://127.0.0.1:24")) == "lmtp://127.0.0.1:24"
    assert str(parse_relay_target("mail:25")) == "smtp://mail:25"


@pytest.fixture
def relayed() -> Iterator[tuple[Any, Any]]:
    """Dovecot with LMTP delivering every address into qa's mailbox, and a sandbox mailing to it."""
    from app.sandbox import Sandbox

    with dovecot_server(("qa",), lmtp=True, catch_all="qa") as mail, \
            Sandbox(smtp=f"lmtp://127.0.0.1:{mail.lmtp_port}") as pool:
        yield mail, pool


@pytest.mark.slow
@pytest.mark.linux_only
def test_sandbox_mail_goes_through_lmtp_and_imap_to_a_verified_email(
    relayed: tuple[Any, Any], verifydesk_home: Path, tmp_path: Path
) -> None:
    mail, pool = relayed
    configure_logging(app_paths(), level=logging.DEBUG)
    user = pool.control.create_user()
    conn = connect(pool.info)
    tokens = signed_in(conn, user)
    sent = datetime.now(UTC)
    send_verification_code(conn, tokens.access_token, "email")
    source = open_source(parse_source_spec(mail.url("qa")), SourceContext(environ={"VERIFYDESK_IMAP_PASSWORD": PASSWORD}))
    found = source.wait(CodeQuery(user["email"], sent, 15), threading.Event())
    # Logged on purpose: the one-time code must leave the log file redacted.
    logging.getLogger("verifydesk.test").info("fetched %s from %s: %s", found.code, found.source, found.line)
    assert found.code == pool.control.latest_code(user["username"], "email")
    assert found.sender == "no-reply@verificationemail.com"
    verify_attribute(conn, tokens.access_token, "email", found.code)
    email = next(a for a in get_user(conn, tokens.access_token).attributes if a.name == "email")
    assert email.verified is True
    assert pool.relay.sent == 1
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = files_under(verifydesk_home, tmp_path)
    assert any(path.name == "verifydesk.log" for path in written)
    assert find_secrets(written, {"mailbox password": PASSWORD, "code": found.code}) == []


def test_the_sandbox_command_refuses_a_bad_smtp_target_naming_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    assert main(["sandbox", "--smtp", "no-port-here"]) == 2
    assert "--smtp 'no-port-here': give the mail server as HOST:PORT" in capsys.readouterr().err


def test_the_sandbox_relays_over_smtp_as_cognito_would_mail(fresh_user: dict[str, str]) -> None:
    """A real SMTP server (aiosmtpd) receives the email; the code source's extractor reads it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from app.core.codes import find_code, parse_message
    from app.sandbox import Sandbox

    received: list[tuple[str, list[str], bytes]] = []

    class Keep(Sink):
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            return "250 OK"

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with Sandbox(smtp=f"127.0.0.1:{port}") as pool:
            user = pool.control.create_user()
            conn = connect(pool.info)
            send_verification_code(conn, signed_in(conn, user).access_token, "email")
            code = pool.control.latest_code(user["username"], "email")
    finally:
        controller.stop()
    assert len(received) == 1
    sender, recipients, raw = received[0]
    assert (sender, recipients) == ("no-reply@verificationemail.com", [user["email"]])
    message = parse_message(raw)
    assert message.is_to(user["email"])
    match = find_code(message.texts)
    assert match is not None
    assert match.code == code


def test_a_mail_server_that_is_down_does_not_stop_the_send(caplog: pytest.LogCaptureFixture) -> None:
    from app.sandbox import Sandbox

    with Sandbox(smtp=f"127.0.0.1:{free_port()}") as pool:
        user = pool.control.create_user()
        conn = connect(pool.info)
        result = send_verification_code(conn, signed_in(conn, user).access_token, "email")
        code = pool.control.latest_code(user["username"], "email")
        relay = pool.relay
    assert result.delivery is not None
    assert (relay.sent, relay.failed) == (0, 1)
    assert "did not take message" in caplog.text
    assert code not in caplog.text


def test_an_html_message_from_a_trigger_yields_the_code_not_its_colours(tmp_path: Path) -> None:
    from app.sandbox import Sandbox

    handler = tmp_path / "html_trigger.py"
    handler.write_text(
        "def handler(event, context):\n"
        "    event['response']['emailSubject'] = 'Confirm'\n"
        "    event['response']['emailMessage'] = ('<html><body style=\"color:#123456\"><p>Order 987654</p>'\n"
        "        '<p>Your verification code: <b>{####}</b></p></body></html>')\n"
        "    return event\n"
    )
    with Sandbox(trigger=f"{handler}:handler") as pool:
        user = pool.control.create_user()
        conn = connect(pool.info)
        sent = datetime.now(UTC)
        send_verification_code(conn, signed_in(conn, user).access_token, "email")
        found = _sandbox_source(pool.info).wait(CodeQuery(user["email"], sent, 5), threading.Event())
        assert found.code == pool.control.latest_code(user["username"], "email")
    assert found.subject == "Confirm"
    assert found.line == f"Your verification code: {found.code}"


def test_a_masked_destination_is_refused_with_what_to_give_instead() -> None:
    with pytest.raises(ValueError, match="masked destination; give the attribute's real value"):
        CodeQuery("a***@e***", datetime.now(UTC), 5)
