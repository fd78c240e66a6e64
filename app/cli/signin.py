"""Who the call is made as: an access token from standard input or the environment, or a sign-in
with a password (given, or the one the window remembered for the profile in a secure keyring)."""

from __future__ import annotations

import argparse
from typing import TextIO

from app.cli.common import ACCESS_TOKEN_ENV, PASSWORD_ENV, BadInputError, env_secret
from app.core.auth import (
    AuthFlow,
    Challenge,
    SignInInputError,
    code_answers,
    respond_to_challenge,
    sign_in_password,
)
from app.core.connection import CognitoConnection
from app.core.errors import ErrorContext, ServiceError
from app.core.paths import app_paths
from app.core.redaction import SECRETS
from app.core.tokens import TokenDecodeError, Tokens, describe_access_token


class SignInRefusedError(Exception):
    """The sign-in (or its challenge answer) failed; `context` says where, for the catalogue."""

    def __init__(self, error: ServiceError, challenge: str | None, remembered_for: str | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.context = ErrorContext(operation="sign_in", challenge=challenge)
        self.remembered_for = remembered_for
        """The profile whose remembered password was used, when it was one."""


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


def access_token(
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
