"""What `send`, `verify` and `update-attribute` share: ClientMetadata from options and a file, VerifyDesk's
own checks of the request, the connection and sign-in before it, the recorded call, and how its result
or error is printed (JSON, or text with control characters escaped)."""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from app.cli.common import (
    ACCESS_TOKEN_ENV,
    EXIT_OK,
    EXIT_SERVICE_ERROR,
    PASSWORD_ENV,
    BadInputError,
    emit_json,
    shown,
)
from app.cli.connection import connect, settings_from_args
from app.cli.home import RecordingHistory, open_history
from app.cli.signin import SignInRefusedError, access_token
from app.core.connection import CognitoConnection
from app.core.error_catalogue import CatalogueEntry
from app.core.errors import ErrorContext, ServiceError
from app.core.validation import (
    ACCESS_TOKEN_FIELD,
    ATTRIBUTE_NAME_FIELD,
    ATTRIBUTE_VALUE_FIELD,
    CLIENT_METADATA_FIELD,
    CODE_FIELD,
    MetadataImportError,
    MetadataRow,
    parse_metadata_assignments,
    read_metadata_file,
    request_warnings,
    validate_send,
    validate_update,
    validate_verify,
)

# The error catalogue's name for where a command's call was made, when it differs from the command's.
_ERROR_OPERATIONS = {"update-attribute": "update"}


class CallCancelled(KeyboardInterrupt):
    """Ctrl+C or SIGTERM stopped the command; `history_id` is the attempt left without its answer."""

    def __init__(self, signum: int, history_id: int | None) -> None:
        super().__init__(signum)
        self.signum = signum
        self.history_id = history_id


class Recorded(Protocol):
    """What every recorded call returns (`RecordedSend`, `RecordedVerify`, `RecordedUpdate`)."""

    @property
    def history_id(self) -> int | None: ...

    @property
    def error(self) -> ServiceError | None: ...

    @property
    def history_problem(self) -> str | None: ...


@dataclass(frozen=True)
class CallOutcome:
    """A finished call: its JSON payload and its line of text, or the service error with its row;
    `history_problem` says why history could not record how it ended (None when it did)."""

    payload: dict[str, Any] | None = None
    text: str = ""
    error: ServiceError | None = None
    history_id: int | None = None
    history_problem: str | None = None
    exit_code: int = EXIT_OK
    """Not EXIT_OK: the payload tells of a failure after the call (a code that never came)."""

    @classmethod
    def of(cls, recorded: Recorded, payload: dict[str, Any] | None = None, text: str = "") -> CallOutcome:
        """The outcome of `recorded`: its error, or `payload` and `text` for its result."""
        return cls(payload, text, recorded.error, recorded.history_id, recorded.history_problem)


Call = Callable[[CognitoConnection, RecordingHistory, str, str | None], CallOutcome]
PoolReader = Callable[[CognitoConnection], Iterable[str] | None]
"""Reads the pool's attribute names before signing in (None: not known); raises ServiceError."""


def client_metadata(args: argparse.Namespace) -> dict[str, str]:
    """ClientMetadata from `--metadata-file` and then `--metadata` (a key in both is bad input)."""
    metadata: dict[str, str] = {}
    if args.metadata_file:
        try:
            metadata.update(read_metadata_file(args.metadata_file))
        except MetadataImportError as exc:
            raise BadInputError("--metadata-file", exc.message) from None
    try:
        from_args = parse_metadata_assignments(args.metadata)
    except MetadataImportError as exc:
        raise BadInputError("--metadata", exc.message) from None
    clashes = sorted(set(metadata) & set(from_args))
    if clashes:
        raise BadInputError("--metadata", f"Keys given twice (file and --metadata): {', '.join(clashes)}.")
    metadata.update(from_args)
    return metadata


def delivery_text(attribute: object, delivery: Mapping[str, object] | None) -> str:
    """The line that says where the code went; every value from the server shown escaped."""
    if not delivery:
        return f"Code sent for {shown(attribute)}: no CodeDeliveryDetails in the response"
    medium, destination = delivery.get("DeliveryMedium"), delivery.get("Destination")
    return f"Code sent for {shown(attribute)}: {shown(medium)} to {shown(destination)}"


def run_call(
    args: argparse.Namespace, metadata: dict[str, str], call: Call,
    *, stdin: TextIO, stdout: TextIO, stderr: TextIO, read_pool: PoolReader | None = None,
) -> int:
    """Check, connect, (read the pool with `read_pool`,) sign in, then make the recorded `call` and
    print its outcome."""
    settings = settings_from_args(args, stderr)
    conn = connect(args, settings)
    check_request(args, None, metadata)  # all but the token, before signing in for nothing
    warnings = [f"{_request_option(w.field, args)}: {w.message}"
                for w in request_warnings(args.attribute, metadata)]
    for warning in warnings:  # sent all the same; said before it goes out
        stderr.write(f"Warning: {warning}\n")
    pool_attributes = None
    if read_pool is not None:
        try:
            pool_attributes = read_pool(conn)
        except ServiceError as error:
            return report_service_error(args, error, None, stdout, stderr)
        check_request(args, None, metadata, pool_attributes)
    with open_history(stderr) as store:
        history = RecordingHistory(store)
        try:
            try:
                token, username = access_token(args, conn, stdin)
            except SignInRefusedError as refused:
                return _sign_in_refused(args, refused, stdout, stderr)
            check_request(args, token, metadata, pool_attributes)
            outcome = call(conn, history, token, username)
        except KeyboardInterrupt as stop:
            raise CallCancelled(getattr(stop, "signum", signal.SIGINT), history.in_flight) from None
    problem = outcome.history_problem
    if problem:  # the result is printed all the same: the tester must know the request went out
        stderr.write(f"Note: {problem}\n")
    if outcome.error is not None:
        return report_service_error(args, outcome.error, outcome.history_id, stdout, stderr,
                                    history_problem=problem, warnings=warnings)
    assert outcome.payload is not None
    payload = dict(outcome.payload)
    if problem:
        payload["history_problem"] = problem
    if warnings:
        payload["warnings"] = warnings
    if args.json:
        emit_json(stdout, payload)
    elif outcome.exit_code != EXIT_OK:
        stderr.write(outcome.text + "\n")
    else:
        stdout.write(result_text(outcome.text, payload))
    return outcome.exit_code


