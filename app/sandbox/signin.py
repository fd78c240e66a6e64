"""InitiateAuth for the sandbox pool, checked like Cognito checks them (the answers to its challenges
are `app.sandbox.challenges`).

moto keeps the users and issues the tokens; this module decides who gets them: the password (USER_
PASSWORD_AUTH, or real SRP), SECRET_HASH on every request of a client with a secret, and the
challenges moto lacks (SMS_MFA and EMAIL_OTP codes through the inbox, RFC 6238 TOTP, SELECT_MFA_TYPE,
CUSTOM_CHALLENGE, NEW_PASSWORD_REQUIRED with required attributes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from app.sandbox import seed, srp
from app.sandbox.inbox import PURPOSE_EMAIL_OTP, PURPOSE_SMS_MFA, mask
from app.sandbox.state import AUTH_SESSION_TTL_S, AuthSession, SandboxState, UserPlan
from app.sandbox.verification import new_code
from app.sandbox.wire import ApiError, invalid_parameter, not_authorized

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
AUTH_FLOWS = (
    "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
    "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH",
)
DEFAULT_CLIENT_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH")
WRONG_PASSWORD = "Incorrect username or password."
INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."
CODE_MISMATCH = "Invalid code or auth state for the user."
PASSWORD_POLICY = (
    "Password does not conform to policy: at least 8 characters with an upper-case and a lower-case "
    "letter, a number and a symbol."
)
CODE_KEYS = {
    seed.SMS_MFA: "SMS_MFA_CODE",
    seed.EMAIL_OTP: "EMAIL_OTP_CODE",
    seed.SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
}
SMS_CODE_DIGITS = 6
EMAIL_OTP_DIGITS = 8


def missing_parameter(name: str) -> ApiError:
    return invalid_parameter(f"Missing required parameter {name}")


def text_param(mapping: dict[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def _expected_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def check_secret_hash(client: Any, provided: str, *usernames: str) -> None:
    """A client with a secret needs SECRET_HASH = Base64(HMAC-SHA256(secret, username + client id))."""
    if not client.generate_secret:
        return
    if not provided:
        raise not_authorized(f"Client {client.id} is configured with secret but SECRET_HASH was not received")
    expected = [_expected_hash(client.secret, name, client.id) for name in usernames if name]
    if not any(hmac.compare_digest(candidate, provided) for candidate in expected):
        raise not_authorized(f"Unable to verify secret hash for client {client.id}")


def app_client(state: SandboxState, params: dict[str, Any]) -> Any:
    client_id = params.get("ClientId")
    if not isinstance(client_id, str) or not client_id:
        raise invalid_parameter(
            "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: "
            "Member must not be null"
        )
    client = state.client(client_id)
    if client is None:
        raise ApiError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    return client


def _user(state: SandboxState, username: str) -> Any:
    user = state.user(username)
    if user is None:
        raise ApiError("UserNotFoundException", "User does not exist.")
    if not user.enabled:
        raise not_authorized("User is disabled.")
    status = str(getattr(user.status, "value", user.status))
    if status == "UNCONFIRMED":
        raise ApiError("UserNotConfirmedException", "User is not confirmed.")
    if status == "RESET_REQUIRED":
        raise ApiError("PasswordResetRequiredException", "Password reset required for the user")
    return user


def tokens_for(state: SandboxState, client: Any, user: Any) -> dict[str, Any]:
    """moto's own tokens, so GetUser and everything else accept them."""
    pool = state.pool
    refresh_token, _ = pool.create_refresh_token(client.id, user.username)
    access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    return {"ChallengeParameters": {}, "AuthenticationResult": {
        "AccessToken": access_token, "ExpiresIn": expires_in, "TokenType": "Bearer",
        "RefreshToken": refresh_token, "IdToken": id_token,
    }}


def new_session(state: SandboxState, session: AuthSession) -> str:
    token = base64.b64encode(secrets.token_bytes(192)).decode("ascii")
    with state.lock:
        state.drop_stale_sessions()
        state.sessions[token] = session
    return token


def _session_for(state: SandboxState, client: Any, user: Any, challenge: str, **extra: Any) -> AuthSession:
    return AuthSession(
        pool_id=state.pool_id, client_id=client.id, username=user.username, challenge=challenge,
        expires_at=time.monotonic() + AUTH_SESSION_TTL_S, **extra,
    )


