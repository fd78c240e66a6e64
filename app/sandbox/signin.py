"""InitiateAuth and RespondToAuthChallenge for the sandbox pool, checked like Cognito checks them.

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
from dataclasses import dataclass
from typing import Any

from app.sandbox import seed, srp, totp
from app.sandbox.inbox import PURPOSE_EMAIL_OTP, PURPOSE_SMS_MFA, mask
from app.sandbox.state import AUTH_SESSION_TTL_S, MAX_WRONG_ANSWERS, AuthSession, SandboxState, UserPlan
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


def _missing(name: str) -> ApiError:
    return invalid_parameter(f"Missing required parameter {name}")


def _text(mapping: dict[str, Any], key: str) -> str:
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


def _client(state: SandboxState, params: dict[str, Any]) -> Any:
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


def _tokens(state: SandboxState, client: Any, user: Any) -> dict[str, Any]:
    """moto's own tokens, so GetUser and everything else accept them."""
    pool = state.pool
    refresh_token, _ = pool.create_refresh_token(client.id, user.username)
    access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    return {"ChallengeParameters": {}, "AuthenticationResult": {
        "AccessToken": access_token, "ExpiresIn": expires_in, "TokenType": "Bearer",
        "RefreshToken": refresh_token, "IdToken": id_token,
    }}


def _new_session(state: SandboxState, session: AuthSession) -> str:
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


def _missing_required(state: SandboxState, have: dict[str, Any]) -> list[str]:
    """Attributes the pool requires that the user has no value for."""
    return [a.name for a in state.pool.schema_attributes.values() if a.required and not have.get(a.name)]


def _challenge(state: SandboxState, client: Any, user: Any, name: str, attempt: int = 1) -> dict[str, Any]:
    """Ask `name`; the Session returned carries what answers it."""
    plan = state.plans.get(user.username) or UserPlan(user.username, "")
    parameters: dict[str, str] = {"USER_ID_FOR_SRP": user.username}
    session = _session_for(state, client, user, name)
    if name == seed.NEW_PASSWORD_REQUIRED:
        have = user.attribute_lookup
        required = _missing_required(state, have)
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
    return {"ChallengeName": name, "Session": _new_session(state, session), "ChallengeParameters": parameters}


def _after_password(state: SandboxState, client: Any, user: Any) -> dict[str, Any]:
    if str(getattr(user.status, "value", user.status)) == "FORCE_CHANGE_PASSWORD":
        return _challenge(state, client, user, seed.NEW_PASSWORD_REQUIRED)
    plan = state.plans.get(user.username)
    if plan is not None and plan.challenge and plan.challenge != seed.NEW_PASSWORD_REQUIRED:
        return _challenge(state, client, user, plan.challenge)
    return _tokens(state, client, user)


# InitiateAuth


def _password_auth(state: SandboxState, client: Any, auth: dict[str, Any]) -> dict[str, Any]:
    username = _text(auth, "USERNAME")
    if not username:
        raise _missing("USERNAME")
    check_secret_hash(client, _text(auth, "SECRET_HASH"), username)
    user = _user(state, username)
    password = _text(auth, "PASSWORD")
    if not password:
        raise _missing("PASSWORD")
    if not hmac.compare_digest(str(user.password or "").encode(), password.encode()):
        raise not_authorized(WRONG_PASSWORD)
    return _after_password(state, client, user)


def _srp_auth(state: SandboxState, client: Any, auth: dict[str, Any]) -> dict[str, Any]:
    username = _text(auth, "USERNAME")
    if not username:
        raise _missing("USERNAME")
    srp_a = _text(auth, "SRP_A")
    if not srp_a:
        raise _missing("SRP_A")
    check_secret_hash(client, _text(auth, "SECRET_HASH"), username)
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
    token = _text(auth, "REFRESH_TOKEN")
    if not token:
        raise _missing("REFRESH_TOKEN")
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
    check_secret_hash(client, _text(auth, "SECRET_HASH"), user.username, user.id)
    access_token, id_token, expires_in = state.pool.create_tokens_from_refresh_token(token)
    return {"ChallengeParameters": {}, "AuthenticationResult": {
        "AccessToken": access_token, "ExpiresIn": expires_in, "TokenType": "Bearer", "IdToken": id_token,
    }}


def _custom_auth(state: SandboxState, client: Any, auth: dict[str, Any]) -> dict[str, Any]:
    username = _text(auth, "USERNAME")
    if not username:
        raise _missing("USERNAME")
    check_secret_hash(client, _text(auth, "SECRET_HASH"), username)
    user = _user(state, username)
    plan = state.plans.get(user.username)
    if plan is None or plan.challenge != seed.CUSTOM_CHALLENGE:
        raise not_authorized(WRONG_PASSWORD)
    return _challenge(state, client, user, seed.CUSTOM_CHALLENGE)


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
    client = _client(state, params)
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


