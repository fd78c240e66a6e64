"""The CLI's send, verify and history commands over the core."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import Any, TextIO

from app.cli import (
    ACCESS_TOKEN_ENV,
    CLIENT_SECRET_ENV,
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_SERVICE_ERROR,
    PASSWORD_ENV,
    BadInputError,
    bad_input_payload,
    emit_json,
    env_secret,
)
from app.core.auth import (
    AuthFlow,
    Challenge,
    SignInInputError,
    code_answers,
    respond_to_challenge,
    sign_in_password,
)
from app.core.connection import ENDPOINT_ENV, CognitoConnection, ConnectionSettings, SettingsError
from app.core.errors import CatalogueEntry, ErrorContext, ServiceError
from app.core.history import HistoryFilter, HistoryStore
from app.core.models import Outcome
from app.core.paths import HOME_ENV, app_paths
from app.core.recording import send_recorded, verify_recorded
from app.core.redaction import SECRETS
from app.core.tokens import TokenDecodeError, Tokens, describe_access_token
from app.core.validation import (
    ACCESS_TOKEN_FIELD,
    ATTRIBUTE_NAME_FIELD,
    CLIENT_METADATA_FIELD,
    CODE_FIELD,
    REGION_FIELD,
    MetadataImportError,
    MetadataRow,
    connection_problems,
    parse_metadata_assignments,
    read_metadata_file,
    validate_send,
    validate_verify,
)

HISTORY_LIMIT_MAX = 1_000_000


class SignInRefusedError(Exception):
    """The sign-in (or its challenge answer) failed; `context` says where, for the catalogue."""

    def __init__(self, error: ServiceError, challenge: str | None, remembered_for: str | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.context = ErrorContext(operation="sign_in", challenge=challenge)
        self.remembered_for = remembered_for
        """The profile whose remembered password was used, when it was one."""


def _profile_settings(name: str, client_secret: str | None, stderr: TextIO) -> ConnectionSettings:
    """A saved profile's connection; its client secret from the environment or the keyring."""
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretKind, default_secret_store

    profiles = ProfileStore(app_paths().profiles_file)
    profile = profiles.get(name)
    if profiles.notice:
        stderr.write(f"Note: {profiles.notice}\n")
    if profile is None:
        raise BadInputError("--profile", f"No saved profile named {name!r}.")
    if client_secret is None and profile.has_client_secret:
        client_secret = default_secret_store().get(SecretKind.CLIENT_SECRET, profile.name)
        SECRETS.add(client_secret)
        if client_secret is None:
            raise BadInputError(
                "--profile",
                f"Profile {profile.name!r} uses a client secret, but none is stored in a keyring "
                f"here: set ${CLIENT_SECRET_ENV}.",
            )
    return profile.to_settings(client_secret)


def _remembered_password(profile_name: str, username: str | None) -> tuple[str | None, str, str | None]:
    """(password, why none, its username): the password the window remembered for this profile,
    read only from a secure keyring; else None and a sentence saying why."""
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretKind, default_secret_store

    profile = ProfileStore(app_paths().profiles_file).get(profile_name)
    if profile is None or not profile.remember_password:
        return None, (
            f"profile {profile_name!r} remembers no password (tick \"Remember password in the OS "
            "keyring\" when signing in to it in the window)"), None
    owner = profile.last_username
    remembered = f"the password remembered for profile {profile_name!r}"
    if username and owner and username != owner:
        return None, f"{remembered} is {owner}'s, not {username}'s", owner
    store = default_secret_store()
    if not store.is_secure:
        return None, (
            f"profile {profile_name!r} remembers its password in the OS keyring, but no secure "
            "OS keyring is available in this session"), owner
    password = store.get(SecretKind.PASSWORD, profile_name)
    if not password or not store.is_secure:
        reason = (store.notice or "").rstrip(".") if not store.is_secure else (
            f"it is no longer in {store.backend_name}")
        return None, f"{remembered} could not be read: {reason}", owner
    SECRETS.add(password)
    return password, "", owner


