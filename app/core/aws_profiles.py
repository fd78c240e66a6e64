"""AWS profiles for the signed admin calls: list them, open clients with them, explain failures.

Profiles come from the AWS config and credentials files (AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE are honoured), SSO ones marked. Only names and kinds are read out:
no key, token or secret leaves the files through this module.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from app.core.error_catalogue import (
    AWS_CREDENTIALS_ERROR,
    AWS_NO_CREDENTIALS,
    AWS_PROFILE_NOT_FOUND,
    AWS_SSO_EXPIRED,
    NETWORK_ERROR,
    TIMEOUT,
    UNKNOWN_ERROR,
)
from app.core.errors import ServiceError
from app.runtime.botocore_data import boto3_session
from app.runtime.heap import long_lived

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ProfileKind = Literal["sso", "role", "static", "process", "web-identity", "other"]
DEFAULT_CONFIG_FILE = "~/.aws/config"
DEFAULT_CREDENTIALS_FILE = "~/.aws/credentials"


@dataclass(frozen=True)
class AwsProfile:
    """One AWS profile as the window lists it; holds no credential."""

    name: str
    kind: ProfileKind
    region: str | None = None
    sso_start_url: str | None = None
    sso_session: str | None = None
    sso_account_id: str | None = None
    sso_role_name: str | None = None
    in_config: bool = False
    in_credentials: bool = False

    @property
    def is_sso(self) -> bool:
        return self.kind == "sso"

    @property
    def label(self) -> str:
        """e.g. "qa-admin (SSO 123456789012/Admin, eu-west-1)"."""
        details: list[str] = []
        if self.is_sso:
            who = "/".join(part for part in (self.sso_account_id, self.sso_role_name) if part)
            details.append(f"SSO {who}".strip())
        elif self.kind != "other":
            details.append({"role": "assumed role", "static": "access key", "process": "credential process",
                            "web-identity": "web identity"}[self.kind])
        if self.region:
            details.append(self.region)
        return f"{self.name} ({', '.join(details)})" if details else self.name


@dataclass(frozen=True)
class AwsProfileListing:
    """The profiles found, where they were looked for, and what went wrong reading them."""

    profiles: tuple[AwsProfile, ...]
    config_file: Path
    credentials_file: Path
    problems: tuple[str, ...] = ()

    def get(self, name: str) -> AwsProfile | None:
        return next((profile for profile in self.profiles if profile.name == name), None)


def config_file_path() -> Path:
    return Path(os.path.expandvars(os.environ.get("AWS_CONFIG_FILE") or DEFAULT_CONFIG_FILE)).expanduser()


def credentials_file_path() -> Path:
    raw = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or DEFAULT_CREDENTIALS_FILE
    return Path(os.path.expandvars(raw)).expanduser()


def _read_ini(path: Path, *, profiles_map: bool) -> tuple[dict[str, Any], str | None]:
    from botocore import configloader
    from botocore.exceptions import BotoCoreError

    if not path.is_file():
        return {}, None
    try:
        if profiles_map:
            return configloader.load_config(str(path)), None
        return {"profiles": configloader.raw_config_parse(str(path))}, None
    except (BotoCoreError, OSError, ValueError) as exc:
        return {}, f"{path} could not be read: {exc}"


def _kind(values: dict[str, Any], has_keys: bool) -> ProfileKind:
    if "sso_session" in values or "sso_start_url" in values:
        return "sso"
    if "role_arn" in values:
        return "web-identity" if "web_identity_token_file" in values else "role"
    if "credential_process" in values:
        return "process"
    return "static" if has_keys else "other"


def _text(values: dict[str, Any], key: str) -> str | None:
    value = values.get(key)
    return value.strip() or None if isinstance(value, str) else None


def list_aws_profiles() -> AwsProfileListing:
    """Every profile of the AWS config and credentials files, sorted by name; never raises."""
    config_path, credentials_path = config_file_path(), credentials_file_path()
    config, config_problem = _read_ini(config_path, profiles_map=True)
    credentials, credentials_problem = _read_ini(credentials_path, profiles_map=False)
    config_profiles: dict[str, dict[str, Any]] = config.get("profiles", {})
    sessions: dict[str, dict[str, Any]] = config.get("sso_sessions", {})
    credential_profiles: dict[str, dict[str, Any]] = credentials.get("profiles", {})
    found: list[AwsProfile] = []
    for name in sorted(set(config_profiles) | set(credential_profiles), key=str.casefold):
        values = dict(config_profiles.get(name, {}))
        keyed = credential_profiles.get(name, {})
        has_keys = "aws_access_key_id" in values or "aws_access_key_id" in keyed
        session = _text(values, "sso_session")
        start_url = _text(values, "sso_start_url") or (
            _text(sessions.get(session, {}), "sso_start_url") if session else None
        )
        found.append(AwsProfile(
            name=name,
            kind=_kind(values, has_keys),
            region=_text(values, "region") or _text(keyed, "region"),
            sso_start_url=start_url,
            sso_session=session,
            sso_account_id=_text(values, "sso_account_id"),
            sso_role_name=_text(values, "sso_role_name"),
            in_config=name in config_profiles,
            in_credentials=name in credential_profiles,
        ))
    problems = tuple(problem for problem in (config_problem, credentials_problem) if problem)
    return AwsProfileListing(tuple(found), config_path, credentials_path, problems)


# --- signed clients -----------------------------------------------------------------------------


_CLIENT_CACHE_SIZE = 8
_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


def _credential_sources_fingerprint() -> tuple[Any, ...]:
    """What a profile's or the default chain's credentials come from: the AWS_* environment and the
    config and credentials files' modification times, so an edit yields a fresh client."""
    stamps: list[int | None] = []
    for path in (config_file_path(), credentials_file_path()):
        try:
            stamps.append(path.stat().st_mtime_ns)
        except OSError:
            stamps.append(None)
    env = tuple(sorted((key, value) for key, value in os.environ.items() if key.startswith("AWS_")))
    return (*stamps, hash(env))


