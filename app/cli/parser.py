"""The command line's grammar: every command, option and help text, and usage errors that name the
option (one JSON object with --json) without echoing a value that may be a secret."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NoReturn

from app import APP_NAME, __version__
from app.cli.common import (
    ACCESS_TOKEN_ENV,
    CLIENT_SECRET_ENV,
    EXIT_BAD_INPUT,
    PASSWORD_ENV,
    bad_input_payload,
    emit_json,
)
from app.core.codes import IMAP_PASSWORD_ENV
from app.core.connection import ATTEMPTS_RANGE, ENDPOINT_ENV, READ_TIMEOUT_RANGE
from app.core.models import SEND_OPERATION, UPDATE_OPERATION, VERIFY_OPERATION

HISTORY_OPERATIONS = {"send": SEND_OPERATION, "verify": VERIFY_OPERATION, "update": UPDATE_OPERATION}
"""`history --operation` words and the calls they name."""

_CALL_EPILOG = f"""\
environment:
  {PASSWORD_ENV}       the password of --username (instead of --password-stdin)
  {ACCESS_TOKEN_ENV}   an access token to use instead of signing in (or --access-token-stdin)
  {CLIENT_SECRET_ENV}  the app client's secret, when it has one; with --profile, else the
                            secret the window stored for that profile in the OS keyring
  {ENDPOINT_ENV}
                            the endpoint when neither --endpoint-url nor the profile gives one

With --profile and no password given, the password the window remembered for that profile in a
secure OS keyring is used (and the username it belongs to, when --username is left out).
Secrets are never accepted as arguments.

exit status: 0 success, 1 service error, 2 bad input (the message names the option),
             130 cancelled (Ctrl+C; the attempt in flight reads as interrupted in history)
"""


def _port(text: str) -> int:
    """argparse type: a TCP port, 0 for any free one."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port from 0 to 65535 (0: any free port)")
    return port


_HANDLER_ACCEPTED = "expected FILE.py:FUNCTION (a Python file and its handler function), or 'demo'"


def _handler_spec(text: str) -> str:
    """argparse type for `lambda-runner`: the handler's shape; the file itself is checked at start."""
    spec = text.strip()
    if spec.lower() == "demo":
        return text
    file_part, colon, function = spec.rpartition(":")
    if "://" in spec or not colon or not file_part.endswith(".py") or not function.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r}: {_HANDLER_ACCEPTED}")
    return text


def _add_connection_options(parser: argparse.ArgumentParser, *, call: bool = True) -> None:
    """The connection, who, --attribute and --json; a call (not the preflight) also has
    --send-anyway and a required --attribute."""
    group = parser.add_argument_group("connection (a saved profile, or the pieces)")
    group.add_argument(
        "--profile",
        help="a saved profile's name (its client secret, and a password the window remembered, "
             "come from the OS keyring)",
    )
    group.add_argument(
        "--endpoint-url",
        help=f"Cognito endpoint, e.g. the sandbox's URL (default: ${ENDPOINT_ENV}, else AWS's)",
    )
    group.add_argument("--region", help="AWS region, e.g. eu-west-1")
    group.add_argument("--client-id", help="the app client id")
    group.add_argument("--user-pool-id", help="the user pool id (needed for SRP sign-in)")
    group.add_argument(
        "--timeout", type=float,
        help="read timeout in seconds, {:g} to {:g} (default: the profile's, else 15)".format(
            *READ_TIMEOUT_RANGE))
    group.add_argument(
        "--attempts", type=int,
        help="total attempts, {} to {} (default: the profile's, else 1: no retries)".format(*ATTEMPTS_RANGE))
    auth = parser.add_argument_group(
        "who (password from $VERIFYDESK_PASSWORD or --password-stdin, else the one the window "
        "remembered for --profile in a secure OS keyring; "
        "or a token from $VERIFYDESK_ACCESS_TOKEN or --access-token-stdin)"
    )
    auth.add_argument(
        "--username", help="sign in as this user (with a remembered password: its user by default)")
    auth.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    auth.add_argument(
        "--access-token-stdin", action="store_true", help="read an access token from stdin"
    )
    auth.add_argument(
        "--auth-flow", choices=["USER_SRP_AUTH", "USER_PASSWORD_AUTH"],
        help="password flow (default: SRP when the pool id is known)",
    )
    auth.add_argument("--mfa-code", help="answer an SMS, TOTP or email OTP sign-in challenge")
    parser.add_argument("--attribute", required=call, help="attribute name, e.g. email")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    if not call:
        return
    parser.add_argument(
        "--send-anyway", action="store_true",
        help="skip VerifyDesk's own validation and let the server judge the request",
    )


def _add_metadata_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metadata", action="append", default=[], metavar="KEY=VALUE",
        help="ClientMetadata entry (repeatable; split at the first '=')",
    )
    parser.add_argument("--metadata-file", type=Path, help="ClientMetadata from a JSON object file")