def _settings_from_args(args: argparse.Namespace, stderr: TextIO) -> ConnectionSettings:
    client_secret = env_secret(CLIENT_SECRET_ENV)
    SECRETS.add(client_secret)
    if args.profile:
        settings = _profile_settings(args.profile, client_secret, stderr)
    else:
        if not args.client_id:
            raise BadInputError("--client-id", "Give --profile, or --client-id with --region/--endpoint-url.")
        if not args.region and not args.endpoint_url:
            raise BadInputError("--region", "Give --region (and --endpoint-url for a local pool).")
        settings = ConnectionSettings(
            region=args.region or "us-east-1",
            client_id=args.client_id,
            endpoint_url=args.endpoint_url,
            user_pool_id=args.user_pool_id,
            client_secret=client_secret,
        )
    changes: dict[str, Any] = {}
    if args.profile and args.endpoint_url:
        changes["endpoint_url"] = args.endpoint_url
    if args.profile and args.user_pool_id:
        changes["user_pool_id"] = args.user_pool_id
    if args.timeout is not None:
        if not 0 < args.timeout <= 300:
            raise BadInputError("--timeout", "The timeout is seconds between 0 and 300.")
        changes["read_timeout_s"] = args.timeout
    if args.attempts is not None:
        if not 1 <= args.attempts <= 10:
            raise BadInputError("--attempts", "Attempts is a whole number from 1 to 10.")
        changes["max_attempts"] = args.attempts
    settings = settings.with_changes(**changes) if changes else settings
    for problem in connection_problems(settings.region, settings.effective_endpoint_url):
        raise BadInputError(_where_option(problem.field, args, settings), problem.message)
    return settings


def _where_option(field: str, args: argparse.Namespace, settings: ConnectionSettings) -> str:
    """The option (or variable) a region or endpoint came from."""
    if field == REGION_FIELD:
        return "--profile" if args.profile else "--region"
    if args.endpoint_url:
        return "--endpoint-url"
    return "--profile" if settings.endpoint_url else ENDPOINT_ENV


def _connect(args: argparse.Namespace, settings: ConnectionSettings) -> CognitoConnection:
    """The connection with its client made now, so what botocore refuses is bad input at its option."""
    conn = CognitoConnection(settings)
    try:
        conn.client  # noqa: B018 (creates the client)
    except SettingsError as exc:
        raise BadInputError(_where_option(exc.field, args, settings), exc.message) from None
    return conn


def _read_stdin_secret(stdin: TextIO | None, option: str) -> str:
    """The first line of standard input; closed, undecodable or empty input is bad input at `option`."""
    if stdin is None:
        raise BadInputError(option, "Standard input is closed; pipe the secret into it.")
    try:
        value = stdin.readline().rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise BadInputError(option, f"Standard input is not {exc.encoding} text.") from None
    except (OSError, ValueError) as exc:
        raise BadInputError(option, f"Standard input cannot be read: {exc}.") from None
    if not value:
        raise BadInputError(option, "Nothing was read from standard input.")
    return value


def _access_token(
    args: argparse.Namespace, conn: CognitoConnection, stdin: TextIO
) -> tuple[str, str | None]:
    """(access token, username) from stdin/env token, or by signing in."""
    token = None
    if args.access_token_stdin:
        token = _read_stdin_secret(stdin, "--access-token-stdin")
    elif not args.username:
        token = env_secret(ACCESS_TOKEN_ENV)
    if token is not None:
        SECRETS.add(token)
        try:
            username = describe_access_token(token).username
        except TokenDecodeError:
            username = None
        return token, args.username or username
    password = (
        _read_stdin_secret(stdin, "--password-stdin") if args.password_stdin else env_secret(PASSWORD_ENV)
    )
    username = args.username
    remembered_for = None
    if not password and args.profile:
        # No password given: the one the window remembered for this profile, from a secure keyring.
        password, why_not, owner = _remembered_password(args.profile, username)
        username = username or (owner if password else None)
        remembered_for = args.profile if password else None
    else:
        why_not = ""
    not_remembered = f" (No remembered password: {why_not}.)" if why_not else ""
    if not username:
        raise BadInputError(
            "--username",
            f"Give --username (password in ${PASSWORD_ENV} or --password-stdin), "
            f"or an access token in ${ACCESS_TOKEN_ENV} or --access-token-stdin.{not_remembered}",
        )
    if not password:
        raise BadInputError(
            "--password-stdin", f"Set ${PASSWORD_ENV} or pass --password-stdin.{not_remembered}")
    SECRETS.add(password)
    flow = AuthFlow(args.auth_flow) if args.auth_flow else (
        AuthFlow.USER_SRP_AUTH if conn.settings.user_pool_id else AuthFlow.USER_PASSWORD_AUTH
    )
    answering: str | None = None
    try:
        step = sign_in_password(conn, username, password, flow)
        if isinstance(step, Challenge) and step.code_answer_key and args.mfa_code:
            answering = step.name
            step = respond_to_challenge(conn, step, code_answers(step, args.mfa_code))
    except SignInInputError as exc:
        raise BadInputError(f"--{exc.field.replace('_', '-')}", exc.message) from None
    except ServiceError as error:
        raise SignInRefusedError(error, answering, remembered_for) from None
    if isinstance(step, Challenge):
        hint = " (pass --mfa-code)" if step.code_answer_key else " (answer it in the window)"
        raise BadInputError("--username", f"Sign-in needs the {step.name} challenge{hint}.")
    tokens: Tokens = step
    SECRETS.add(*tokens.secrets)
    return tokens.access_token, username