def _mfa_choices(plan: UserPlan) -> tuple[str, ...]:
    choices = [seed.SOFTWARE_TOKEN_MFA] if plan.totp_secret else []
    if plan.phone_number:
        choices.append(seed.SMS_MFA)
    if plan.email:
        choices.append(seed.EMAIL_OTP)
    return tuple(choices)


def _send_sign_in_code(state: SandboxState, user: Any, challenge: str) -> tuple[str, dict[str, str]]:
    attribute = "phone_number" if challenge == seed.SMS_MFA else "email"
    destination = str(user.attribute_lookup.get(attribute) or "")
    if not destination:
        raise ApiError("CodeDeliveryFailureException", f"The user has no {attribute} to send the code to.")
    digits = SMS_CODE_DIGITS if challenge == seed.SMS_MFA else EMAIL_OTP_DIGITS
    code = new_code(digits)
    state.inbox.deliver(
        username=user.username, attribute=attribute, destination=destination, code=code,
        subject=None if challenge == seed.SMS_MFA else "Your sign-in code",
        message=f"Your authentication code is {code}.",
        purpose=PURPOSE_SMS_MFA if challenge == seed.SMS_MFA else PURPOSE_EMAIL_OTP,
    )
    return code, {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS" if challenge == seed.SMS_MFA else "EMAIL",
        "CODE_DELIVERY_DESTINATION": mask(attribute, destination),
    }


def missing_required(state: SandboxState, have: dict[str, Any]) -> list[str]:
    """Attributes the pool requires that the user has no value for."""
    return [a.name for a in state.pool.schema_attributes.values() if a.required and not have.get(a.name)]


def challenge_for(state: SandboxState, client: Any, user: Any, name: str, attempt: int = 1) -> dict[str, Any]:
    """Ask `name`; the Session returned carries what answers it."""
    plan = state.plans.get(user.username) or UserPlan(user.username, "")
    parameters: dict[str, str] = {"USER_ID_FOR_SRP": user.username}
    session = _session_for(state, client, user, name)
    if name == seed.NEW_PASSWORD_REQUIRED:
        have = user.attribute_lookup
        required = missing_required(state, have)
        parameters["requiredAttributes"] = json.dumps([f"userAttributes.{a}" for a in required])
        parameters["userAttributes"] = json.dumps({k: v for k, v in have.items() if k != "sub"})
    elif name in (seed.SMS_MFA, seed.EMAIL_OTP):
        session.expected_code, delivery = _send_sign_in_code(state, user, name)
        parameters.update(delivery)
    elif name == seed.SELECT_MFA_TYPE:
        session.choices = _mfa_choices(plan)
        parameters["MFAS_CAN_CHOOSE"] = json.dumps(list(session.choices))
    elif name == seed.CUSTOM_CHALLENGE:
        session.expected_code = plan.custom_answer or seed.CUSTOM_ANSWER
        session.failures = attempt - 1
        parameters.update({
            "question": seed.CUSTOM_QUESTION, "hint": "a whole number", "attempt": str(attempt),
        })
    elif name == seed.MFA_SETUP:
        parameters["MFAS_CAN_SETUP"] = json.dumps([seed.SOFTWARE_TOKEN_MFA])
    return {"ChallengeName": name, "Session": new_session(state, session), "ChallengeParameters": parameters}


def after_password(state: SandboxState, client: Any, user: Any) -> dict[str, Any]:
    if str(getattr(user.status, "value", user.status)) == "FORCE_CHANGE_PASSWORD":
        return challenge_for(state, client, user, seed.NEW_PASSWORD_REQUIRED)
    plan = state.plans.get(user.username)
    if plan is not None and plan.challenge and plan.challenge != seed.NEW_PASSWORD_REQUIRED:
        return challenge_for(state, client, user, plan.challenge)
    return tokens_for(state, client, user)


# InitiateAuth


def _password_auth(state: SandboxState, client: Any, auth: dict[str, Any]) -> dict[str, Any]:
    username = text_param(auth, "USERNAME")
    if not username:
        raise missing_parameter("USERNAME")
    check_secret_hash(client, text_param(auth, "SECRET_HASH"), username)
    user = _user(state, username)
    password = text_param(auth, "PASSWORD")
    if not password:
        raise missing_parameter("PASSWORD")
    if not hmac.compare_digest(str(user.password or "").encode(), password.encode()):
        raise not_authorized(WRONG_PASSWORD)
    return after_password(state, client, user)


