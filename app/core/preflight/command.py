"""`verifydesk preflight`: the checks for parsed options, as an exit code and a JSON-able object.

Exit 0 when no check fails, 1 when one does, 2 for bad input (the object names the option).
The user's attributes come from GetUser with an access token (unsigned), else from AdminGetUser
with the admin profile when only a username is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.errors import ServiceError
from app.core.history import HistoryStore
from app.core.pool_admin import SANDBOX_CREDENTIALS, AdminAccess
from app.core.preflight.aws import AwsReader, BlockedCallError
from app.core.preflight.model import Status
from app.core.preflight.run import PreflightRequest, run_preflight

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
HISTORY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class PreflightOptions:
    """The parsed options: connection, who, attribute, and the admin AWS profile."""

    settings: ConnectionSettings
    attribute: str | None = None
    aws_profile: str | None = None
    """None: the default AWS credential chain."""
    access_token: str | None = None
    username: str | None = None
    sandbox: bool = False
    """The connection is VerifyDesk's sandbox: its admin calls go to its endpoint, any credentials."""


def bad_input(field: str, message: str) -> tuple[int, dict[str, Any]]:
    return EXIT_BAD_INPUT, {"ok": False, "error": {
        "code": "InvalidInput", "message": message, "field": field,
        "http_status": None, "request_id": None, "guidance": None,
    }}


def admin_access(options: PreflightOptions) -> AdminAccess:
    """The sandbox answers admin calls at its own endpoint; elsewhere the AWS profile signs them and
    botocore picks the endpoint (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, else AWS's)."""
    settings = options.settings
    if options.sandbox:
        return AdminAccess(settings.region, None, settings.effective_endpoint_url, SANDBOX_CREDENTIALS)
    return AdminAccess(settings.region, options.aws_profile)


def _user_attributes(
    options: PreflightOptions, reader: AwsReader
) -> tuple[Mapping[str, str] | None, str | None]:
    if options.access_token:
        from app.core.calls import get_user

        try:
            profile = get_user(CognitoConnection(options.settings), options.access_token)
        except ServiceError as error:
            return None, (f"GetUser failed, so the user's attributes are unknown: "
                          f"{error.code}: {error.message}")
        return profile.attribute_map, None
    if options.username:
        try:
            answer = reader.call("cognito-idp", options.settings.region, "AdminGetUser",
                                 UserPoolId=options.settings.user_pool_id, Username=options.username)
        except BlockedCallError as blocked:
            return None, blocked.message
        found = answer.get("UserAttributes") or ()
        return {str(item["Name"]): str(item.get("Value", "")) for item in found}, None
    return None, "No user to check: sign in, or name the user with --username."


def email_sends_today(
    history: HistoryStore | None, user_pool_id: str, now: datetime | None = None
) -> int | None:
    """Email sends for the pool in the last 24 hours from VerifyDesk's history; None without one."""
    if history is None:
        return None
    since = (now or datetime.now(UTC)) - HISTORY_WINDOW
    try:
        return history.deliveries_since(user_pool_id, "EMAIL", since)
    except Exception:  # an unreadable history only loses the count, never the preflight
        return None


def preflight_command(
    options: PreflightOptions, *, history: HistoryStore | None = None, reader: AwsReader | None = None
) -> tuple[int, dict[str, Any]]:
    """Run the preflight for `options`: (exit code, {"ok", "checks": [{"id", "status", ...}]})."""
    pool_id = options.settings.user_pool_id
    if not pool_id:
        return bad_input(
            "--user-pool-id", "The preflight reads the pool's configuration: give its user pool id."
        )
    reader = reader or AwsReader(
        admin_access(options), connect_timeout_s=options.settings.connect_timeout_s,
        read_timeout_s=options.settings.read_timeout_s,
    )
    attributes, problem = _user_attributes(options, reader)
    request = PreflightRequest(
        access=reader.access, user_pool_id=pool_id, attribute_name=options.attribute,
        user_attributes=attributes, user_problem=problem,
        email_sends_today=email_sends_today(history, pool_id),
    )
    checks = run_preflight(request, reader=reader)
    failed = any(check.status is Status.FAIL for check in checks)
    return (EXIT_FAILED if failed else EXIT_OK), {"ok": not failed, "checks": [c.to_dict() for c in checks]}
