"""A failed call as a typed error (ServiceError), and catalogue advice fitted to where it was met."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from app.core.attribute_errors import update_entry
from app.core.error_catalogue import CatalogueEntry, lookup, make_entry

VERIFIABLE_ATTRIBUTES = ("email", "phone_number")
AUTHENTICATOR_CHALLENGE = "SOFTWARE_TOKEN_MFA"
_PATTERN_VALUE = re.compile(r"Value '(?P<value>.*?)' at 'attributeName' failed to satisfy constraint", re.S)


@dataclass(frozen=True)
class ErrorContext:
    """Where an error was met, so its advice fits: `operation` is "send", "verify", "update" (an
    attribute change), "sign_in" or "refresh" (a REFRESH_TOKEN_AUTH sign-in);
    `challenge` the sign-in challenge being answered; `attribute_name` the name sent;
    `can_refresh` False when the session has no refresh token (a pasted access token)."""

    operation: str = "send"
    challenge: str | None = None
    attribute_name: str | None = None
    can_refresh: bool = True


def _attribute_name_advice(message: str, attribute_name: str | None) -> str | None:
    """The next step for an InvalidParameterException about the attribute name, or None."""
    from app.core.field_rules import attribute_name_problem

    match = _PATTERN_VALUE.search(message)
    name = match.group("value") if match else attribute_name
    if name is None:
        return None
    problem = attribute_name_problem(name)
    if problem:
        return f"The attribute name {name!r} is not allowed: {problem}"
    if name not in VERIFIABLE_ATTRIBUTES:
        return (f"{name!r} is a valid name, but only `email` and `phone_number` can be verified, and the "
                "user must have a value for that attribute.")
    return None


# What a refused sign-in means: a wrong password is not a refused access token, so the catalogue's
# token advice (refresh) would mislead.
_SIGN_IN_NOT_AUTHORIZED = make_entry(
    "NotAuthorizedException", 400,
    "Cognito refused the sign-in: a wrong username or password, or a sign-in flow this app client "
    "does not allow.",
    "Check the username and password, and that the app client allows this sign-in flow.",
)
_REFRESH_NOT_AUTHORIZED = make_entry(
    "NotAuthorizedException", 400,
    "Cognito refused the refresh token: it expired, was revoked (a global sign-out), or belongs to "
    "another app client.",
    "Sign in again with the username and password.",
)
_CHALLENGE_NOT_AUTHORIZED = make_entry(
    "NotAuthorizedException", 400,
    "Cognito refused the answer to the sign-in challenge: its session expired or was already used.",
    "Sign in again and answer the challenge within a few minutes.",
)
_SIGN_IN_USER_NOT_FOUND = make_entry(
    "UserNotFoundException", 400,
    "The pool has no user with this username.",
    "Check the username, and that the connection points at the right user pool.",
)


def _sign_in_entry(entry: CatalogueEntry, challenge: str | None) -> CatalogueEntry:
    """`entry` read as the error of a sign-in call (InitiateAuth, RespondToAuthChallenge to `challenge`)."""
    if entry.code == "NotAuthorizedException":
        return _CHALLENGE_NOT_AUTHORIZED if challenge else _SIGN_IN_NOT_AUTHORIZED
    if entry.code == "UserNotFoundException":
        return _SIGN_IN_USER_NOT_FOUND
    if entry.code == "CodeMismatchException":
        if challenge == AUTHENTICATOR_CHALLENGE:
            return replace(
                entry, explanation="The code does not match the authenticator app's current code.",
                next_step="Enter the code your authenticator app shows now (it changes every 30 seconds); "
                          "if current codes keep failing, set the device's clock to update automatically.")
        return replace(entry, explanation="The sign-in code does not match the one Cognito sent.",
                       next_step="Check the code in the newest sign-in message and try again.")
    return entry


def entry_in(code: str, message: str, context: ErrorContext | None = None) -> CatalogueEntry:
    """The catalogue entry for `code`, its advice fitted to where the error was met."""
    entry = lookup(code)
    if context is None:
        return entry
    if context.operation == "sign_in":
        return _sign_in_entry(entry, context.challenge)
    if context.operation == "refresh" and code == "NotAuthorizedException":
        return _REFRESH_NOT_AUTHORIZED
    if context.operation == "update" and not (
        code == "NotAuthorizedException" and is_expired_token_message(message)
    ):
        entry = update_entry(entry)
    if code == "NotAuthorizedException" and not context.can_refresh and is_expired_token_message(message):
        return replace(entry, offers_refresh=False,
                       next_step="The pasted access token has expired and cannot be refreshed: paste a new "
                                 "token, or sign in with a username and password.")
    if code == "InvalidParameterException" and context.operation != "update":
        advice = _attribute_name_advice(message, context.attribute_name)
        if advice:
            return replace(entry, next_step=advice)
    return entry


def is_expired_token_message(message: str) -> bool:
    """True when a NotAuthorizedException message says the access token has expired."""
    lowered = message.lower()
    return "expired" in lowered or "invalid access token" in lowered


@dataclass
class ServiceError(Exception):
    """A failed call, typed: what the server (or the network) said, and what the tester can do."""

    code: str
    message: str
    http_status: int | None = None
    request_id: str | None = None
    attempts: int = 1
    latency_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.message}")

    @property
    def entry(self) -> CatalogueEntry:
        return lookup(self.code)

    @property
    def guidance(self) -> str:
        return self.entry.guidance

    def entry_in(self, context: ErrorContext | None) -> CatalogueEntry:
        """The catalogue entry with advice fitted to `context` (see `entry_in`)."""
        return entry_in(self.code, self.message, context)

    @property
    def offers_refresh(self) -> bool:
        """NotAuthorizedException for an expired token: a refresh will likely fix it."""
        return self.entry.offers_refresh and is_expired_token_message(self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "guidance": self.guidance,
        }
