"""A changed email or phone number: which value is active (what GetUser returns, what sign-in uses) and
which is pending (waiting for its code, where the pool keeps the original until the new one is verified).

Cognito's GetUser does not show a pending value, so `PendingValues` remembers the ones this session
changed, and drops each once GetUser shows it active (verified, or changed by someone else).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from app.core.calls import UserProfile
from app.core.errors import VERIFIABLE_ATTRIBUTES
from app.core.models import ValueState
from app.core.pool_admin import AttributePolicy


@dataclass(frozen=True)
class AttributeView:
    """One attribute as the tester needs to see it after a change."""

    name: str
    active: str | None
    active_verified: bool | None
    pending: str | None = None

    @property
    def code_goes_to(self) -> str | None:
        """Where the next verification code for this attribute goes."""
        return self.pending or self.active

    @property
    def sign_in_uses(self) -> str | None:
        return self.active


def value_state_after(
    name: str,
    old_value: str | None,
    new_value: str,
    *,
    active_after: str | None = None,
    policy: AttributePolicy | None = None,
) -> ValueState | None:
    """Whether a successful change left `new_value` active or pending: GetUser's answer after the call
    (`active_after`) decides; without it the pool's policy predicts; None when neither is known."""
    if name not in VERIFIABLE_ATTRIBUTES or not new_value or new_value == old_value:
        return ValueState.APPLIED
    if active_after is not None:
        return ValueState.APPLIED if active_after == new_value else ValueState.PENDING
    if policy is not None:
        keeps = policy.keeps_original(name) and bool(old_value)
        return ValueState.PENDING if keeps else ValueState.APPLIED
    return None


class PendingValues:
    """New values waiting for their code, per attribute; thread-safe, in memory only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, str] = {}

    def record(self, name: str, new_value: str, state: ValueState | None) -> None:
        """Remember a change: pending values are kept, an applied change clears the attribute."""
        with self._lock:
            if state is ValueState.PENDING:
                self._values[name] = new_value
            else:
                self._values.pop(name, None)

    def clear(self, name: str | None = None) -> None:
        with self._lock:
            if name is None:
                self._values.clear()
            else:
                self._values.pop(name, None)

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._values.get(name)

    def reconcile(self, profile: UserProfile) -> None:
        """Drop pending values GetUser now shows active."""
        with self._lock:
            for name, value in list(self._values.items()):
                attribute = profile.attribute(name)
                if attribute is not None and attribute.value == value:
                    del self._values[name]

    def views(self, profile: UserProfile) -> tuple[AttributeView, ...]:
        """Email and phone number (and any attribute with a pending value), active and pending."""
        self.reconcile(profile)
        with self._lock:
            pending = dict(self._values)
        names = list(dict.fromkeys([*VERIFIABLE_ATTRIBUTES, *pending]))
        views = []
        for name in names:
            attribute = profile.attribute(name)
            if attribute is None and name not in pending:
                continue
            views.append(AttributeView(
                name,
                attribute.value if attribute else None,
                attribute.verified if attribute else None,
                pending.get(name),
            ))
        return tuple(views)
