"""Whether each inbox message's code still works: the newest code for a user's attribute is valid
until it is used or expires; an older one was superseded (Cognito keeps one code per attribute)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from app.sandbox.inbox import PURPOSE_UPDATE_ATTRIBUTE, PURPOSE_VERIFY_ATTRIBUTE, InboxMessage
from app.sandbox.state import SandboxState

VALID = "valid"
SUPERSEDED = "superseded"
USED = "used"
EXPIRED = "expired"
NOT_SENT = "not sent"  # the trigger failed: no code went out
_VERIFICATION = frozenset({PURPOSE_VERIFY_ATTRIBUTE, PURPOSE_UPDATE_ATTRIBUTE})


def _kind(message: InboxMessage) -> tuple[str, str, str]:
    """Messages whose codes replace each other: a user's attribute codes, or their sign-in codes."""
    if message.purpose in _VERIFICATION:
        return message.username, "verify", message.attribute
    return message.username, message.purpose, ""


def code_states(state: SandboxState, messages: Sequence[InboxMessage]) -> list[str]:
    """One state per message (same order). Judged against all delivered codes, not only `messages`."""
    newest: dict[tuple[str, str, str], int] = {}
    for entry in state.inbox.messages():
        if entry.delivered:
            newest[_kind(entry)] = entry.id
    now = time.time()
    with state.lock:
        pending = {key: (code.code, code.consumed, code.expires_at) for key, code in state.codes.items()}
    states: list[str] = []
    for message in messages:
        if not message.delivered:
            states.append(NOT_SENT)
        elif newest.get(_kind(message), message.id) != message.id:
            states.append(SUPERSEDED)
        elif message.purpose not in _VERIFICATION:
            states.append(VALID)
        else:
            code, consumed, expires_at = pending.get((message.username, message.attribute), ("", False, 0.0))
            if code != message.code:
                states.append(SUPERSEDED)
            elif consumed:
                states.append(USED)
            elif expires_at <= now:
                states.append(EXPIRED)
            else:
                states.append(VALID)
    return states
