"""The demo pool: two app clients (with and without a secret) and users for every sign-in path.

Seeding goes through moto's backend in-process (no HTTP, no credentials), so a sandbox starts fast.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from app.sandbox import totp
from app.sandbox.state import SandboxState, UserPlan

POOL_NAME = "verifydesk-sandbox"
SEED_PASSWORD = "Sandbox-Passw0rd!"
TEMPORARY_PASSWORD = "Temp-Passw0rd1!"
CUSTOM_QUESTION = "What is six times seven?"
CUSTOM_ANSWER = "42"
REQUIRED_ATTRIBUTES = ("name",)
AUTH_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH",
]

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
SMS_MFA = "SMS_MFA"
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
EMAIL_OTP = "EMAIL_OTP"
SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
MFA_SETUP = "MFA_SETUP"
CHALLENGES = (
    NEW_PASSWORD_REQUIRED, SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, CUSTOM_CHALLENGE,
    MFA_SETUP,
)

POOL_CONFIG: dict[str, Any] = {
    "Policies": {"PasswordPolicy": {
        "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7,
    }},
    "MfaConfiguration": "OPTIONAL",
    "AutoVerifiedAttributes": ["email", "phone_number"],
    # A changed email stays pending (sign-in keeps the original) until its code is verified.
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
    "VerificationMessageTemplate": {
        "SmsMessage": "Your VerifyDesk sandbox verification code is {####}.",
        "EmailMessage": "Your VerifyDesk sandbox verification code is {####}.",
        "EmailSubject": "Your verification code",
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
    },
}

# username, email, phone, challenge
SEED_USERS: tuple[tuple[str, bool, str | None, str | None], ...] = (
    ("alice", True, "+15555550100", None),
    ("newbie", True, None, NEW_PASSWORD_REQUIRED),
    ("totp-user", True, None, SOFTWARE_TOKEN_MFA),
    ("sms-user", True, "+15555550101", SMS_MFA),
    ("email-otp-user", True, None, EMAIL_OTP),
    ("choose-mfa-user", True, "+15555550102", SELECT_MFA_TYPE),
    ("custom-user", True, None, CUSTOM_CHALLENGE),
    ("email-only", True, None, None),
    ("mfa-setup-user", True, None, MFA_SETUP),
)


def _random_secret(length: int = 51) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _realistic_pool_id(backend: Any, pool: Any) -> None:
    """Re-key the pool as `<region>_` + 9 letters and digits, like AWS (moto uses a 32-digit hex id)."""
    alphabet = string.ascii_letters + string.digits
    new_id = f"{pool.region}_" + "".join(secrets.choice(alphabet) for _ in range(9))
    backend.user_pools.pop(pool.id)
    pool.arn = pool.arn.replace(pool.id, new_id)
    pool.id = new_id
    backend.user_pools[new_id] = pool


def create_pool(backend: Any) -> tuple[str, str, str]:
    """The pool and its two clients; returns (pool id, public client id, confidential client id)."""
    pool = backend.create_user_pool(POOL_NAME, dict(POOL_CONFIG))
    _realistic_pool_id(backend, pool)
    pool.schema_attributes["name"].required = True
    backend.set_user_pool_mfa_config(
        pool.id,
        {"SmsConfiguration": {"SnsCallerArn": f"arn:aws:iam::{pool.account_id}:role/verifydesk-sandbox-sms"}},
        {"Enabled": True},
        "OPTIONAL",
    )
    public = backend.create_user_pool_client(
        pool.id, False, {"ClientName": "verifydesk-public", "ExplicitAuthFlows": list(AUTH_FLOWS)}
    )
    confidential = backend.create_user_pool_client(
        pool.id, True, {"ClientName": "verifydesk-confidential", "ExplicitAuthFlows": list(AUTH_FLOWS)}
    )
    confidential.secret = _random_secret()
    return pool.id, public.id, confidential.id


def check_challenge(challenge: str | None, *, email: bool, phone: bool) -> None:
    """Refuse a plan sign-in could not follow (e.g. SMS_MFA without a phone number)."""
    if challenge is not None and challenge not in CHALLENGES:
        raise ValueError(f"challenge: expected one of {', '.join(CHALLENGES)} or none, got {challenge!r}")
    if challenge == SMS_MFA and not phone:
        raise ValueError("challenge: SMS_MFA needs a phone number (phone=True)")
    if challenge == EMAIL_OTP and not email:
        raise ValueError("challenge: EMAIL_OTP needs an email address (email=True)")


def add_user(
    state: SandboxState,
    username: str,
    password: str,
    *,
    email: str | None,
    phone: str | None,
    challenge: str | None,
    name: str = "Sandbox User",
) -> UserPlan:
    """Create the user in moto and remember how it signs in."""
    backend = state.backend
    attributes = [{"Name": "email_verified", "Value": "false"}] if email else []
    if email:
        attributes.append({"Name": "email", "Value": email})
    if phone:
        attributes.append({"Name": "phone_number", "Value": phone})
        attributes.append({"Name": "phone_number_verified", "Value": "false"})
    required: tuple[str, ...] = ()
    if challenge == NEW_PASSWORD_REQUIRED:
        required = REQUIRED_ATTRIBUTES
    else:
        attributes.append({"Name": "name", "Value": name})
    backend.admin_create_user(state.pool_id, username, "SUPPRESS", password, attributes)
    if challenge != NEW_PASSWORD_REQUIRED:
        backend.admin_set_user_password(state.pool_id, username, password, True)
    plan = UserPlan(
        username=username,
        password=password,
        challenge=challenge,
        email=email,
        phone_number=phone,
        required_attributes=required,
        totp_secret=totp.new_secret() if challenge in (SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE) else None,
        custom_answer=CUSTOM_ANSWER if challenge == CUSTOM_CHALLENGE else None,
    )
    user: Any = state.user(username)
    if plan.totp_secret:
        user.token_verified = True
        user.software_token_mfa_enabled = True
    if challenge in (SMS_MFA, SELECT_MFA_TYPE) and phone:
        user.sms_mfa_enabled = True
    if challenge in (SMS_MFA, SOFTWARE_TOKEN_MFA):
        user.preferred_mfa_setting = challenge
    with state.lock:
        state.plans[username] = plan
    return plan


def seed(state: SandboxState) -> None:
    """The demo users of the JSON line."""
    for username, has_email, phone, challenge in SEED_USERS:
        password = TEMPORARY_PASSWORD if challenge == NEW_PASSWORD_REQUIRED else SEED_PASSWORD
        email = f"{username}@example.com" if has_email else None
        add_user(state, username, password, email=email, phone=phone, challenge=challenge,
                 name=username.replace("-", " ").title())
        state.seeded.append(username)


def create_user(
    state: SandboxState, *, email: bool = True, phone: bool = True, challenge: str | None = None
) -> UserPlan:
    """A new user with its own random name and password, so tests never share state."""
    check_challenge(challenge, email=email, phone=phone)
    username = f"user-{secrets.token_hex(5)}"
    password = f"Pw-{secrets.token_urlsafe(12)}-7a!"
    number = f"+1555{secrets.randbelow(10**7):07d}" if phone else None
    return add_user(
        state, username, password, email=f"{username}@example.com" if email else None, phone=number,
        challenge=challenge,
    )