# RespondToAuthChallenge


@dataclass(frozen=True)
class Answer:
    """One RespondToAuthChallenge: who answers which session with what."""

    state: SandboxState
    client: Any
    user: Any
    key: str
    session: AuthSession
    responses: dict[str, Any]

    def text(self, name: str) -> str:
        return _text(self.responses, name)

    def end(self) -> None:
        with self.state.lock:
            self.state.sessions.pop(self.key, None)

    def wrong(self, error: ApiError) -> ApiError:
        """Count a wrong answer; too many end the session."""
        with self.state.lock:
            self.session.failures += 1
            if self.session.failures >= MAX_WRONG_ANSWERS:
                self.state.sessions.pop(self.key, None)
                return not_authorized(INVALID_SESSION)
        return error


def _live_session(state: SandboxState, key: str, client_id: str | None, name: str) -> AuthSession:
    """The session behind `key`, still valid, for challenge `name` (and this client, when given)."""
    with state.lock:
        session = state.sessions.get(key)
        if session is None or (client_id is not None and session.client_id != client_id):
            raise not_authorized(INVALID_SESSION)
        if session.expires_at < time.monotonic():
            state.sessions.pop(key, None)
            raise not_authorized(EXPIRED_SESSION)
    if session.challenge != name:
        raise invalid_parameter(f"The session is for the challenge {session.challenge}, not {name}.")
    return session


def _take_session(
    state: SandboxState, client: Any, name: str, params: dict[str, Any], answers: dict[str, Any]
) -> tuple[str, AuthSession]:
    key_name = "PASSWORD_CLAIM_SECRET_BLOCK" if name == PASSWORD_VERIFIER else "Session"
    key = _text(answers if name == PASSWORD_VERIFIER else params, key_name)
    if not key:
        raise _missing(key_name)
    return key, _live_session(state, key, client.id, name)


def _rotate(state: SandboxState, key: str, session: AuthSession) -> str:
    """Each MFA_SETUP step answers with a new Session, like Cognito."""
    with state.lock:
        state.sessions.pop(key, None)
    return _new_session(state, session)


def associate_software_token(state: SandboxState, params: dict[str, Any]) -> dict[str, Any] | None:
    """During MFA_SETUP (a Session, no AccessToken): a new TOTP secret for the user to enrol."""
    key = _text(params, "Session")
    if not key:
        return None  # the signed-in form (AccessToken): moto answers it
    session = _live_session(state, key, None, seed.MFA_SETUP)
    session.totp_secret, session.totp_verified = totp.new_secret(), False
    return {"SecretCode": session.totp_secret, "Session": _rotate(state, key, session)}


def verify_software_token(state: SandboxState, params: dict[str, Any]) -> dict[str, Any] | None:
    """During MFA_SETUP: check the first code from the authenticator app."""
    key = _text(params, "Session")
    if not key:
        return None
    session = _live_session(state, key, None, seed.MFA_SETUP)
    if session.totp_secret is None:
        raise invalid_parameter("Call AssociateSoftwareToken with this session first.")
    if not totp.verify(session.totp_secret, _text(params, "UserCode")):
        raise ApiError("EnableSoftwareTokenMFAException", "Code mismatch")
    session.totp_verified = True
    return {"Status": "SUCCESS", "Session": _rotate(state, key, session)}


def _password_verifier(answer: Answer) -> dict[str, Any]:
    answer.end()
    started, srp_a = answer.session.srp, answer.session.srp_a
    signature, timestamp = answer.text("PASSWORD_CLAIM_SIGNATURE"), answer.text("TIMESTAMP")
    if started is None or srp_a is None or not srp.signature_matches(
        started, answer.state.pool_suffix, srp_a, timestamp, signature
    ):
        raise not_authorized(WRONG_PASSWORD)
    return _after_password(answer.state, answer.client, answer.user)