def _error_payload(error: ServiceError, entry: CatalogueEntry) -> dict[str, Any]:
    return {
        "code": error.code,
        "message": error.message,
        "http_status": error.http_status,
        "request_id": error.request_id,
        "guidance": entry.guidance,
    }


def _print_error(stream: TextIO, error: ServiceError, entry: CatalogueEntry) -> None:
    status = f" (HTTP {error.http_status})" if error.http_status else ""
    stream.write(f"Error: {error.code}{status}: {error.message}\n")
    stream.write(f"  What it means: {entry.explanation}\n")
    stream.write(f"  Next: {entry.next_step}\n")
    if error.request_id:
        stream.write(f"  Request id: {error.request_id}\n")


def _metadata(args: argparse.Namespace) -> dict[str, str]:
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


def _run_send_or_verify(
    args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    metadata = _metadata(args) if args.command == "send" else {}
    settings = _settings_from_args(args, stderr)
    conn = _connect(args, settings)
    _check_request(args, None, metadata)  # all but the token, before signing in for nothing
    try:
        access_token, username = _access_token(args, conn, stdin)
    except SignInRefusedError as refused:
        entry = refused.error.entry_in(refused.context)
        if refused.remembered_for and refused.error.code == "NotAuthorizedException":
            stderr.write(
                f"Note: this was the password remembered for profile {refused.remembered_for!r}; give the "
                f"current one in ${PASSWORD_ENV} or --password-stdin, or sign in to the profile in the "
                "window to remember it.\n")
        return _report_service_error(args, refused.error, None, stdout, stderr, entry=entry)
    _check_request(args, access_token, metadata)
    with _open_history(stderr) as history:
        if args.command == "send":
            sent = send_recorded(
                conn, history, access_token=access_token, username=username,
                attribute_name=args.attribute, client_metadata=metadata,
            )
            problem = sent.history_problem
            if sent.error is not None:
                _note_history_problem(problem, stderr)
                return _report_service_error(args, sent.error, sent.history_id, stdout, stderr)
            assert sent.result is not None
            result = sent.result
            delivery = result.delivery.to_api() if result.delivery else None
            payload = {
                "ok": True, "code_delivery_details": delivery, "request_id": result.request_id,
                "latency_ms": round(result.latency_ms, 1), "attempts": result.attempts,
                "history_id": sent.history_id,
            }
            human = (
                f"Code sent for {args.attribute}: "
                + (f"{delivery.get('DeliveryMedium')} to {delivery.get('Destination')}" if delivery
                   else "no CodeDeliveryDetails in the response")
            )
        else:
            verified = verify_recorded(
                conn, history, access_token=access_token, username=username,
                attribute_name=args.attribute, code=args.code,
            )
            problem = verified.history_problem
            if verified.error is not None:
                _note_history_problem(problem, stderr)
                return _report_service_error(args, verified.error, verified.history_id, stdout, stderr)
            assert verified.result is not None
            payload = {
                "ok": True, "request_id": verified.result.request_id,
                "latency_ms": round(verified.result.latency_ms, 1),
                "attempts": verified.result.attempts, "history_id": verified.history_id,
            }
            human = f"{args.attribute} verified."
    if problem:
        payload["history_problem"] = problem
    _note_history_problem(problem, stderr)
    if args.json:
        emit_json(stdout, payload)
    else:
        stdout.write(
            f"{human}\n  request id {payload['request_id']}, {payload['latency_ms']} ms, "
            f"{payload['attempts']} attempt(s), history #{payload['history_id']}\n"
        )
    return EXIT_OK


def _note_history_problem(problem: str | None, stderr: TextIO) -> None:
    if problem:
        stderr.write(f"Note: {problem}\n")


def _check_request(args: argparse.Namespace, access_token: str | None, metadata: dict[str, str]) -> None:
    """VerifyDesk's own validation of the request (none with --send-anyway), at the first bad option;
    without a token yet, everything but the token."""
    if args.send_anyway:
        return
    token = access_token or ""
    rows = [MetadataRow(k, v) for k, v in metadata.items()]
    problems = (
        validate_send(token, args.attribute, rows) if args.command == "send"
        else validate_verify(token, args.attribute, args.code)
    )
    if access_token is None:
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
    options = {ATTRIBUTE_NAME_FIELD: "--attribute", CODE_FIELD: "--code", CLIENT_METADATA_FIELD: "--metadata"}
    return options.get(field, field)


def _home_error(where: Path, exc: Exception) -> BadInputError:
    """A folder VerifyDesk must write cannot be used: named at VERIFYDESK_HOME, which moves them all."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return BadInputError(
        HOME_ENV, f"cannot use {where}: {reason}. Set {HOME_ENV} to a folder VerifyDesk may write.")


def _open_history(stderr: TextIO) -> HistoryStore:
    """The history store; says where an unreadable history file was moved."""
    path = app_paths().history_db
    try:
        store = HistoryStore(path)
    except (OSError, sqlite3.Error) as exc:
        raise _home_error(path.parent, exc) from None
    if store.recovered_from is not None:
        stderr.write(
            f"Note: the history file could not be read; it was moved to {store.recovered_from} "
            "and a new history was started.\n"
        )
    return store


def _report_service_error(
    args: argparse.Namespace, error: ServiceError, history_id: int | None,
    stdout: TextIO, stderr: TextIO, *, entry: CatalogueEntry | None = None,
) -> int:
    """Print a failed call with its catalogue entry (`entry` when the call's context reads the code
    differently, as a sign-in does)."""
    entry = entry or error.entry_in(ErrorContext(operation=args.command, attribute_name=args.attribute))
    if args.json:
        emit_json(stdout, {
            "ok": False, "error": _error_payload(error, entry), "request_id": error.request_id,
            "latency_ms": round(error.latency_ms, 1) if error.latency_ms is not None else None,
            "attempts": error.attempts, "history_id": history_id,
        })
    else:
        _print_error(stderr, error, entry)
    return EXIT_SERVICE_ERROR


def _history_filter(args: argparse.Namespace) -> HistoryFilter:
    return HistoryFilter(
        outcome=Outcome(args.outcome) if args.outcome and args.outcome != "cancelled" else None,
        cancelled=True if args.outcome == "cancelled" else None,
        error_code=args.error_code or None,
        attribute_name=args.attribute or None,
        text=args.search or None,
    )


def _why_unwritable(path: Path, exc: OSError) -> str:
    """Why a file could not be written, in words about the place when they say more than errno's."""
    try:
        if path.is_dir():
            return "it is a folder"
        if not path.parent.exists():
            return f"the folder {path.parent} does not exist"
        if not path.parent.is_dir():
            return f"{path.parent} is not a folder"
    except OSError:
        pass
    return exc.strerror or str(exc)


def _run_history(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if not 1 <= args.limit <= HISTORY_LIMIT_MAX:
        raise BadInputError(
            "--limit", f"Show from 1 to {HISTORY_LIMIT_MAX:,} records; --export writes all of them.")
    with _open_history(stderr) as history:
        filt = _history_filter(args)
        if args.export:
            suffix = args.export.suffix.lower()
            if suffix not in (".csv", ".json"):
                raise BadInputError("--export", "Export to a file ending in .csv or .json.")
            try:
                count = history.export(args.export, filt)
            except OSError as exc:  # the export writes a temporary file and removes it on failure
                reason = _why_unwritable(args.export, exc)
                raise BadInputError("--export", f"cannot write {args.export}: {reason}.") from None
            if args.json:
                emit_json(stdout, {"ok": True, "exported": count, "file": str(args.export)})
            else:
                stdout.write(f"Exported {count} records to {args.export}\n")
            return EXIT_OK
        records = history.page(filt, limit=args.limit)
    if args.json:
        emit_json(stdout, {"ok": True, "records": [r.to_dict() for r in records]})
        return EXIT_OK
    for record in records:
        what = record.error_code or (record.delivery.destination if record.delivery else "") or ""
        stdout.write(
            f"#{record.id:<6} {record.started_at:%Y-%m-%d %H:%M:%S}Z {record.outcome.value:<11} "
            f"{record.attribute_name:<14} {what} {record.metadata_summary}\n"
        )
    return EXIT_OK


def run_command(args: argparse.Namespace, *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Run `send`, `verify` or `history`; bad input is reported at its option, never a traceback."""
    from app.core.logs import configure_logging

    try:
        paths = app_paths()
        try:
            configure_logging(paths)
        except OSError as exc:
            raise _home_error(paths.log_dir, exc) from None
        if args.command == "history":
            return _run_history(args, stdout, stderr)
        return _run_send_or_verify(args, stdin, stdout, stderr)
    except BadInputError as exc:
        if getattr(args, "json", False):
            emit_json(stdout, bad_input_payload(exc.field, exc.message))
        else:
            stderr.write(f"verifydesk: {exc.field}: {exc.message}\n")
        return EXIT_BAD_INPUT
