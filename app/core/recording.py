"""Send, verify and update with a history row around each call: written pending before, completed after.

The CLI and the window both go through here, so every attempt lands in history the same way. A
crash between the two writes leaves a pending row that history shows as interrupted. When the
completion cannot be written (the disk filled while the call was in flight), the call's result is
returned all the same, with `history_problem` saying so: the tester must know the code went out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.core.attribute_update import value_state_after
from app.core.calls import (
    CallResult,
    SendResult,
    UpdateResult,
    get_user,
    send_verification_code,
    update_user_attributes,
    verify_attribute,
)
from app.core.connection import CognitoConnection
from app.core.errors import ServiceError
from app.core.history import AttemptCompletion, AttemptStart, CodeWait, HistoryWriteError
from app.core.models import (
    SEND_OPERATION,
    UPDATE_OPERATION,
    VERIFY_OPERATION,
    CodeDeliveryDetails,
    Outcome,
    ValueState,
)
from app.core.pool_admin import AttributePolicy


class HistoryWriter(Protocol):
    """What recording needs of a history: `HistoryStore`, or a wrapper that also notifies a view."""

    def begin(self, start: AttemptStart) -> int: ...

    def complete(self, row_id: int, completion: AttemptCompletion) -> object: ...


def _never_cancelled() -> bool:
    return False


@dataclass(frozen=True)
class RecordedSend:
    """A send's result or error, and the history row that records it."""

    history_id: int | None
    result: SendResult | None = None
    error: ServiceError | None = None
    history_problem: str | None = None
    """Why history could not record how this attempt ended (None when it did)."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RecordedVerify:
    """A verify's result or error, and the history row that records it."""

    history_id: int | None
    result: CallResult | None = None
    error: ServiceError | None = None
    history_problem: str | None = None
    """Why history could not record how this attempt ended (None when it did)."""

    @property
    def ok(self) -> bool:
        return self.error is None


class _Answered(Protocol):
    """What every successful call's result reports about the exchange."""

    @property
    def http_status(self) -> int | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def latency_ms(self) -> float: ...
    @property
    def attempts(self) -> int: ...


def _success_completion(
    result: _Answered, cancelled: bool, *, delivery: CodeDeliveryDetails | None = None,
    value_state: ValueState | None = None,
) -> AttemptCompletion:
    return AttemptCompletion(
        outcome=Outcome.SUCCESS, delivery=delivery, http_status=result.http_status,
        request_id=result.request_id, latency_ms=result.latency_ms, attempts=result.attempts,
        cancelled=cancelled, value_state=value_state,
    )


def _error_completion(error: ServiceError, cancelled: bool) -> AttemptCompletion:
    return AttemptCompletion(
        outcome=Outcome.ERROR,
        error_code=error.code,
        error_message=error.message,
        http_status=error.http_status,
        request_id=error.request_id,
        latency_ms=error.latency_ms,
        attempts=error.attempts,
        cancelled=cancelled,
    )


def _complete(
    history: HistoryWriter | None, history_id: int | None, completion: AttemptCompletion
) -> str | None:
    """Complete the row; a sentence for the tester when history could not write it."""
    if history is None or history_id is None:
        return None
    try:
        history.complete(history_id, completion)
    except HistoryWriteError as exc:
        return (f"The result is above, but {exc}. Until then history shows attempt #{history_id} as "
                "pending, and as interrupted if VerifyDesk ends first.")
    return None


def send_recorded(
    conn: CognitoConnection,
    history: HistoryWriter | None,
    *,
    access_token: str,
    username: str | None,
    attribute_name: str,
    client_metadata: dict[str, str],
    is_cancelled: Callable[[], bool] = _never_cancelled,
) -> RecordedSend:
    """GetUserAttributeVerificationCode between a pending and a completed history row."""
    history_id = None
    if history is not None:
        history_id = history.begin(
            AttemptStart(SEND_OPERATION, conn.settings.info, username, attribute_name,
                         dict(client_metadata))
        )
    try:
        result = send_verification_code(conn, access_token, attribute_name, client_metadata)
    except ServiceError as error:
        problem = _complete(history, history_id, _error_completion(error, is_cancelled()))
        return RecordedSend(history_id, error=error, history_problem=problem)
    problem = _complete(history, history_id,
                        _success_completion(result, is_cancelled(), delivery=result.delivery))
    return RecordedSend(history_id, result=result, history_problem=problem)


