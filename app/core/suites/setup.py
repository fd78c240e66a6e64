"""What a run needs before its first send: the connection and each user's password, by reference."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from app.core.auth import AuthFlow, Challenge, SignInInputError, sign_in_password
from app.core.connection import CognitoConnection, ConnectionSettings, SettingsError
from app.core.errors import ServiceError
from app.core.redaction import SECRETS
from app.core.suites.model import Position, Problem, Suite, SuiteError, User
from app.core.tokens import Tokens


def connection_settings(suite: Suite, environ: Mapping[str, str] | None = None) -> ConnectionSettings:
    """The suite's connection; SuiteError (at `connection:`) when a profile or value is unusable."""
    env = os.environ if environ is None else environ
    spec = suite.connection
    where = suite.connection_position or Position(suite.path, 1, 1)
    secret = env.get(spec.client_secret_env) if spec.client_secret_env else None
    SECRETS.add(secret)
    if spec.profile:
        from app.core.paths import app_paths
        from app.core.profiles import ProfileStore
        from app.core.secrets import SecretKind, default_secret_store

        profile = ProfileStore(app_paths().profiles_file).get(spec.profile)
        if profile is None:
            raise SuiteError([Problem(where, f"connection.profile: no saved profile named {spec.profile!r}")])
        if secret is None and profile.has_client_secret:
            secret = default_secret_store().get(SecretKind.CLIENT_SECRET, profile.name)
            SECRETS.add(secret)
            if secret is None:
                raise SuiteError([Problem(where, (
                    f"connection.profile: {profile.name!r} uses a client secret, but none is stored in a "
                    "keyring here: name an environment variable in connection.client_secret_env"))])
        settings = profile.to_settings(secret)
        changes = {k: v for k, v in (("endpoint_url", spec.endpoint_url), ("region", spec.region),
                                     ("user_pool_id", spec.user_pool_id)) if v}
        settings = settings.with_changes(**changes) if changes else settings
    else:
        settings = ConnectionSettings(
            region=spec.region or "us-east-1", client_id=str(spec.client_id), endpoint_url=spec.endpoint_url,
            user_pool_id=spec.user_pool_id, client_secret=secret)
    problems = [Problem(where, f"connection.{p.field}: {p.message}") for p in settings.problems()]
    if problems:
        raise SuiteError(problems)
    return settings


def trigger_logs_source(suite: Suite) -> tuple[str | None, str | None]:
    """(function name, AWS profile) whose CloudWatch log shows what the trigger received: the
    suite's, else its connection profile's."""
    spec = suite.connection
    function, aws_profile = spec.trigger_function, spec.aws_profile
    if spec.profile and not (function and aws_profile):
        from app.core.paths import app_paths
        from app.core.profiles import ProfileStore

        profile = ProfileStore(app_paths().profiles_file).get(spec.profile)
        if profile is not None:
            function = function or profile.trigger_function
            aws_profile = aws_profile or profile.aws_profile
    return function, aws_profile


def connect(settings: ConnectionSettings, where: Position) -> CognitoConnection:
    """The connection with its client made now, so what botocore refuses is refused up front."""
    conn = CognitoConnection(settings)
    try:
        conn.client  # noqa: B018 (creates the client)
    except SettingsError as exc:
        raise SuiteError([Problem(where, f"connection.{exc.field}: {exc.message}")]) from None
    return conn


class SignInError(Exception):
    """A user could not be signed in; the message says why (no secret in it)."""


@dataclass
class Credentials:
    """Reads each user's password from its reference, and signs users in once per run."""

    conn: CognitoConnection
    flow: AuthFlow
    environ: Mapping[str, str]

    def password(self, user: User) -> str:
        if user.password_env:
            value = self.environ.get(user.password_env)
            if value:
                SECRETS.add(value)
                return value
            if not user.keyring_profile:
                raise SignInError(f"environment variable {user.password_env} (the password) is not set")
        from app.core.secrets import SecretKind, default_secret_store

        store = default_secret_store()
        profile = str(user.keyring_profile)
        if not store.is_secure:
            raise SignInError(f"no secure OS keyring here to read profile {profile!r}'s password from"
                              f" ({store.notice or 'none available'})")
        value = store.get(SecretKind.PASSWORD, profile)
        if not value:
            raise SignInError(f"profile {profile!r} has no password remembered in {store.backend_name}")
        SECRETS.add(value)
        return value

    def refreshed(self, user: User, tokens: Tokens) -> Tokens:
        """New tokens from the refresh token (a long run outlives the access token's hour)."""
        from app.core.auth import refresh

        if not tokens.refresh_token:
            return self.sign_in(user)
        try:
            fresh = refresh(self.conn, tokens.refresh_token, user.username)
        except (ServiceError, SignInInputError):
            return self.sign_in(user)
        SECRETS.add(*fresh.secrets)
        return fresh

    def sign_in(self, user: User) -> Tokens:
        password = self.password(user)
        try:
            step = sign_in_password(self.conn, user.username, password, self.flow)
        except SignInInputError as exc:
            raise SignInError(f"sign-in: {exc.message}") from None
        except ServiceError as error:
            raise SignInError(f"sign-in as {user.username} failed: {error.code}: {error.message}") from None
        if isinstance(step, Challenge):
            raise SignInError(f"sign-in as {user.username} needs the {step.name} challenge, which a suite "
                              "cannot answer: use a user without MFA")
        SECRETS.add(*step.secrets)
        return step


def auth_flow(suite: Suite, settings: ConnectionSettings) -> AuthFlow:
    if suite.connection.auth_flow:
        return AuthFlow(suite.connection.auth_flow)
    return AuthFlow.USER_SRP_AUTH if settings.user_pool_id else AuthFlow.USER_PASSWORD_AUTH