def _positive_seconds(text: str) -> float:
    """argparse type: a wait in seconds, more than 0 and at most a day."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds <= 86_400:
        raise argparse.ArgumentTypeError(f"{seconds:g} is not a wait from more than 0 to 86400 seconds")
    return seconds


def _add_code_source_options(parser: argparse.ArgumentParser, *, verify: bool = False) -> None:
    """--code-from and its options; `verify`: --code-from stands in for --code (one of them required)."""
    source_help = (
        "where the code arrives: sandbox, imap://USER@HOST[:PORT]/MAILBOX, imaps://..., "
        "s3://BUCKET/PREFIX, or 'profile' for the code source saved in --profile")
    if verify:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--code", help="the code that was delivered")
        which.add_argument("--code-from", metavar="SOURCE", help=source_help + " (instead of --code)")
    else:
        parser.add_argument("--code-from", metavar="SOURCE",
                            help=source_help + ": then wait for the code and verify it")
    group = parser.add_argument_group(
        f"code source (the IMAP password from ${IMAP_PASSWORD_ENV}, else the keyring of --profile)")
    group.add_argument("--code-timeout", type=_positive_seconds, default=120.0, metavar="SECONDS",
                       help="how long to wait for the code (default 120)")
    group.add_argument("--code-pattern", metavar="REGEX",
                       help="the code as a regular expression with one group (default: 6 digits)")
    group.add_argument("--imap-ca-file", type=Path, metavar="FILE",
                       help="PEM CA certificates to trust for the IMAP server, besides the system's")


_UPDATE_EPILOG = """\
A changed email or phone number gets a code at the new value: verify it with
`verifydesk verify --code` (or at once with --code-from). When the pool keeps the original until then
(AttributesRequireVerificationBeforeUpdate), the change is pending: GetUser and sign-in still use
the old value ("pending": true in --json).

"""


_PREFLIGHT_EPILOG = """\
The pool's configuration is read with signed admin calls (--aws-profile; the endpoints from
AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE> when set); a sandbox answers them itself. The user's
value comes from GetUser when an access token or password is given, else from AdminGetUser of
--username. exit status: 0 no check failed, 1 a check failed, 2 bad input.

