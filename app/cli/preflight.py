"""`verifydesk preflight`: the delivery checks for a pool, user and attribute, as one JSON object or a
table of text; exit 0 when no check fails, 1 when one does, 2 for bad input (naming the option).

The user's attributes come from GetUser when an access token or a password is given (the password
signs in first), else from AdminGetUser of `--username` with the admin profile. A sandbox (a sandbox
profile, or an endpoint that answers as one) serves the admin calls itself.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.common import (
    ACCESS_TOKEN_ENV,
    EXIT_BAD_INPUT,
    PASSWORD_ENV,
    BadInputError,
    emit_json,
    env_secret,
    shown,
)
from app.cli.connection import connect, settings_from_args
from app.cli.home import open_history
from app.cli.request import report_service_error
from app.cli.signin import SignInRefusedError, access_token
from app.core.connection import ConnectionSettings

_MARKS = {"ok": "OK", "warn": "WARN", "fail": "FAIL", "unknown": "?"}


def _is_sandbox(args: argparse.Namespace, settings: ConnectionSettings) -> bool:
    """A sandbox profile, or (without --aws-profile) an endpoint that answers the sandbox's control API."""
    if args.profile:
        from app.core.paths import app_paths
        from app.core.profiles import ProfileStore

        profile = ProfileStore(app_paths().profiles_file).get(args.profile)
        if profile is not None and profile.sandbox:
            return True
    if args.aws_profile or not settings.endpoint_url:
        return False
    from app.sandbox.control import SandboxControl, SandboxControlError

    try:
        SandboxControl(settings.endpoint_url, timeout_s=min(settings.read_timeout_s, 5.0)).info()
    except SandboxControlError:
        return False
    return True


def _has_password(args: argparse.Namespace) -> bool:
    return bool(args.password_stdin or (args.username and env_secret(PASSWORD_ENV)))


def _has_token(args: argparse.Namespace) -> bool:
    return bool(args.access_token_stdin or (not args.username and env_secret(ACCESS_TOKEN_ENV)))


def checks_text(payload: dict[str, Any]) -> str:
    """The checks as a table of text, every value shown escaped."""
    checks = payload.get("checks", [])
    width = max((len(check["id"]) for check in checks), default=0)
    lines = []
    for check in checks:
        mark = _MARKS.get(check["status"], shown(check["status"]))
        lines.append(f"{mark:<5} {shown(check['id']):<{width}}  {shown(check['message'])}")
        if check.get("next_step") and check["status"] != "ok":
            lines.append(f"      {'':<{width}}  Next: {shown(check['next_step'])}")
    failed = sum(1 for check in checks if check["status"] == "fail")
    lines.append(f"{len(checks)} checks, {failed} failed")
    return "\n".join(lines) + "\n"


def run_preflight_command(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from app.core.preflight.command import PreflightOptions, preflight_command

    settings = settings_from_args(args, stderr)
    if not settings.user_pool_id:
        raise BadInputError("--user-pool-id",
                            "The preflight reads the pool's configuration: give its user pool id.")
    conn = connect(args, settings)
    token = username = None
    if _has_token(args) or _has_password(args) or (args.profile and not args.username):
        try:
            token, username = access_token(args, conn, stdin)
        except SignInRefusedError as refused:
            return report_service_error(args, refused.error, None, stdout, stderr,
                                        entry=refused.error.entry_in(refused.context))
    else:
        username = args.username
    if not username and not token:
        raise BadInputError("--username", "Name the user with --username (or sign in with a password or "
                                          f"an access token in ${ACCESS_TOKEN_ENV}).")
    options = PreflightOptions(settings, attribute=args.attribute, aws_profile=args.aws_profile,
                               access_token=token, username=None if token else username,
                               sandbox=_is_sandbox(args, settings))
    with open_history(stderr) as history:
        code, payload = preflight_command(options, history=history)
    if code == EXIT_BAD_INPUT:
        error = payload["error"]
        raise BadInputError(error["field"], error["message"])
    if args.json:
        emit_json(stdout, payload)
    else:
        stdout.write(checks_text(payload))
    return code
