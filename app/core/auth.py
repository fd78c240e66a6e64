"""Sign-in flows: password (SRP or plain), challenges, refresh.

Each step returns either `Tokens` (signed in) or a `Challenge` to answer. SECRET_HASH is added to
InitiateAuth and to every challenge response whenever the app client has a secret. A challenge this
module does not know is still returned, by name and with its parameters, for the caller to show.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.core.answers import UnexpectedAnswerError
from app.core.calls import invoke, unexpected_answer
from app.core.connection import CognitoConnection
from app.core.tokens import Tokens
from app.runtime.pycognito_srp import srp_class


class AuthFlow(StrEnum):
    """The password sign-in flows a tester can choose."""

    USER_SRP_AUTH = "USER_SRP_AUTH"
    USER_PASSWORD_AUTH = "USER_PASSWORD_AUTH"


class ChallengeName(StrEnum):
    """Challenges with a dedicated answer form."""

    NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
    SMS_MFA = "SMS_MFA"
    SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
    EMAIL_OTP = "EMAIL_OTP"
    SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
    CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"


# The response key that carries the code of each code challenge.
CODE_ANSWER_KEYS: dict[str, str] = {
    ChallengeName.SMS_MFA: "SMS_MFA_CODE",
    ChallengeName.SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
    ChallengeName.EMAIL_OTP: "EMAIL_OTP_CODE",
}


class SignInInputError(ValueError):
    """A sign-in cannot start: `field` names the input that is missing or wrong."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def secret_hash(client_secret: str, username: str, client_id: str) -> str:
    """Base64(HMAC-SHA256(key=client secret, message=username + client id))."""
    digest = hmac.new(
        client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class Challenge:
    """A question Cognito asks before it issues tokens."""

    name: str
    parameters: dict[str, str]
    username: str
    session: str | None = field(default=None, repr=False)

    @property
    def known(self) -> bool:
        return self.name in ChallengeName.__members__

    @property
    def required_attributes(self) -> list[str]:
        """Attributes a NEW_PASSWORD_REQUIRED answer must include (without the prefix)."""
        raw = self.parameters.get("requiredAttributes") or "[]"
        try:
            names = json.loads(raw)
        except ValueError:
            return []
        return [str(n).removeprefix("userAttributes.") for n in names if isinstance(n, str)]

    @property
    def current_attributes(self) -> dict[str, str]:
        """The user's attributes sent with NEW_PASSWORD_REQUIRED."""
        try:
            data = json.loads(self.parameters.get("userAttributes") or "{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    @property
    def mfa_choices(self) -> list[str]:
        """The MFA types a SELECT_MFA_TYPE (or MFA_SETUP) challenge offers."""
        raw = self.parameters.get("MFAS_CAN_CHOOSE") or self.parameters.get("MFAS_CAN_SETUP")
        try:
            choices = json.loads(raw or "[]")
        except ValueError:
            return []
        return [str(c) for c in choices] if isinstance(choices, list) else []

    @property
    def destination(self) -> str | None:
        return self.parameters.get("CODE_DELIVERY_DESTINATION")

    @property
    def code_answer_key(self) -> str | None:
        return CODE_ANSWER_KEYS.get(self.name)


SignInStep = Tokens | Challenge


def _with_secret_hash(
    conn: CognitoConnection, params: dict[str, str], username: str
) -> dict[str, str]:
    secret = conn.settings.client_secret
    if secret:
        return {**params, "SECRET_HASH": secret_hash(secret, username, conn.settings.client_id)}
    return params


def _step(response: dict[str, Any], username: str, refresh_token: str | None = None) -> SignInStep:
    if "AuthenticationResult" in response:
        try:
            return Tokens.from_auth_result(
                response["AuthenticationResult"], previous_refresh_token=refresh_token
            )
        except UnexpectedAnswerError as exc:
            raise unexpected_answer(exc) from None
    parameters = {str(k): str(v) for k, v in (response.get("ChallengeParameters") or {}).items()}
    challenge_user = (
        parameters.get("USER_ID_FOR_SRP") or parameters.get("USERNAME") or username
    )
    return Challenge(
        name=str(response.get("ChallengeName") or "UNKNOWN"),
        parameters=parameters,
        username=challenge_user,
        session=response.get("Session"),
    )


def sign_in_password(
    conn: CognitoConnection,
    username: str,
    password: str,
    flow: AuthFlow = AuthFlow.USER_SRP_AUTH,
) -> SignInStep:
    """InitiateAuth with a password; SRP answers PASSWORD_VERIFIER itself."""
    if not username:
        raise SignInInputError("username", "Enter a username.")
    if not password:
        raise SignInInputError("password", "Enter the password.")
    if flow is AuthFlow.USER_PASSWORD_AUTH:
        params = _with_secret_hash(conn, {"USERNAME": username, "PASSWORD": password}, username)
        response = invoke(
            conn, "initiate_auth", AuthFlow=flow.value, ClientId=conn.settings.client_id,
            AuthParameters=params,
        ).response
        return _step(response, username)
    return _sign_in_srp(conn, username, password)


def _sign_in_srp(conn: CognitoConnection, username: str, password: str) -> SignInStep:
    AWSSRP = srp_class()  # noqa: N806 - a class

    pool_id = conn.settings.user_pool_id
    if not pool_id or "_" not in pool_id:
        raise SignInInputError(
            "user_pool_id",
            "SRP sign-in needs the user pool id (e.g. us-east-1_AbCdEf123); add it to the "
            "profile or choose USER_PASSWORD_AUTH.",
        )
    srp = AWSSRP(
        username, password, pool_id, conn.settings.client_id,
        client=conn.client, client_secret=conn.settings.client_secret,
    )
    auth_params: dict[str, str] = srp.get_auth_params()
    response = invoke(
        conn, "initiate_auth", AuthFlow=AuthFlow.USER_SRP_AUTH.value,
        ClientId=conn.settings.client_id, AuthParameters=auth_params,
    ).response
    if response.get("ChallengeName") != "PASSWORD_VERIFIER":
        return _step(response, username)
    answers: dict[str, str] = srp.process_challenge(response["ChallengeParameters"], auth_params)
    request: dict[str, Any] = {
        "ClientId": conn.settings.client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": answers,
    }
    if response.get("Session"):
        request["Session"] = response["Session"]
    reply = invoke(conn, "respond_to_auth_challenge", **request).response
    return _step(reply, answers.get("USERNAME", username))


def respond_to_challenge(
    conn: CognitoConnection, challenge: Challenge, answers: dict[str, str]
) -> SignInStep:
    """RespondToAuthChallenge with the given answers (USERNAME and SECRET_HASH are added)."""
    responses = _with_secret_hash(
        conn, {"USERNAME": challenge.username, **answers}, challenge.username
    )
    request: dict[str, Any] = {
        "ClientId": conn.settings.client_id,
        "ChallengeName": challenge.name,
        "ChallengeResponses": responses,
    }
    if challenge.session:
        request["Session"] = challenge.session
    response = invoke(conn, "respond_to_auth_challenge", **request).response
    return _step(response, challenge.username)


def new_password_answers(new_password: str, attributes: dict[str, str]) -> dict[str, str]:
    """Answers for NEW_PASSWORD_REQUIRED: the password and the required attributes."""
    answers = {"NEW_PASSWORD": new_password}
    answers.update({f"userAttributes.{name}": value for name, value in attributes.items()})
    return answers


def code_answers(challenge: Challenge, code: str) -> dict[str, str]:
    """Answers for a code challenge (SMS, TOTP, email OTP) or a custom challenge."""
    return {challenge.code_answer_key or "ANSWER": code}


def mfa_choice_answers(choice: str) -> dict[str, str]:
    """Answers for SELECT_MFA_TYPE: the chosen MFA type, e.g. SOFTWARE_TOKEN_MFA."""
    return {"ANSWER": choice}


def refresh(conn: CognitoConnection, refresh_token: str, username: str | None = None) -> Tokens:
    """REFRESH_TOKEN_AUTH; the refresh token is kept (Cognito does not return a new one).

    With a client secret, SECRET_HASH is computed over `username` (the user's sub when the
    pool signs in by alias).
    """
    params = {"REFRESH_TOKEN": refresh_token}
    if conn.settings.client_secret:
        if not username:
            raise SignInInputError("username", "Refreshing with a client secret needs the username.")
        params = _with_secret_hash(conn, params, username)
    response = invoke(
        conn, "initiate_auth", AuthFlow="REFRESH_TOKEN_AUTH", ClientId=conn.settings.client_id,
        AuthParameters=params,
    ).response
    step = _step(response, username or "", refresh_token=refresh_token)
    if isinstance(step, Challenge):
        from app.core.errors import ServiceError

        raise ServiceError(
            "UnexpectedChallenge", f"Refresh returned the challenge {step.name} instead of tokens."
        )
    return step