def _srp_auth(state: SandboxState, client: Any, auth: dict[str, Any]) -> dict[str, Any]:
    username = text_param(auth, "USERNAME")
    if not username:
        raise missing_parameter("USERNAME")
    srp_a = text_param(auth, "SRP_A")
    if not srp_a:
        raise missing_parameter("SRP_A")
    check_secret_hash(client, text_param(auth, "SECRET_HASH"), username)
    user = _user(state, username)
    started = srp.start(state.pool_suffix, user.username, str(user.password or ""))
    session = _session_for(state, client, user, PASSWORD_VERIFIER, srp=started, srp_a=srp_a)
    with state.lock:
        state.sessions[started.secret_block] = session
    return {"ChallengeName": PASSWORD_VERIFIER, "ChallengeParameters": {
        "SALT": started.salt_hex, "SRP_B": started.b_hex, "SECRET_BLOCK": started.secret_block,
        "USERNAME": user.username, "USER_ID_FOR_SRP": user.username,
    }}


def _refresh_auth(state: SandboxState, client: Any, auth: dict[str, Any]) -> dict[str, Any]:
    token = text_param(auth, "REFRESH_TOKEN")
    if not token:
        raise missing_parameter("REFRESH_TOKEN")
    refresh_tokens = state.pool.refresh_tokens
    if token not in refresh_tokens:
        raise not_authorized("Invalid Refresh Token")
    record = refresh_tokens[token]
    if record is None:
        raise not_authorized("Refresh Token has been revoked")
    token_client, username, _ = record
    if token_client != client.id:
        raise not_authorized("Invalid Refresh Token")
    user = _user(state, username)
    check_secret_hash(client, text_param(auth, "SECRET_HASH"), user.username, user.id)
    access_token, id_token, expires_in = state.pool.create_tokens_from_refresh_token(token)
    return {"ChallengeParameters": {}, "AuthenticationResult": {
        "AccessToken": access_token, "ExpiresIn": expires_in, "TokenType": "Bearer", "IdToken": id_token,
    }}


def _custom_auth(state: SandboxState, client: Any, auth: dict[str, Any]) -> dict[str, Any]:
    username = text_param(auth, "USERNAME")
    if not username:
        raise missing_parameter("USERNAME")
    check_secret_hash(client, text_param(auth, "SECRET_HASH"), username)
    user = _user(state, username)
    plan = state.plans.get(user.username)
    if plan is None or plan.challenge != seed.CUSTOM_CHALLENGE:
        raise not_authorized(WRONG_PASSWORD)
    return challenge_for(state, client, user, seed.CUSTOM_CHALLENGE)


_FLOWS: dict[str, Callable[[SandboxState, Any, dict[str, Any]], dict[str, Any]]] = {
    "USER_PASSWORD_AUTH": _password_auth,
    "USER_SRP_AUTH": _srp_auth,
    "REFRESH_TOKEN_AUTH": _refresh_auth,
    "REFRESH_TOKEN": _refresh_auth,
    "CUSTOM_AUTH": _custom_auth,
}


def initiate_auth(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    flow = params.get("AuthFlow")
    if flow not in AUTH_FLOWS:
        shown = "null" if flow is None else f"'{flow}'"
        raise invalid_parameter(
            f"1 validation error detected: Value {shown} at 'authFlow' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(AUTH_FLOWS)}]"
        )
    client = app_client(state, params)
    if flow not in _FLOWS:
        raise invalid_parameter("Initiate Auth method not supported.")
    allowed = client.extended_config.get("ExplicitAuthFlows") or DEFAULT_CLIENT_FLOWS
    needed = "ALLOW_REFRESH_TOKEN_AUTH" if flow == "REFRESH_TOKEN" else f"ALLOW_{flow}"
    if needed not in allowed:
        raise invalid_parameter(f"{flow} flow not enabled for this client")
    auth = params.get("AuthParameters") or {}
    if not isinstance(auth, dict):
        raise invalid_parameter("AuthParameters must be a map of string to string")
    return _FLOWS[str(flow)](state, client, auth)