def _new_password(answer: Answer) -> dict[str, Any]:
    state, user = answer.state, answer.user
    password = answer.text("NEW_PASSWORD")
    if not password:
        raise _missing("NEW_PASSWORD")
    updates = {
        name.removeprefix("userAttributes."): value for name, value in answer.responses.items()
        if name.startswith("userAttributes.") and isinstance(value, str)
    }
    missing = _missing_required(state, {**user.attribute_lookup, **{k: v for k, v in updates.items() if v}})
    if missing:
        raise invalid_parameter(f"Invalid attributes given, {', '.join(missing)} is missing")
    try:
        state.backend._validate_password(state.pool_id, password)
    except Exception:  # moto's InvalidPasswordException; reworded like Cognito's
        raise ApiError("InvalidPasswordException", PASSWORD_POLICY) from None
    answer.end()
    with state.lock:
        user.update_attributes([{"Name": k, "Value": v} for k, v in updates.items()])
        user.password = password
        state.backend.admin_confirm_sign_up(state.pool_id, user.username)
        plan = state.plans.get(user.username)
        if plan is not None:
            plan.password = password
            plan.challenge = None
            plan.required_attributes = ()
    return _tokens(state, answer.client, user)


def _code(answer: Answer) -> dict[str, Any]:
    session = answer.session
    answer_key = CODE_KEYS[session.challenge]
    code = answer.text(answer_key)
    if not code:
        raise _missing(answer_key)
    if session.challenge == seed.SOFTWARE_TOKEN_MFA:
        plan = answer.state.plans.get(answer.user.username)
        good = bool(plan and plan.totp_secret and totp.verify(plan.totp_secret, code))
    else:
        good = hmac.compare_digest((session.expected_code or "").encode(), code.encode())
    if not good:
        raise answer.wrong(ApiError("CodeMismatchException", CODE_MISMATCH))
    answer.end()
    return _tokens(answer.state, answer.client, answer.user)


def _select_mfa(answer: Answer) -> dict[str, Any]:
    choice = answer.text("ANSWER")
    if choice not in answer.session.choices:
        choices = ", ".join(answer.session.choices)
        raise invalid_parameter(f"Invalid MFA type selected: choose one of {choices}.")
    answer.end()
    return _challenge(answer.state, answer.client, answer.user, choice)


def _custom(answer: Answer) -> dict[str, Any]:
    given = answer.text("ANSWER")
    answer.end()
    if hmac.compare_digest(given.strip().encode(), (answer.session.expected_code or "").encode()):
        return _tokens(answer.state, answer.client, answer.user)
    attempt = answer.session.failures + 2
    if attempt > MAX_WRONG_ANSWERS:
        raise not_authorized(WRONG_PASSWORD)
    return _challenge(answer.state, answer.client, answer.user, seed.CUSTOM_CHALLENGE, attempt=attempt)


def _mfa_setup(answer: Answer) -> dict[str, Any]:
    session, state = answer.session, answer.state
    if not session.totp_verified or session.totp_secret is None:
        raise invalid_parameter("Enrol a software token first (AssociateSoftwareToken, VerifySoftwareToken).")
    answer.end()
    with state.lock:
        user = answer.user
        user.token_verified = user.software_token_mfa_enabled = True
        user.preferred_mfa_setting = seed.SOFTWARE_TOKEN_MFA
        plan = state.plans.setdefault(user.username, UserPlan(user.username, str(user.password or "")))
        plan.challenge, plan.totp_secret = seed.SOFTWARE_TOKEN_MFA, session.totp_secret
    return _tokens(state, answer.client, answer.user)


_ANSWERS: dict[str, Callable[[Answer], dict[str, Any]]] = {
    PASSWORD_VERIFIER: _password_verifier,
    seed.NEW_PASSWORD_REQUIRED: _new_password,
    seed.SMS_MFA: _code,
    seed.EMAIL_OTP: _code,
    seed.SOFTWARE_TOKEN_MFA: _code,
    seed.SELECT_MFA_TYPE: _select_mfa,
    seed.CUSTOM_CHALLENGE: _custom,
    seed.MFA_SETUP: _mfa_setup,
}


def respond_to_auth_challenge(state: SandboxState, params: dict[str, Any]) -> dict[str, Any]:
    client = _client(state, params)
    name = params.get("ChallengeName")
    if not isinstance(name, str) or not name:
        raise invalid_parameter(
            "1 validation error detected: Value null at 'challengeName' failed to satisfy constraint: "
            "Member must not be null"
        )
    responses = params.get("ChallengeResponses") or {}
    if not isinstance(responses, dict):
        raise invalid_parameter("ChallengeResponses must be a map of string to string")
    if name not in _ANSWERS:
        raise invalid_parameter(f"The challenge {name} is not expected for this user.")
    key, session = _take_session(state, client, name, params, responses)
    username = _text(responses, "USERNAME")
    if not username:
        raise _missing("USERNAME")
    user = state.user(username)
    if user is None or user.username != session.username:
        raise not_authorized(INVALID_SESSION)
    check_secret_hash(client, _text(responses, "SECRET_HASH"), username, user.id)
    return _ANSWERS[name](Answer(state, client, user, key, session, responses))
