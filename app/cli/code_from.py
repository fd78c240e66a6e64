"""`--code-from SOURCE`: wait for the delivered code in a code source, then verify it.

The source and pattern are checked before anything is sent (bad ones are exit 2 at their option), and
the source is opened then too, so a missing mailbox password is said before a code goes out. The
wait looks for the newest message to the destination's real value (GetUser's, or the new value of an
attribute change) that arrived after the send. History keeps the source, the message's date and the
wait with the verify; never the message, the code or the mailbox password.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from re import Pattern
from typing import Any

from app.cli.common import BadInputError, shown
from app.cli.home import RecordingHistory
from app.core.code_source_settings import SavedCodeSource
from app.core.codes import (
    CodeQuery,
    CodeSource,
    CodeSourceError,
    PatternError,
    SourceContext,
    SourceSpec,
    SourceSpecError,
    compile_pattern,
    open_source,
    parse_source_spec,
)
from app.core.codes.spec import ImapSpec
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.errors import ErrorContext, ServiceError
from app.core.history import CodeWait
from app.core.redaction import SECRETS

CODE_LIFETIME = timedelta(hours=24)
"""How far back `verify --code-from` looks: a code Cognito sent is valid for 24 hours."""


@dataclass(frozen=True)
class CodeFromRequest:
    """`--code-from` and its options, checked: the source's spec, the pattern, the wait."""

    spec: SourceSpec
    pattern: Pattern[str]
    timeout_s: float


@dataclass(frozen=True)
class CodeFrom:
    """An opened code source and how long to wait in it."""

    source: CodeSource
    timeout_s: float


SAVED_SOURCE_NAME = "profile"
"""`--code-from profile`: the code source saved in `--profile` (Edit profile → Code source)."""


def _saved_source(args: argparse.Namespace) -> SavedCodeSource | None:
    """The code source saved in `--profile`, if it has one."""
    if not args.profile:
        return None
    from app.core.paths import app_paths
    from app.core.profiles import ProfileStore

    profile = ProfileStore(app_paths().profiles_file).get(args.profile)
    return profile.code_source if profile is not None else None


def _saved_sources(saved: SavedCodeSource | None) -> Mapping[str, str] | None:
    """The saved source by the name `--code-from` knows it (name → spec)."""
    if saved is None:
        return None
    try:
        return {SAVED_SOURCE_NAME: str(saved.spec())}
    except SourceSpecError:
        return None


def check_code_from(args: argparse.Namespace) -> CodeFromRequest | None:
    """`--code-from` and its options checked before anything is sent (None without the option); bad
    input at its option."""
    if not getattr(args, "code_from", None):
        return None
    saved = _saved_source(args) if args.code_from.strip() == SAVED_SOURCE_NAME else None
    try:
        spec = parse_source_spec(args.code_from, _saved_sources(saved))
    except SourceSpecError as exc:
        raise BadInputError("--code-from", str(exc)) from None
    pattern_text = args.code_pattern
    if pattern_text is None and saved is not None:  # the saved source's own pattern
        pattern_text = saved.pattern or None
    try:
        pattern = compile_pattern(pattern_text)
    except PatternError as exc:
        raise BadInputError("--code-pattern", str(exc)) from None
    if args.imap_ca_file is not None and not args.imap_ca_file.is_file():
        raise BadInputError("--imap-ca-file", f"{args.imap_ca_file} is not a readable file.")
    return CodeFromRequest(spec, pattern, args.code_timeout)


def open_code_from(
    args: argparse.Namespace, request: CodeFromRequest, settings: ConnectionSettings
) -> CodeFrom:
    """The checked source, opened (nothing is connected yet): a sandbox source at the connection's
    endpoint, an IMAP one with its password; raises CodeSourceError when no password is known."""
    spec, secrets = request.spec, None
    if isinstance(spec, ImapSpec) and args.profile:
        from app.core.secrets import default_secret_store

        secrets = default_secret_store()
    context = SourceContext(
        profile_name=args.profile, sandbox_endpoint_url=settings.effective_endpoint_url,
        region=settings.region, aws_profile=getattr(args, "aws_profile", None), ca_file=args.imap_ca_file,
        pattern=request.pattern, secrets=secrets,
    )
    try:
        source = open_source(spec, context)
    except SourceSpecError as exc:
        raise BadInputError("--code-from", str(exc)) from None
    return CodeFrom(source, request.timeout_s)


