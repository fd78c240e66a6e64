"""Code source specs (what each part means, errors that name the wrong part), the mailbox password's
origin, and the redaction of one-time codes."""

from __future__ import annotations

import pytest

from app.core.codes import (
    ImapSpec,
    S3Spec,
    SandboxSpec,
    SourceContext,
    SourceSpecError,
    mailbox_password,
    parse_source_spec,
)
from app.core.codes.model import MAILBOX_PASSWORD_MISSING, CodeSourceError
from app.core.redaction import REDACTED, SecretRegistry
from app.core.secrets import MemorySecretStore, SecretKind


@pytest.mark.parametrize(("text", "spec"), [
    ("sandbox", SandboxSpec()),
    (" Sandbox ", SandboxSpec()),
    ("imap://qa%40example.com@mail.example.com/INBOX",
     ImapSpec("qa@example.com", "mail.example.com", 143, "INBOX", implicit_tls=False)),
    ("imaps://qa@mail.example.com:1993/Codes%20Box",
     ImapSpec("qa", "mail.example.com", 1993, "Codes Box", implicit_tls=True)),
    ("imaps://qa@mail.example.com", ImapSpec("qa", "mail.example.com", 993, "INBOX", implicit_tls=True)),
    ("s3://ses-inbound/mail/", S3Spec("ses-inbound", "mail/")),
    ("s3://ses-inbound", S3Spec("ses-inbound", "")),
])
def test_each_form_of_source_parses_into_its_parts(text: str, spec: object) -> None:
    assert parse_source_spec(text) == spec


def test_an_imap_spec_prints_back_as_its_url() -> None:
    text = "imap://qa%40example.com@mail.example.com:1143/Codes%20Box"
    assert str(parse_source_spec(text)) == text


@pytest.mark.parametrize(("text", "says"), [
    ("", "the code source is empty"),
    ("imap://mail.example.com/INBOX", "the user is missing"),
    ("imap://qa:hunter2@mail.example.com/INBOX", "the password does not belong in the URL"),
    ("imap://qa@mail.example.com:99999/INBOX", "the port must be a number"),
    ("imap://qa@:143/INBOX", "the host is missing"),
    ("pop3://qa@mail.example.com", "unknown scheme pop3://"),
    ("s3:///prefix", "the bucket is missing"),
    ("s3://Bad_Bucket/x", "is not an S3 bucket name"),
    ("my-mailbox", "is not a code source"),
])
def test_bad_specs_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(SourceSpecError, match=says) as raised:
        parse_source_spec(text)
    assert "hunter2" not in str(raised.value)


def test_a_saved_source_name_resolves_and_its_errors_name_it() -> None:
    saved = {"team inbox": "imaps://qa@mail.example.com/INBOX", "broken": "imap://nobody"}
    assert parse_source_spec("team inbox", saved) == ImapSpec("qa", "mail.example.com", 993, "INBOX", True)
    with pytest.raises(SourceSpecError, match=r"the saved source 'broken': .*the user is missing"):
        parse_source_spec("broken", saved)
    with pytest.raises(SourceSpecError, match=r"or a saved source \(broken, team inbox\)"):
        parse_source_spec("other", saved)


def test_the_mailbox_password_comes_from_the_environment_then_the_keyring() -> None:
    store = MemorySecretStore()
    store.set(SecretKind.MAILBOX_PASSWORD, "qa", "from-keyring")
    assert mailbox_password(SourceContext(profile_name="qa", secrets=store, environ={})) == "from-keyring"
    env = {"VERIFYDESK_IMAP_PASSWORD": "from-env"}
    assert mailbox_password(SourceContext(profile_name="qa", secrets=store, environ=env)) == "from-env"
    with pytest.raises(CodeSourceError) as raised:
        mailbox_password(SourceContext(profile_name="other", secrets=store, environ={}))
    assert raised.value.code == MAILBOX_PASSWORD_MISSING
    assert "VERIFYDESK_IMAP_PASSWORD" in raised.value.message


def test_a_code_is_redacted_where_it_stands_alone_not_inside_longer_numbers() -> None:
    registry = SecretRegistry()
    registry.add_code("482913")
    text = 'code 482913; {"Code": "482913"} at 1764482913000 id a482913b'
    assert registry.redact(text) == f'code {REDACTED}; {{"Code": "{REDACTED}"}} at 1764482913000 id a482913b'
    registry.clear()
    assert registry.redact("code 482913") == "code 482913"


def test_the_sandbox_source_needs_a_sandbox_endpoint() -> None:
    from app.core.codes import open_source

    with pytest.raises(SourceSpecError, match="the sandbox source needs a sandbox profile"):
        open_source(SandboxSpec(), SourceContext())


def test_code_source_errors_carry_their_own_guidance() -> None:
    from app.core.codes.model import CODE_NOT_RECEIVED

    error = CodeSourceError(CODE_NOT_RECEIVED, "No message to qa@example.test arrived.")
    assert error.guidance.startswith("No message to the destination arrived")
    assert "the pool's email configuration" in error.entry_in(None).next_step
