"""The connection options (`--profile` or the pieces, `--timeout`, `--attempts`) as connection settings,
each problem reported at the option or variable it came from."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.common import CLIENT_SECRET_ENV, BadInputError, env_secret, shown
from app.core.connection import ENDPOINT_ENV, CognitoConnection, ConnectionSettings, SettingsError
from app.core.paths import app_paths
from app.core.redaction import SECRETS
from app.core.validation import ENDPOINT_URL_FIELD

# Where a setting's problem is reported when it came from the command line.
_SETTING_OPTIONS = {"read_timeout_s": "--timeout", "max_attempts": "--attempts"}


def _profile_settings(name: str, client_secret: str | None, stderr: TextIO) -> ConnectionSettings:
    """A saved profile's connection; its client secret from the environment or the keyring."""
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretKind, default_secret_store

    profiles = ProfileStore(app_paths().profiles_file)
    profile = profiles.get(name)
    if profiles.notice:
        stderr.write(f"Note: {shown(profiles.notice)}\n")
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


def settings_from_args(args: argparse.Namespace, stderr: TextIO) -> ConnectionSettings:
    """The connection the options describe, checked by the settings' own rule."""
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
        changes["read_timeout_s"] = args.timeout
    if args.attempts is not None:
        changes["max_attempts"] = args.attempts
    settings = settings.with_changes(**changes) if changes else settings
    for problem in settings.problems():
        raise BadInputError(_where_option(problem.field, args, settings), problem.message)
    return settings


def _where_option(field: str, args: argparse.Namespace, settings: ConnectionSettings) -> str:
    """The option (or variable) a setting came from: its option when given, else the profile."""
    option = _SETTING_OPTIONS.get(field)
    if option is not None and getattr(args, option.removeprefix("--")) is not None:
        return option
    if field != ENDPOINT_URL_FIELD:
        return "--profile" if args.profile else "--region"
    if args.endpoint_url:
        return "--endpoint-url"
    return "--profile" if settings.endpoint_url else ENDPOINT_ENV


def connect(args: argparse.Namespace, settings: ConnectionSettings) -> CognitoConnection:
    """The connection with its client made now, so what botocore refuses is bad input at its option."""
    conn = CognitoConnection(settings)
    try:
        conn.client  # noqa: B018 (creates the client)
    except SettingsError as exc:
        raise BadInputError(_where_option(exc.field, args, settings), exc.message) from None
    return conn
