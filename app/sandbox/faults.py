"""Fault injection: the next N calls of an operation fail with a chosen error, or are slowed down."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from app.core.error_catalogue import (
    CANCELLED,
    CATALOGUE,
    INVALID_RESPONSE,
    NETWORK_ERROR,
    TIMEOUT,
    UNEXPECTED_ANSWER,
    UNKNOWN_ERROR,
    lookup,
)

ANY_OPERATION = "*"
MAX_DELAY_S = 300.0
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,99}")
# Kinds the client makes up for itself; a server cannot answer with them (the fault proxy can).
_CLIENT_SIDE = frozenset(
    {NETWORK_ERROR, TIMEOUT, INVALID_RESPONSE, UNEXPECTED_ANSWER, CANCELLED, UNKNOWN_ERROR})

# What Cognito says for the errors testers inject most; others get a generic sentence.
DEFAULT_MESSAGES: dict[str, str] = {
    "LimitExceededException": "Attempt limit exceeded, please try after some time.",
    "TooManyRequestsException": "Too many requests.",
    "CodeDeliveryFailureException": "Unable to deliver the verification code.",
    "UserLambdaValidationException": "CustomMessage failed with error Injected by the VerifyDesk sandbox.",
    "InvalidLambdaResponseException": "Invalid lambda response received: injected by the VerifyDesk sandbox.",
    "UnexpectedLambdaException": "CustomMessage invocation failed due to error AccessDeniedException.",
    "InternalErrorException": "Internal server error.",
    "NotAuthorizedException": "Access Token has expired",
    "UserNotFoundException": "User does not exist.",
    "UserNotConfirmedException": "User is not confirmed.",
    "PasswordResetRequiredException": "Password reset required for the user",
    "ResourceNotFoundException": "User pool client does not exist.",
}


def injectable_codes() -> list[str]:
    """The catalogue's error codes a server can answer with (the client makes up the others), the
    ones testers inject most first."""
    served = [code for code, entry in CATALOGUE.items() if entry.http_status and code not in _CLIENT_SIDE]
    common = [code for code in DEFAULT_MESSAGES if code in served]
    return common + sorted(code for code in served if code not in common)


class FaultError(ValueError):
    """A fault that cannot be injected; the message says which value is wrong."""


@dataclass(frozen=True)
class Fault:
    """One armed fault: `remaining` more calls of `operation` get it."""

    operation: str
    error_code: str | None
    http_status: int
    message: str
    remaining: int
    delay_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation, "error_code": self.error_code, "http_status": self.http_status,
            "message": self.message, "remaining": self.remaining, "delay_s": self.delay_s,
        }


def _default_status(error_code: str | None) -> int:
    if error_code is None:
        return 200
    entry = lookup(error_code)
    return entry.http_status if entry.code == error_code and entry.http_status else 400


def make_fault(
    operation: str,
    *,
    error_code: str | None = None,
    http_status: int | None = None,
    message: str | None = None,
    count: int = 1,
    delay_s: float = 0.0,
) -> Fault:
    """Check the values and build the fault; raises FaultError naming the bad value."""
    if operation != ANY_OPERATION and not _NAME.fullmatch(operation or ""):
        raise FaultError(f"operation: expected an operation name like GetUser, or '*', got {operation!r}")
    if error_code is not None:
        if not _NAME.fullmatch(error_code):
            raise FaultError(f"error_code: expected a code like LimitExceededException, got {error_code!r}")
        if error_code in _CLIENT_SIDE:
            raise FaultError(
                f"error_code: {error_code} happens on the client side; use the fault proxy or a delay instead"
            )
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise FaultError(f"count: expected a whole number of calls ≥ 1, got {count!r}")
    if not isinstance(delay_s, int | float) or not 0 <= delay_s <= MAX_DELAY_S:
        raise FaultError(f"delay_s: expected 0–{MAX_DELAY_S:g} seconds, got {delay_s!r}")
    if error_code is None and delay_s == 0:
        raise FaultError("error_code or delay_s: a fault needs an error, a delay, or both")
    status = http_status if http_status is not None else _default_status(error_code)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise FaultError(f"http_status: expected an HTTP status 100–599, got {http_status!r}")
    text = message if message is not None else DEFAULT_MESSAGES.get(
        error_code or "", f"{error_code} (injected by the VerifyDesk sandbox)."
    )
    return Fault(operation, error_code, status, text, count, float(delay_s))


class FaultBook:
    """Armed faults in arrival order, and how many requests each operation received."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._counts: Counter[str] = Counter()

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def arrive(self, operation: str) -> Fault | None:
        """Count a request and hand out the first fault armed for it (using up one of its calls)."""
        with self._lock:
            self._counts[operation] += 1
            for index, fault in enumerate(self._faults):
                if fault.operation in (operation, ANY_OPERATION):
                    if fault.remaining <= 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = replace(fault, remaining=fault.remaining - 1)
                    return fault
        return None

    def count(self, operation: str) -> int:
        with self._lock:
            return self._counts[operation]

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)
