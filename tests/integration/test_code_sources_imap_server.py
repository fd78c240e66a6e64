"""The IMAP source against Dovecot set up like real servers: TLS with a self-signed certificate
(imaps and STARTTLS), and a mailbox of 10,000 unrelated messages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.codes import CodeQuery, CodeSourceError, SourceContext, open_source, parse_source_spec
from app.core.codes.model import MAILBOX_TLS_ERROR

from support.dovecot import PASSWORD, Dovecot, dovecot_server, ses_message

pytestmark = [pytest.mark.slow, pytest.mark.linux_only]  # Dovecot
ENV = {"VERIFYDESK_IMAP_PASSWORD": PASSWORD}


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost signed by its own key; (certificate, key) PEM files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "VerifyDesk test IMAP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "imap-cert.pem", folder / "imap-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o644)  # Dovecot reads it as root before dropping privileges; a throw-away key
    return cert_file, key_file


@pytest.fixture(scope="module")
def tls_mail() -> Iterator[tuple[Dovecot, Path]]:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="verifydesk-cert-"))  # not tmp_path: Dovecot must reach it
    folder.chmod(0o755)
    cert, key = _self_signed(folder)
    try:
        with dovecot_server(("qa",), cert=(cert, key)) as server:
            yield server, cert
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait(url: str, to: str, context: SourceContext, sent: datetime, timeout_s: float = 5.0) -> str:
    source = open_source(parse_source_spec(url), context)
    return source.wait(CodeQuery(to, sent, timeout_s), threading.Event()).code


@pytest.mark.parametrize("imaps", [True, False], ids=["imaps", "starttls"])
def test_a_self_signed_certificate_is_refused_without_its_ca_file_and_accepted_with_it(
    tls_mail: tuple[Dovecot, Path], imaps: bool
) -> None:
    server, cert = tls_mail
    sent = datetime.now(UTC)
    to = f"qa+tls{int(imaps)}@example.test"
    server.append("qa", ses_message(to, "343434"), when=sent)  # plain IMAP login is allowed on loopback
    url = server.url("qa", imaps=imaps)
    with pytest.raises(CodeSourceError) as refused:
        _wait(url, to, SourceContext(environ=ENV), sent)
    assert refused.value.code == MAILBOX_TLS_ERROR
    assert "could not be verified" in refused.value.message
    assert "give its CA file" in refused.value.message
    assert _wait(url, to, SourceContext(environ=ENV, ca_file=cert), sent) == "343434"


def test_a_ca_file_that_is_not_pem_is_a_clear_tls_error(tls_mail: tuple[Dovecot, Path], tmp_path: Path) -> None:
    server, _ = tls_mail
    bad = tmp_path / "not-a-cert.pem"
    bad.write_text("hello")
    with pytest.raises(CodeSourceError) as raised:
        _wait(server.url("qa", imaps=True), "qa@example.test", SourceContext(environ=ENV, ca_file=bad),
              datetime.now(UTC))
    assert raised.value.code == MAILBOX_TLS_ERROR
    assert str(bad) in raised.value.message


@pytest.fixture(scope="module")
def big_mailbox() -> Iterator[Dovecot]:
    """A mailbox of 10,000 unrelated messages (written straight into its Maildir), opened once."""
    with dovecot_server(("bulk",)) as server:
        old = datetime.now(UTC) - timedelta(days=3)
        template = ses_message("user{n}@example.test", "{code}", when=old)
        server.write_maildir("bulk", [
            template.replace(b"{n}", b"%d" % n).replace(b"{code}", b"%d" % (100000 + n)) for n in range(10_000)
        ], old)
        from imapclient import IMAPClient

        with IMAPClient("127.0.0.1", server.imap_port, ssl=False, timeout=60) as client:
            client.login("bulk", PASSWORD)
            assert client.select_folder("INBOX", readonly=True)[b"EXISTS"] == 10_000  # indexed now
        yield server


def test_a_code_is_found_in_a_mailbox_of_10000_messages(big_mailbox: Dovecot) -> None:
    sent = datetime.now(UTC)
    big_mailbox.append("bulk", ses_message("user42@example.test", "565656"), when=sent)
    code = _wait(big_mailbox.url("bulk"), "user42@example.test", SourceContext(environ=ENV), sent)
    assert code == "565656"  # how long it takes next to a bare IMAP search is a bench figure
