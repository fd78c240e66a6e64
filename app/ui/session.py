"""The signed-in session the window shares: connection, tokens, user, and refresh.

Tokens live only in this object's memory. Before expiry the session refreshes itself with the
refresh token; a call that fails with NotAuthorizedException for an expired token is refreshed
and retried once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.auth import AuthFlow, Challenge, SignInStep, refresh, respond_to_challenge, sign_in_password
from app.core.calls import UserProfile, get_user
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.errors import ServiceError
from app.core.redaction import SECRETS
from app.core.tokens import AccessTokenInfo, TokenDecodeError, Tokens, describe_access_token
from app.ui.async_tools import TaskKeeper, run_blocking, start_blocking

T = TypeVar("T")
_log = logging.getLogger(__name__)

REFRESH_MARGIN_S = 120.0  # refresh this long before the access token expires


@dataclass(frozen=True)
class StartedCall(Generic[T]):
    """A call handed to the worker pool by `Session.start_call`, with the connection it uses."""

    future: asyncio.Future[T]
    connection: CognitoConnection | None
    token: str | None


class Session(QObject):
    """One connection and, once signed in, its tokens. Signals tell the widgets what changed."""

    connection_changed = Signal()
    signed_in = Signal()  # tokens present (sign-in, pasted token or refresh)
    signed_out = Signal()
    tokens_refreshed = Signal()
    user_loaded = Signal(object)  # UserProfile
    failed = Signal(object)  # ServiceError from a background refresh

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.connection: CognitoConnection | None = None
        self.tokens: Tokens | None = None
        self.username: str | None = None
        self.token_info: AccessTokenInfo | None = None
        self.user: UserProfile | None = None
        self._tasks = TaskKeeper(on_error=self._background_failed)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._refresh_in_background)

    # --- connection -------------------------------------------------------------------------
    def set_connection(self, settings: ConnectionSettings) -> None:
        """Use another connection; signs out when the app client changes."""
        previous = self.connection.settings if self.connection else None
        SECRETS.add(settings.client_secret)
        if previous != settings:
            if previous is not None and (
                previous.client_id != settings.client_id
                or previous.effective_endpoint_url != settings.effective_endpoint_url
            ):
                self.sign_out()
            self.connection = CognitoConnection(settings)
            self.connection_changed.emit()

    def require_connection(self) -> CognitoConnection:
        if self.connection is None:
            raise ServiceError("InvalidParameterException", "Choose or create a profile first.")
        return self.connection

    # --- signing in --------------------------------------------------------------------------
    @property
    def is_signed_in(self) -> bool:
        return self.tokens is not None

    @property
    def access_token(self) -> str | None:
        return self.tokens.access_token if self.tokens else None

    async def sign_in(self, username: str, password: str, flow: AuthFlow) -> SignInStep:
        conn = self.require_connection()
        SECRETS.add(password)
        step = await run_blocking(sign_in_password, conn, username, password, flow)
        self.username = username
        if isinstance(step, Tokens):
            self._accept(step)
        return step

    async def answer(self, challenge: Challenge, answers: dict[str, str]) -> SignInStep:
        conn = self.require_connection()
        SECRETS.add(*(v for k, v in answers.items() if "PASSWORD" in k))
        step = await run_blocking(respond_to_challenge, conn, challenge, answers)
        if isinstance(step, Tokens):
            self._accept(step)
        return step

    def use_access_token(self, token: str) -> AccessTokenInfo | None:
        """A pasted access token becomes the session; returns its claims when it is a JWT."""
        token = token.strip()
        SECRETS.add(token)
        try:
            info: AccessTokenInfo | None = describe_access_token(token)
        except TokenDecodeError:
            info = None
        self.username = info.username if info else None
        self._accept(Tokens(access_token=token, expires_at=info.expires_at if info else None))
        return info

    def _accept(self, tokens: Tokens) -> None:
        SECRETS.add(*tokens.secrets)
        self.tokens = tokens
        try:
            self.token_info = describe_access_token(tokens.access_token)
        except TokenDecodeError:
            self.token_info = None
        if self.token_info and self.token_info.username:
            self.username = self.token_info.username
        self._schedule_refresh()
        self.signed_in.emit()

    def sign_out(self) -> None:
        """Forget the tokens and the user (the connection stays)."""
        self._refresh_timer.stop()
        was_signed_in = self.tokens is not None
        self.tokens = None
        self.token_info = None
        self.user = None
        if was_signed_in:
            self.signed_out.emit()

    # --- refresh -------------------------------------------------------------------------
    @property
    def can_refresh(self) -> bool:
        return bool(self.tokens and self.tokens.refresh_token and self.connection)

    def seconds_left(self) -> float | None:
        return self.tokens.seconds_left() if self.tokens else None

    def _schedule_refresh(self) -> None:
        self._refresh_timer.stop()
        left = self.seconds_left()
        if left is None or not self.can_refresh:
            return
        delay_ms = max(0.0, left - REFRESH_MARGIN_S) * 1000
        self._refresh_timer.start(int(min(delay_ms, 2**31 - 1)))

    def _refresh_in_background(self) -> None:
        self._tasks.spawn(self.refresh(), name="token-refresh")

    async def refresh(self) -> Tokens:
        """REFRESH_TOKEN_AUTH now; raises ServiceError when refreshing is impossible or fails."""
        if not self.tokens or not self.tokens.refresh_token or not self.connection:
            raise ServiceError("NotAuthorizedException", "No refresh token: sign in again.")
        refresh_token = self.tokens.refresh_token
        # The access token's `username` claim is the pool's internal name, which SECRET_HASH needs.
        username = (self.token_info.username if self.token_info else None) or self.username
        tokens = await run_blocking(refresh, self.connection, refresh_token, username)
        self._accept(tokens)
        self.tokens_refreshed.emit()
        return tokens

    def _background_failed(self, error: BaseException) -> None:
        if isinstance(error, ServiceError):
            self.failed.emit(error)
        else:
            self.failed.emit(ServiceError("UnknownError", f"{type(error).__name__}: {error}"))

    # --- calls ---------------------------------------------------------------------------
    def start_call(self, fn: Callable[[CognitoConnection, str], T]) -> StartedCall[T]:
        """Hand `fn(connection, access_token)` to the worker pool now (from a click handler, before
        the event loop turns); finish it with `call_with_refresh(fn, started=...)`. Without a
        connection or token the future holds the ServiceError `call_with_refresh` raises."""
        try:
            conn = self.require_connection()
            token = self.access_token
            if token is None:
                raise ServiceError("NotAuthorizedException", "Sign in or paste an access token first.")
        except ServiceError as error:
            failed: asyncio.Future[T] = asyncio.get_running_loop().create_future()
            failed.set_exception(error)
            return StartedCall(failed, None, None)
        return StartedCall(start_blocking(fn, conn, token), conn, token)

    async def call_with_refresh(
        self,
        fn: Callable[[CognitoConnection, str], T],
        *,
        is_expired: Callable[[T], bool] | None = None,
        started: StartedCall[T] | None = None,
    ) -> T:
        """Run `fn(connection, access_token)` off the GUI thread (or finish the call `start_call`
        started); on an expired token, refresh once and run it again. `is_expired` inspects a
        result that carries its error instead of raising."""
        if started is None:
            started = self.start_call(fn)
        conn, token = started.connection, started.token
        try:
            result = await started.future
        except ServiceError as error:
            if not (error.offers_refresh and self.can_refresh) or conn is None or token is None:
                raise
            _log.info("Access token expired during a call; refreshing once")
            await self.refresh()
            return await run_blocking(fn, conn, self.tokens.access_token if self.tokens else token)
        if is_expired is not None and is_expired(result) and self.can_refresh:
            _log.info("Access token expired during a call; refreshing once")
            await self.refresh()
            assert self.tokens is not None
            assert conn is not None  # the call ran, so it had a connection
            return await run_blocking(fn, conn, self.tokens.access_token)
        return result

    async def load_user(self) -> UserProfile:
        """GetUser for the signed-in user; emits user_loaded."""
        user = await self.call_with_refresh(get_user)
        self.user = user
        if user.username and not self.username:
            self.username = user.username
        self.user_loaded.emit(user)
        return user

    def expires_in_text(self, now: float | None = None) -> str:
        """A short countdown like `54:12` or `expired`."""
        if not self.tokens or self.tokens.expires_at is None:
            return "unknown expiry"
        left = self.tokens.expires_at - (time.time() if now is None else now)
        if left <= 0:
            return "expired"
        minutes, seconds = divmod(int(left), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