"""

_RUN_EPILOG = """\
exit status: 0 every case passed, 1 a case failed or errored, 2 the suite is invalid (the message
gives file:line:column), 130 cancelled (Ctrl+C; the run reads as cancelled in history)
"""


def build_parser() -> argparse.ArgumentParser:
    """The `verifydesk` parser with its sub-commands."""
    parser = _Parser(
        prog="verifydesk",
        description="Workbench for Amazon Cognito GetUserAttributeVerificationCode.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--sandbox", action="store_true", help="open the window on an embedded local user pool"
    )
    sub = parser.add_subparsers(dest="command", metavar="command")

    sandbox = sub.add_parser("sandbox", help="run the local user pool in the foreground")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sandbox.add_argument("--port", type=_port, default=0, help="port to listen on (default 0: a free port)")
    sandbox.add_argument(
        "--trigger-endpoint", metavar="URL|FILE.py:HANDLER|demo",
        help="Custom Message trigger: a Lambda-Invoke endpoint URL, a local handler file, or 'demo'",
    )
    sandbox.add_argument(
        "--trigger-function", default="verifydesk-custom-message",
        help="the trigger's function name: its ARN in the pool and its log group /aws/lambda/NAME",
    )
    sandbox.add_argument(
        "--smtp", metavar="[lmtp://]HOST:PORT",
        help="also send every email the pool delivers to this SMTP (or lmtp://) server",
    )

    runner = sub.add_parser("lambda-runner", help="serve a local Python trigger at a Lambda-Invoke endpoint")
    runner.add_argument(
        "handler", type=_handler_spec, metavar="FILE.py:FUNCTION|demo",
        help="the handler: a Python file and its function, loaded afresh for every invocation; "
             "'demo' for VerifyDesk's demo Custom Message trigger",
    )
    runner.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    runner.add_argument("--port", type=_port, default=0, help="port to listen on (default 0: a free port)")

    raw = argparse.RawDescriptionHelpFormatter
    send = sub.add_parser(
        "send", help="GetUserAttributeVerificationCode", epilog=_CALL_EPILOG, formatter_class=raw)
    _add_connection_options(send)
    _add_metadata_options(send)
    _add_code_source_options(send)

    update = sub.add_parser(
        "update-attribute", help="UpdateUserAttributes: change an attribute's value (a new email or "
        "phone number gets a code)", epilog=_UPDATE_EPILOG + _CALL_EPILOG, formatter_class=raw)
    _add_connection_options(update)
    update.add_argument(
        "--value", required=True,
        help="the new value (an email must look like one, a phone number is E.164: +15555550100)")
    _add_metadata_options(update)
    _add_code_source_options(update)
    update.add_argument(
        "--aws-profile", metavar="NAME",
        help="an AWS profile allowed cognito-idp:DescribeUserPool on --user-pool-id: the pool's schema "
             "and keep-original setting are read first (the schema refuses an attribute it lacks)",
    )

    verify = sub.add_parser("verify", help="VerifyUserAttribute", epilog=_CALL_EPILOG, formatter_class=raw)
    _add_connection_options(verify)
    _add_code_source_options(verify, verify=True)

    preflight = sub.add_parser(
        "preflight", help="check why a code would not (or did not) arrive: the pool's email, SMS, "
        "messages and triggers, and the user's attribute",
        epilog=_PREFLIGHT_EPILOG + _CALL_EPILOG.partition("exit status:")[0], formatter_class=raw)
    _add_connection_options(preflight, call=False)
    preflight.add_argument(
        "--aws-profile", metavar="NAME",
        help="the AWS profile that signs the admin calls (default: the default AWS credentials)")

    run = sub.add_parser(
        "run", help="run a suite of verification tests (a YAML file)", epilog=_RUN_EPILOG,
        formatter_class=raw)
    run.add_argument("suite", type=Path, metavar="SUITE.yaml", help="the suite file (YAML, version: 1)")
    run.add_argument("--only", metavar="NAME", help="run only the case with this name")
    run.add_argument("--junit", type=Path, metavar="FILE.xml", help="write a JUnit XML report")
    run.add_argument("--report", type=Path, metavar="FILE.html", help="write an HTML report")
    run.add_argument("--json", action="store_true",
                     help='print one JSON object: {"passed", "failed", "errors", "cases": [...]}')

    history = sub.add_parser(
        "history", help="show or export the history of attempts",
        description="Show the newest history records (every send, verify and attribute change, with its "
                    "outcome), or export the records matching the filters. Tokens, passwords and "
                    "secrets are never stored.",
    )
    history.add_argument("--limit", type=int, default=20, metavar="N",
                         help="show the newest N records (default 20; --export ignores it)")
    history.add_argument("--json", action="store_true",
                         help='print one JSON object: {"ok": true, "records": [...]}')
    history.add_argument("--export", type=Path, metavar="FILE.csv|FILE.json",
                         help="write every record matching the filters to a CSV or JSON file")
    history.add_argument("--outcome", choices=["success", "error", "pending", "interrupted", "cancelled"],
                         help="only records with this outcome (cancelled: sends cancelled in the window, "
                              "whatever their late result)")
    history.add_argument("--error-code", metavar="CODE",
                         help="only records that failed with this error, e.g. LimitExceededException")
    history.add_argument("--attribute", metavar="NAME", help="only records for this attribute, e.g. email")
    history.add_argument("--operation", choices=list(HISTORY_OPERATIONS),
                         help="only records of this call: send (a code request), verify, or update "
                              "(an attribute change)")
    history.add_argument(
        "--search", metavar="TEXT",
        help="free-text search over usernames, attributes, metadata, errors, request ids and destinations",
    )

    sub.add_parser("self-test", help="check this installation works (window offscreen, client, sandbox)")
    return parser


def _usage_field(message: str) -> tuple[str, str]:
    """(option, message) of an argparse usage error. The values among unknown arguments are left
    out: one may be a secret typed as an argument."""
    if message.startswith("unrecognized arguments: "):
        names = [word.split("=")[0] for word in message.split()[2:] if word.startswith("-")]
        shown = "unrecognized arguments: " + (" ".join(names) or "values") + " (values not shown)"
        return (names[0] if names else "arguments"), shown
    if match := re.match(r"argument (\S+): ", message):
        names = match.group(1).split("/")
        return next((n for n in names if n.startswith("--")), names[0]), message
    if match := re.match(r"the following arguments are required: ([^,\s]+)", message):
        return match.group(1), message
    if match := re.match(r"one of the arguments (\S+)", message):
        return match.group(1), message
    return "arguments", message


class _Parser(argparse.ArgumentParser):
    """argparse without abbreviations (`--password` is not `--password-stdin`); a usage error names
    no unknown argument's value, and with --json is also one JSON object on stdout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        field, shown = _usage_field(message)
        if _JSON_ERRORS.get():
            emit_json(sys.stdout, bad_input_payload(field, shown))
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {shown}\n")


_JSON_ERRORS: ContextVar[bool] = ContextVar("verifydesk_json_errors", default=False)


def parse_words(words: Sequence[str]) -> argparse.Namespace:
    """The parsed command line; a usage error exits 2 (with --json, after one JSON object)."""
    token = _JSON_ERRORS.set("--json" in words)
    try:
        return build_parser().parse_args(list(words))
    finally:
        _JSON_ERRORS.reset(token)
