"""RespondToAuthChallenge and the TOTP enrolment calls for the sandbox pool, checked like Cognito
checks them: sessions that expire and end after too many wrong answers, each challenge's answer."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.sandbox import seed, srp, totp
from app.sandbox.signin import (
    CODE_KEYS,
    CODE_MISMATCH,
    EXPIRED_SESSION,
    INVALID_SESSION,
    PASSWORD_POLICY,
    PASSWORD_VERIFIER,
    WRONG_PASSWORD,
    after_password,
    app_client,
    challenge_for,
    check_secret_hash,
    missing_parameter,
    missing_required,
    new_session,
    text_param,
    tokens_for,
)
from app.sandbox.state import MAX_WRONG_ANSWERS, AuthSession, SandboxState, UserPlan
from app.sandbox.wire import ApiError, invalid_parameter, not_authorized


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
        return text_param(self.responses, name)

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
    key = text_param(answers if name == PASSWORD_VERIFIER else params, key_name)
    if not key:
        raise missing_parameter(key_name)
    return key, _live_session(state, key, client.id, name)


def _rotate(state: SandboxState, key: str, session: AuthSession) -> str:
    """Each MFA_SETUP step answers with a new Session, like Cognito."""
    with state.lock:
        state.sessions.pop(key, None)
    return new_session(state, session)


def associate_software_token(state: SandboxState, params: dict[str, Any]) -> dict[str, Any] | None:
    """During MFA_SETUP (a Session, no AccessToken): a new TOTP secret for the user to enrol."""
    key = text_param(params, "Session")
    if not key:
        return None  # the signed-in form (AccessToken): moto answers it
    session = _live_session(state, key, None, seed.MFA_SETUP)
    session.totp_secret, session.totp_verified = totp.new_secret(), False
    return {"SecretCode": session.totp_secret, "Session": _rotate(state, key, session)}


def verify_software_token(state: SandboxState, params: dict[str, Any]) -> dict[str, Any] | None:
    """During MFA_SETUP: check the first code from the authenticator app."""
    key = text_param(params, "Session")
    if not key:
        return None
    session = _live_session(state, key, None, seed.MFA_SETUP)
    if session.totp_secret is None:
        raise invalid_parameter("Call AssociateSoftwareToken with this session first.")
    if not totp.verify(session.totp_secret, text_param(params, "UserCode")):
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
    return after_password(answer.state, answer.client, answer.user)


def _new_password(answer: Answer) -> dict[str, Any]:
    state, user = answer.state, answer.user
    password = answer.text("NEW_PASSWORD")
    if not password:
        raise missing_parameter("NEW_PASSWORD")
    updates = {
        name.removeprefix("userAttributes."): value for name, value in answer.responses.items()
        if name.startswith("userAttributes.") and isinstance(value, str)
    }
    missing = missing_required(state, {**user.attribute_lookup, **{k: v for k, v in updates.items() if v}})
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
    return tokens_for(state, answer.client, user)


def _code(answer: Answer) -> dict[str, Any]:
    session = answer.session
    answer_key = CODE_KEYS[session.challenge]
    code = answer.text(answer_key)
    if not code:
        raise missing_parameter(answer_key)
    if session.challenge == seed.SOFTWARE_TOKEN_MFA:
        plan = answer.state.plans.get(answer.user.username)
        good = bool(plan and plan.totp_secret and totp.verify(plan.totp_secret, code))
    else:
        good = hmac.compare_digest((session.expected_code or "").encode(), code.encode())
    if not good:
        raise answer.wrong(ApiError("CodeMismatchException", CODE_MISMATCH))
    answer.end()
    return tokens_for(answer.state, answer.client, answer.user)


def _select_mfa(answer: Answer) -> dict[str, Any]:
    choice = answer.text("ANSWER")
    if choice not in answer.session.choices:
        choices = ", ".join(answer.session.choices)
        raise invalid_parameter(f"Invalid MFA type selected: choose one of {choices}.")
    answer.end()
    return challenge_for(answer.state, answer.client, answer.user, choice)


def _custom(answer: Answer) -> dict[str, Any]:
    given = answer.text("ANSWER")
    answer.end()
    if hmac.compare_digest(given.strip().encode(), (answer.session.expected_code or "").encode()):
        return tokens_for(answer.state, answer.client, answer.user)
    attempt = answer.session.failures + 2
    if attempt > MAX_WRONG_ANSWERS:
        raise not_authorized(WRONG_PASSWORD)
    return challenge_for(answer.state, answer.client, answer.user, seed.CUSTOM_CHALLENGE, attempt=attempt)


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
    return tokens_for(state, answer.client, answer.user)


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
    client = app_client(state, params)
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
    username = text_param(responses, "USERNAME")
    if not username:
        raise missing_parameter("USERNAME")
    user = state.user(username)
    if user is None or user.username != session.username:
        raise not_authorized(INVALID_SESSION)
    check_secret_hash(client, text_param(responses, "SECRET_HASH"), username, user.id)
    return _ANSWERS[name](Answer(state, client, user, key, session, responses))
