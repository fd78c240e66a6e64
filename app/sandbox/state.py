"""Everything one sandbox remembers beside moto's own pool: sign-in sessions, codes, pending attribute
changes, the code rate, inbox, faults."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from app.sandbox.faults import FaultBook
from app.sandbox.inbox import Inbox
from app.sandbox.srp import SrpChallenge
from app.sandbox.wire import ApiError

VERIFICATION_CODE_TTL_S = 24 * 3600
AUTH_SESSION_TTL_S = 3 * 60
MAX_WRONG_CODES = 5
MAX_WRONG_ANSWERS = 3
CODE_RATE_MAX = 5
CODE_RATE_WINDOW_S = 3600.0


@dataclass
class UserPlan:
    """How a sandbox user signs in: password, and the challenge (if any) that follows it."""

    username: str
    password: str
    challenge: str | None = None
    totp_secret: str | None = None
    custom_answer: str | None = None
    email: str | None = None
    phone_number: str | None = None
    required_attributes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "username": self.username, "password": self.password, "challenge": self.challenge,
        }
        if self.email:
            data["email"] = self.email
        if self.phone_number:
            data["phone_number"] = self.phone_number
        if self.totp_secret:
            data["totp_secret"] = self.totp_secret
        if self.custom_answer:
            data["custom_answer"] = self.custom_answer
        if self.required_attributes:
            data["required_attributes"] = list(self.required_attributes)
        return data


@dataclass
class PendingCode:
    """A verification code sent for one attribute of one user."""

    code: str
    value: str
    expires_at: float
    wrong_attempts: int = 0
    consumed: bool = False


@dataclass
class CodeRate:
    """How many verification codes one user may request in `window_s` (None: no limit)."""

    max_codes: int | None = CODE_RATE_MAX
    window_s: float = CODE_RATE_WINDOW_S

    def to_dict(self) -> dict[str, Any]:
        return {"max_codes": self.max_codes, "window_s": self.window_s}


@dataclass
class AuthSession:
    """One sign-in in progress: which challenge was asked and what answers it."""

    pool_id: str
    client_id: str
    username: str
    challenge: str
    expires_at: float
    expected_code: str | None = None
    choices: tuple[str, ...] = ()
    srp: SrpChallenge | None = None
    srp_a: str | None = None
    failures: int = 0
    totp_secret: str | None = None
    totp_verified: bool = False


@dataclass
class TriggerConfig:
    """The Custom Message trigger in force: what the tester configured and the parsed target."""

    spec: str
    function_name: str
    target: Any


@dataclass
class SandboxState:
    """The sandbox's own state, guarded by `lock` (moto's backend is shared with moto's threads)."""

    region: str
    account_id: str
    backend: Any
    pool_id: str
    client_id: str = ""
    client_id_with_secret: str = ""
    endpoint_url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    inbox: Inbox = field(default_factory=Inbox)
    faults: FaultBook = field(default_factory=FaultBook)
    plans: dict[str, UserPlan] = field(default_factory=dict)
    seeded: list[str] = field(default_factory=list)
    codes: dict[tuple[str, str], PendingCode] = field(default_factory=dict)
    pending_values: dict[tuple[str, str], str] = field(default_factory=dict)
    """New email/phone values waiting for their code, where the pool keeps the original."""
    code_rate: CodeRate = field(default_factory=CodeRate)
    code_requests: dict[str, list[float]] = field(default_factory=dict)
    sessions: dict[str, AuthSession] = field(default_factory=dict)
    expired_tokens: set[str] = field(default_factory=set)
    trigger: TriggerConfig | None = None
    trigger_events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pool(self) -> Any:
        """moto's pool; ResourceNotFoundException, as Cognito answers, once it has been deleted."""
        pool = self.backend.user_pools.get(self.pool_id)
        if pool is None:
            raise ApiError("ResourceNotFoundException", f"User pool {self.pool_id} does not exist.")
        return pool

    @property
    def pool_suffix(self) -> str:
        return str(self.pool_id.split("_", 1)[1])

    def client(self, client_id: str) -> Any | None:
        return self.pool.clients.get(client_id)

    def user(self, username: str) -> Any | None:
        return self.pool._get_user(username)

    def drop_stale_sessions(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self.sessions.items() if s.expires_at < now - AUTH_SESSION_TTL_S]:
            del self.sessions[key]