def admin_client(
    service: Literal["cognito-idp", "logs", "s3", "ses", "sesv2", "sns", "lambda"],
    *,
    region: str,
    aws_profile: str | None = None,
    endpoint_url: str | None = None,
    static_credentials: tuple[str, str] | None = None,
    connect_timeout_s: float = 5.0,
    read_timeout_s: float = 15.0,
) -> Any:
    """A signed client for an admin call, from an AWS profile (or the default credential chain).

    `static_credentials` (access key id, secret) serve the sandbox, whose moto server accepts any.
    Raises ServiceError (e.g. AwsProfileNotFound) instead of botocore's exceptions. Clients are
    thread-safe and kept per arguments (and per state of the credential sources): creating one
    costs a boto3 session and its service model (~60 ms of GIL-holding work), and the trigger view
    asks for one after every send.
    """
    sources = _credential_sources_fingerprint() if static_credentials is None else ()
    key = (service, region, aws_profile, endpoint_url, static_credentials, connect_timeout_s,
           read_timeout_s, sources)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _create_admin_client(
                service, region=region, aws_profile=aws_profile, endpoint_url=endpoint_url,
                static_credentials=static_credentials, connect_timeout_s=connect_timeout_s,
                read_timeout_s=read_timeout_s,
            )
            if len(_clients) >= _CLIENT_CACHE_SIZE:
                del _clients[next(iter(_clients))]
            _clients[key] = client
        return client


def _create_admin_client(
    service: str,
    *,
    region: str,
    aws_profile: str | None,
    endpoint_url: str | None,
    static_credentials: tuple[str, str] | None,
    connect_timeout_s: float,
    read_timeout_s: float,
) -> Any:
    with long_lived():  # boto3's modules and the service model stay for the process's life
        from botocore.config import Config

    config = Config(
        region_name=region,
        connect_timeout=connect_timeout_s,
        read_timeout=read_timeout_s,
        retries={"mode": "standard", "total_max_attempts": 2},
        user_agent_appid="verifydesk",  # type: ignore[call-arg]  # stubs lag botocore
    )
    try:
        with long_lived():
            session = boto3_session(
                profile_name=aws_profile,
                region_name=region,
                static_credentials=static_credentials,
            )
            return session.client(service, endpoint_url=endpoint_url, config=config)  # type: ignore[call-overload]
    except Exception as exc:  # every failure becomes a catalogued error
        raise admin_error(exc, aws_profile) from exc


def cognito_admin_client(**kwargs: Any) -> CognitoIdentityProviderClient:
    client: CognitoIdentityProviderClient = admin_client("cognito-idp", **kwargs)
    return client


def _credential_failure(exc: Exception, aws_profile: str | None) -> tuple[str, str] | None:
    from botocore import exceptions as bce

    who = f"AWS profile {aws_profile!r}" if aws_profile else "the default AWS credentials"
    if isinstance(exc, bce.ProfileNotFound):
        where = f"{config_file_path()} or {credentials_file_path()}"
        return AWS_PROFILE_NOT_FOUND, f"There is no AWS profile named {aws_profile!r} in {where}."
    if isinstance(exc, bce.SSOError | bce.TokenRetrievalError):
        login = f"aws sso login --profile {aws_profile}" if aws_profile else "aws sso login"
        return AWS_SSO_EXPIRED, f"The SSO session of {who} has expired or was never started; run `{login}`."
    if isinstance(exc, bce.NoCredentialsError):
        return AWS_NO_CREDENTIALS, f"No AWS credentials were found for {who}."
    if isinstance(exc, bce.CredentialRetrievalError | bce.PartialCredentialsError | bce.InvalidConfigError):
        return AWS_CREDENTIALS_ERROR, f"The credentials of {who} could not be loaded: {exc}"
    return None


def _transport_failure(exc: Exception) -> tuple[str, str] | None:
    from botocore import exceptions as bce

    from app.core.calls import _network_message

    if isinstance(exc, bce.ReadTimeoutError | bce.ConnectTimeoutError):
        return TIMEOUT, f"No response within the timeout ({exc})."
    if isinstance(exc, bce.HTTPClientError | bce.ConnectionError | ConnectionError):
        return NETWORK_ERROR, _network_message(exc)
    return None


def admin_error(exc: Exception, aws_profile: str | None) -> ServiceError:
    """What a failed admin call means, as a catalogued error with a clear message."""
    from botocore.exceptions import ClientError

    from app.core.calls import _classify_client_error

    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, ClientError):
        return _classify_client_error(exc, attempts=1, latency_ms=0.0)
    code, message = (
        _credential_failure(exc, aws_profile)
        or _transport_failure(exc)
        or (UNKNOWN_ERROR, f"{type(exc).__name__}: {exc}")
    )
    return ServiceError(code, message)
