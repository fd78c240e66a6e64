"""Sandbox mode: start the embedded local pool off the GUI thread, save a profile for it, and
hand its control API to the inbox. Also attaches to a `verifydesk sandbox` running elsewhere.

moto is imported in the worker thread, so the window stays responsive while the pool starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.ui.async_tools import TaskKeeper, run_blocking

if TYPE_CHECKING:
    from app.sandbox import Sandbox
    from app.sandbox.control import SandboxControl
    from app.sandbox.info import SandboxInfo

_log = logging.getLogger(__name__)
SANDBOX_PROFILE = "Sandbox"


def _start_embedded() -> Sandbox:
    """The embedded pool with the demo Custom Message trigger (so the trigger view has an event, a
    rendered message and log lines to show); without a trigger when handler files cannot run here
    (e.g. a frozen build without Python 3)."""
    from app.sandbox import Sandbox
    from app.sandbox.trigger import DEMO

    try:
        return Sandbox(trigger=DEMO).start()
    except ValueError as exc:
        _log.warning("sandbox without its demo trigger: %s", exc)
    return Sandbox().start()


def _attach(endpoint_url: str) -> tuple[SandboxControl, SandboxInfo]:
    from app.sandbox.control import SandboxControl

    control = SandboxControl(endpoint_url)
    return control, control.info()


def sandbox_profile(info: SandboxInfo, name: str = SANDBOX_PROFILE) -> Profile:
    """A profile for the sandbox's app client without a secret (SRP and plain password both work)."""
    return Profile(
        name=name,
        region=info.region,
        client_id=info.client_id,
        endpoint_url=info.endpoint_url,
        user_pool_id=info.user_pool_id,
        sandbox=True,
    )


class SandboxMode(QObject):
    """Owns the embedded sandbox (when it started one). Signals carry the control API and info."""

    starting = Signal()
    started = Signal(object, object, object)  # Profile, SandboxControl, SandboxInfo
    attached = Signal(object, object)  # SandboxControl, SandboxInfo
    failed = Signal(str)
    stopped = Signal()

    def __init__(
        self,
        profiles: ProfileStore,
        tasks: TaskKeeper,
        factory: Callable[[], Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._profiles = profiles
        self._tasks = tasks
        self._factory: Callable[[], Any] = factory or _start_embedded
        self._owns = factory is None
        self.sandbox: Any = None
        self._starting = False

    @property
    def running(self) -> bool:
        return self.sandbox is not None

    def start(self) -> None:
        """Start the embedded pool (once); `started` fires when it answers."""
        if self.sandbox is not None:
            info = self.sandbox.info
            self.started.emit(self._save_profile(info), self.sandbox.control, info)
            return
        if self._starting:
            return
        self._starting = True
        self.starting.emit()
        self._tasks.spawn(self._start(), name="sandbox-start")

    async def _start(self) -> None:
        try:
            sandbox = await run_blocking(self._factory)
        except Exception as error:
            _log.exception("The sandbox did not start")
            self.failed.emit(f"The sandbox did not start: {type(error).__name__}: {error}")
            return
        finally:
            self._starting = False
        self.sandbox = sandbox
        info = sandbox.info
        try:
            profile = self._save_profile(info)
        except (OSError, ValueError) as error:
            self.failed.emit(
                f"The sandbox runs at {info.endpoint_url}, but its profile was not saved: {error}")
            return
        _log.info("Sandbox pool running at %s", info.endpoint_url)
        self.started.emit(profile, sandbox.control, info)

    def _save_profile(self, info: SandboxInfo) -> Profile:
        existing = self._profiles.get(SANDBOX_PROFILE)
        profile = sandbox_profile(info)
        if existing is not None:
            # Keep the tester's own choices (flow, timeouts, last user) across sandbox restarts.
            profile = replace(existing, region=info.region, client_id=info.client_id,
                              endpoint_url=info.endpoint_url, user_pool_id=info.user_pool_id,
                              has_client_secret=False, sandbox=True)
        return self._profiles.save(profile)

    def attach(self, endpoint_url: str) -> None:
        """Read the inbox of a sandbox running elsewhere (a sandbox profile's endpoint); not while
        this window starts its own pool, whose profile replaces the old address."""
        if self._starting:
            return
        self._tasks.spawn(self._attach(endpoint_url), name="sandbox-attach")

    async def _attach(self, endpoint_url: str) -> None:
        try:
            control, info = await run_blocking(_attach, endpoint_url)
        except Exception as error:
            if self._starting or self.sandbox is not None:
                # A profile saved by an earlier run points at its stopped pool, while this window
                # starts (or started) its own: the old address not answering is no news.
                _log.info("Not attaching to %s (a new sandbox starts here): %s", endpoint_url, error)
                return
            self.failed.emit(f"No sandbox answers at {endpoint_url}: {error}")
            return
        self.attached.emit(control, info)

    def stop(self) -> None:
        """Stop the embedded pool if this window started it (blocking: used on close)."""
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is not None and self._owns:
            try:
                sandbox.stop()
            except Exception:
                _log.exception("Stopping the sandbox failed")
        if sandbox is not None:
            self.stopped.emit()