def code_source_error(error: ServiceError) -> dict[str, Any]:
    """A failed wait or verify as the `verify.error` object: code, message, details, what to do next."""
    entry = error.entry_in(ErrorContext(operation="verify"))
    return {"code": error.code, "message": error.message, "details": dict(error.details),
            "http_status": error.http_status, "request_id": error.request_id,
            "guidance": entry.guidance, "next_step": entry.next_step}


def wait_and_verify(
    code_from: CodeFrom, conn: CognitoConnection, history: RecordingHistory, *, token: str,
    username: str | None, attribute: str, destination: str, sent_after: datetime,
) -> dict[str, Any]:
    """Wait for the code sent to `destination` after `sent_after`, verify it (recorded with where the
    code came from): the `verify` object {"ok", "error", "code_source", "wait_ms", "history_id"}."""
    from app.core.recording import verify_recorded

    result: dict[str, Any] = {"ok": False, "error": None, "code_source": None, "wait_ms": None,
                              "history_id": None, "searched": code_from.source.description}
    try:
        query = CodeQuery(destination, sent_after, code_from.timeout_s)
    except ValueError as exc:
        result["error"] = code_source_error(CodeSourceError("CodeSourceError", str(exc)))
        return result
    started = datetime.now(UTC)
    try:
        found = code_from.source.wait(query, threading.Event())
    except ServiceError as error:
        result["error"] = code_source_error(error)
        result["wait_ms"] = round((datetime.now(UTC) - started).total_seconds() * 1000.0, 1)
        return result
    SECRETS.add_code(found.code)
    provenance = found.provenance()
    result["code_source"] = {key: provenance[key] for key in ("message_date", "from", "subject")}
    result["wait_ms"] = round(found.wait_ms, 1)
    wait = CodeWait(found.source, found.message_date, round(found.wait_ms, 1))
    verified = verify_recorded(conn, history, access_token=token, username=username,
                               attribute_name=attribute, code=found.code, code_wait=wait)
    result["history_id"] = verified.history_id
    if verified.error is not None:
        result["error"] = code_source_error(verified.error)
        return result
    assert verified.result is not None
    result.update(ok=True, request_id=verified.result.request_id,
                  latency_ms=round(verified.result.latency_ms, 1))
    return result


def real_value(conn: CognitoConnection, token: str, attribute: str) -> str:
    """The attribute's value from GetUser (not the masked destination); ServiceError when it fails,
    CodeSourceError when the user has none."""
    from app.core.calls import get_user

    found = get_user(conn, token).attribute(attribute)
    if found is None or not found.value:
        raise CodeSourceError("CodeSourceError", f"The user has no {attribute} to wait for a code at.")
    return found.value


def no_code_sent(attribute: str, code_from: CodeFrom) -> dict[str, Any]:
    """The `verify` object of a change that sent no code (an attribute that needs none)."""
    error = CodeSourceError("CodeSourceError", f"The change sent no code for {attribute} (only a changed "
                            "email or phone number gets one), so there is nothing to wait for.")
    return {"ok": False, "error": code_source_error(error), "code_source": None, "wait_ms": None,
            "history_id": None, "searched": code_from.source.description}


def source_failed(error: ServiceError) -> dict[str, Any]:
    """The payload when the source could not be used before anything was sent (no password, no
    value to wait at, GetUser failed)."""
    return {"ok": False, "error": code_source_error(error), "history_id": None}


def error_text(error: Mapping[str, Any]) -> list[str]:
    """An `error` object as lines: code, message, details, next step."""
    lines = [f"Error: {shown(error['code'])}: {shown(error['message'])}"]
    for key, value in (error.get("details") or {}).items():
        lines.append(f"  {shown(key)}: {shown(value)}")
    lines.append(f"  Next: {shown(error['next_step'])}")
    return lines


def verify_text(attribute: str, verify: Mapping[str, Any]) -> str:
    """The wait and verify as lines of text, every value shown escaped."""
    source = verify.get("code_source")
    if source:
        got = (f"Code from {shown(verify['searched'])} after {shown(verify['wait_ms'])} ms (message of "
               f"{shown(source['message_date'])} from {shown(source['from'])}, subject "
               f"{shown(source['subject'])})")
    else:
        got = f"No code from {shown(verify['searched'])}"
    error = verify.get("error")
    if error is None:
        return f"{got}: {shown(attribute)} verified (history #{shown(verify['history_id'])})."
    return "\n".join([f"{got}.", *error_text(error)])


def lookback_start() -> datetime:
    """Where `verify --code-from` starts looking: the oldest moment a still-valid code was sent."""
    return datetime.now(UTC) - CODE_LIFETIME
