"""Codes from where they are delivered: an IMAP mailbox, an S3 bucket fed by SES, or the sandbox.

One interface (`CodeSource.wait`): given the destination's real value, the moment the send started
and a timeout, wait for the newest message to that destination that arrived after the send and
return the code with where it came from. Every wait blocks, is bounded by its timeout and stops as
soon as the caller sets its cancel event (the window runs it in an executor, the CLI directly).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from re import Pattern

from app.core.codes.extract import PatternError, compile_pattern, find_code, parse_message
from app.core.codes.model import (
    CODE_NOT_IN_MESSAGE,
    CODE_NOT_RECEIVED,
    DEFAULT_PATTERN,
    MAILBOX_PASSWORD_MISSING,
    CodeQuery,
    CodeSource,
    CodeSourceError,
    FoundCode,
)
from app.core.codes.spec import (
    ImapSpec,
    S3Spec,
    SandboxSpec,
    SourceSpec,
    SourceSpecError,
    parse_source_spec,
)
from app.core.redaction import SECRETS
from app.core.secrets import SecretKind, SecretStore

IMAP_PASSWORD_ENV = "VERIFYDESK_IMAP_PASSWORD"

__all__ = [
    "CODE_NOT_IN_MESSAGE", "CODE_NOT_RECEIVED", "IMAP_PASSWORD_ENV", "CodeQuery", "CodeSource",
    "CodeSourceError", "FoundCode", "ImapSpec", "PatternError", "S3Spec", "SandboxSpec",
    "SourceContext", "SourceSpec", "SourceSpecError", "compile_pattern", "find_code",
    "mailbox_password", "open_source", "parse_message", "parse_source_spec",
]


@dataclass(frozen=True)
class SourceContext:
    """What opening a source needs beyond its spec: the profile (keyring entry, sandbox endpoint,
    AWS access for S3), the CA file for IMAP and the code pattern."""

    profile_name: str | None = None
    sandbox_endpoint_url: str | None = None
    region: str = "us-east-1"
    aws_profile: str | None = None
    s3_endpoint_url: str | None = None
    static_credentials: tuple[str, str] | None = field(default=None, repr=False)
    ca_file: Path | None = None
    pattern: Pattern[str] = DEFAULT_PATTERN
    secrets: SecretStore | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    use_idle: bool = True


def mailbox_password(context: SourceContext) -> str:
    """VERIFYDESK_IMAP_PASSWORD, else the profile's mailbox password in the keyring."""
    value = context.environ.get(IMAP_PASSWORD_ENV)
    if value:
        SECRETS.add(value)
        return value
    if context.secrets is not None and context.profile_name:
        stored = context.secrets.get(SecretKind.MAILBOX_PASSWORD, context.profile_name)
        if stored:
            return stored
    where = f" or the keyring of profile {context.profile_name!r}" if context.profile_name else ""
    raise CodeSourceError(
        MAILBOX_PASSWORD_MISSING, f"No mailbox password: {IMAP_PASSWORD_ENV} is not set{where}."
    )


def open_source(spec: SourceSpec, context: SourceContext) -> CodeSource:
    """The source `spec` names, ready to `wait` (nothing is connected yet)."""
    if isinstance(spec, SandboxSpec):
        from app.core.codes.sandbox import SandboxSource

        if not context.sandbox_endpoint_url:
            raise SourceSpecError("the sandbox source needs a sandbox profile or --endpoint-url of a sandbox")
        return SandboxSource(context.sandbox_endpoint_url, pattern=context.pattern)
    if isinstance(spec, ImapSpec):
        from app.core.codes.imap import ImapSource

        return ImapSource(spec, mailbox_password(context), ca_file=context.ca_file,
                          pattern=context.pattern, use_idle=context.use_idle)
    from app.core.codes.s3 import S3Source

    return S3Source(spec, region=context.region, aws_profile=context.aws_profile,
                    endpoint_url=context.s3_endpoint_url, static_credentials=context.static_credentials,
                    pattern=context.pattern)