def result_text(first_line: str, payload: Mapping[str, object]) -> str:
    """A successful call as two lines of text: what happened, then its request id, time and row."""
    return (
        f"{first_line}\n  request id {shown(payload.get('request_id'))}, "
        f"{shown(payload.get('latency_ms'))} ms, {shown(payload.get('attempts'))} attempt(s), "
        f"history #{shown(payload.get('history_id'))}\n"
    )


def _sign_in_refused(
    args: argparse.Namespace, refused: SignInRefusedError, stdout: TextIO, stderr: TextIO
) -> int:
    entry = refused.error.entry_in(refused.context)
    if refused.remembered_for and refused.error.code == "NotAuthorizedException":
        stderr.write(
            f"Note: this was the password remembered for profile {refused.remembered_for!r}; give the "
            f"current one in ${PASSWORD_ENV} or --password-stdin, or sign in to the profile in the "
            "window to remember it.\n")
    return report_service_error(args, refused.error, None, stdout, stderr, entry=entry)


def check_request(
    args: argparse.Namespace, token: str | None, metadata: dict[str, str],
    pool_attributes: Iterable[str] | None = None,
) -> None:
    """VerifyDesk's own validation of the request (none with --send-anyway), at the first bad option;
    without a token yet, everything but the token; with the pool's attribute names, a change of one
    the pool lacks is refused too."""
    if args.send_anyway:
        return
    rows = [MetadataRow(k, v) for k, v in metadata.items()]
    if args.command == "send":
        problems = validate_send(token or "", args.attribute, rows)
    elif args.command == "verify":
        problems = (validate_verify(token or "", args.attribute, args.code) if args.code is not None
                    else validate_send(token or "", args.attribute))  # the code comes from --code-from
    else:
        problems = validate_update(
            token or "", args.attribute, args.value, rows, pool_attributes=pool_attributes)
    if token is None:
        problems = [p for p in problems if p.field != ACCESS_TOKEN_FIELD]
    if problems:
        options = [_request_option(p.field, args) for p in problems]
        raise BadInputError(options[0], " ".join(
            p.message if option == options[0] else f"{option}: {p.message}"
            for option, p in zip(options, problems, strict=True)))


def _request_option(field: str, args: argparse.Namespace) -> str:
    """The option (or variable) a request field came from."""
    if field == ACCESS_TOKEN_FIELD:
        return "--access-token-stdin" if args.access_token_stdin else ACCESS_TOKEN_ENV
    options = {ATTRIBUTE_NAME_FIELD: "--attribute", CODE_FIELD: "--code", CLIENT_METADATA_FIELD: "--metadata",
               ATTRIBUTE_VALUE_FIELD: "--value"}
    return options.get(field, field)


def _error_payload(error: ServiceError, entry: CatalogueEntry) -> dict[str, Any]:
    return {
        "code": error.code,
        "message": error.message,
        "http_status": error.http_status,
        "request_id": error.request_id,
        "guidance": entry.guidance,
    }


def print_error(stream: TextIO, error: ServiceError, entry: CatalogueEntry) -> None:
    """A service error as text: what the server said (escaped), what it means, what to do next."""
    status = f" (HTTP {shown(error.http_status)})" if error.http_status else ""
    stream.write(f"Error: {shown(error.code)}{status}: {shown(error.message)}\n")
    stream.write(f"  What it means: {shown(entry.explanation)}\n")
    stream.write(f"  Next: {shown(entry.next_step)}\n")
    if error.request_id:
        stream.write(f"  Request id: {shown(error.request_id)}\n")


def report_service_error(
    args: argparse.Namespace, error: ServiceError, history_id: int | None,
    stdout: TextIO, stderr: TextIO, *, entry: CatalogueEntry | None = None,
    history_problem: str | None = None, warnings: Sequence[str] = (),
) -> int:
    """Print a failed call with its catalogue entry (`entry` when the call's context reads the code
    differently, as a sign-in does); in JSON, `history_problem` when history could not record it and
    the request's `warnings`."""
    operation = _ERROR_OPERATIONS.get(args.command, args.command)
    entry = entry or error.entry_in(ErrorContext(operation=operation, attribute_name=args.attribute))
    if args.json:
        payload: dict[str, Any] = {
            "ok": False, "error": _error_payload(error, entry), "request_id": error.request_id,
            "latency_ms": round(error.latency_ms, 1) if error.latency_ms is not None else None,
            "attempts": error.attempts, "history_id": history_id,
        }
        if history_problem:
            payload["history_problem"] = history_problem
        if warnings:
            payload["warnings"] = list(warnings)
        emit_json(stdout, payload)
    else:
        print_error(stderr, error, entry)
    return EXIT_SERVICE_ERROR