def verify_recorded(
    conn: CognitoConnection,
    history: HistoryWriter | None,
    *,
    access_token: str,
    username: str | None,
    attribute_name: str,
    code: str,
    is_cancelled: Callable[[], bool] = _never_cancelled,
    code_wait: CodeWait | None = None,
) -> RecordedVerify:
    """VerifyUserAttribute between a pending and a completed history row (the code is not stored);
    `code_wait`: where a code source found the code, kept with the row."""
    history_id = None
    if history is not None:
        history_id = history.begin(
            AttemptStart(VERIFY_OPERATION, conn.settings.info, username, attribute_name, {},
                         code_wait=code_wait)
        )
    try:
        result = verify_attribute(conn, access_token, attribute_name, code)
    except ServiceError as error:
        problem = _complete(history, history_id, _error_completion(error, is_cancelled()))
        return RecordedVerify(history_id, error=error, history_problem=problem)
    problem = _complete(history, history_id, _success_completion(result, is_cancelled()))
    return RecordedVerify(history_id, result=result, history_problem=problem)


@dataclass(frozen=True)
class RecordedUpdate:
    """An attribute change's result or error, whether the new value is active or pending, and its row."""

    history_id: int | None
    old_value: str | None
    new_value: str
    result: UpdateResult | None = None
    error: ServiceError | None = None
    value_state: ValueState | None = None
    history_problem: str | None = None
    """Why history could not record how this attempt ended (None when it did)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def pending(self) -> bool:
        """True when the pool kept the original value: the new one waits for its code."""
        return self.value_state is ValueState.PENDING


def _active_value(conn: CognitoConnection, access_token: str, attribute_name: str) -> str | None:
    """GetUser's value of the attribute ("" when the user has none); None when GetUser failed."""
    try:
        attribute = get_user(conn, access_token).attribute(attribute_name)
    except ServiceError:
        return None
    return "" if attribute is None else attribute.value


def update_recorded(
    conn: CognitoConnection,
    history: HistoryWriter | None,
    *,
    access_token: str,
    username: str | None,
    attribute_name: str,
    new_value: str,
    client_metadata: dict[str, str],
    old_value: str | None = None,
    policy: AttributePolicy | None = None,
    check_with_get_user: bool = True,
    is_cancelled: Callable[[], bool] = _never_cancelled,
) -> RecordedUpdate:
    """UpdateUserAttributes of one attribute between a pending and a completed history row.

    The row keeps the value before (`old_value`, or GetUser's when not given) and after; on success,
    GetUser tells whether the new value is active or pending (the pool's `policy` predicts it when
    GetUser is skipped or fails)."""
    if old_value is None and check_with_get_user:
        old_value = _active_value(conn, access_token, attribute_name)
    history_id = None
    if history is not None:
        history_id = history.begin(AttemptStart(
            UPDATE_OPERATION, conn.settings.info, username, attribute_name, dict(client_metadata),
            old_value=old_value, new_value=new_value,
        ))
    try:
        result = update_user_attributes(conn, access_token, {attribute_name: new_value}, client_metadata)
    except ServiceError as error:
        problem = _complete(history, history_id, _error_completion(error, is_cancelled()))
        return RecordedUpdate(history_id, old_value, new_value, error=error, history_problem=problem)
    active_after = _active_value(conn, access_token, attribute_name) if check_with_get_user else None
    state = value_state_after(attribute_name, old_value, new_value, active_after=active_after, policy=policy)
    problem = _complete(history, history_id, _success_completion(
        result, is_cancelled(), delivery=result.delivery_for(attribute_name), value_state=state))
    return RecordedUpdate(history_id, old_value, new_value, result=result, value_state=state,
                          history_problem=problem)
