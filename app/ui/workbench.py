"""The window's state without its widgets, and what panels may ask of the window.

`Workbench` owns the profile store, the secret store, the history store (with its notifier), the
background tasks, the session and the current profile. Changes to a saved profile go through
`update_profile`, the one place that saves, keeps the current copy fresh and emits
`profile_changed`. `WindowHost` is the little a panel may ask of the window: a bottom tab, a
section in the result column, a notice above Send, a failure shown in the banner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from app.core.paths import HOME_ENV, AppPaths
from app.core.profile_model import Profile, ProfileError
from app.core.secrets import SecretKind
from app.ui.async_tools import TaskKeeper, run_blocking

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QWidget

    from app.core.errors import ErrorContext
    from app.core.history import HistoryStore
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretStore

_log = logging.getLogger(__name__)


class ProfileSaveError(Exception):
    """A profile could not be saved (invalid field or the file could not be written)."""


class WindowHost(Protocol):
    """What add-ons (trigger tools, remembered passwords) may ask of the window."""

    def add_bottom_tab(self, widget: QWidget, title: str, name: str) -> QDockWidget: ...

    def add_result_section(self, widget: QWidget, stretch: int = 0) -> None: ...

    def add_send_notice(self, widget: QWidget) -> None: ...

    def report_failure(
        self, error: BaseException, doing: str | None = None, context: ErrorContext | None = None
    ) -> None: ...


class Workbench(QObject):
    """Profiles, secrets, history, tasks, the session and the current profile, for every panel."""

    profile_changed = Signal(object)  # Profile | None: chosen, saved again, or gone

    def __init__(
        self,
        paths: AppPaths,
        *,
        profiles: ProfileStore | None = None,
        secrets: SecretStore | None = None,
        history: HistoryStore | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        path_problems: Sequence[str] = (),
        parent: QObject | None = None,
    ) -> None:
        from app.core.history.opening import OpenedHistory, open_history
        from app.core.profiles import ProfileStore
        from app.core.secrets import default_secret_store
        from app.ui.request.send_flow import HistoryNotifier
        from app.ui.session import Session

        super().__init__(parent)
        self.paths = paths
        self.tasks = TaskKeeper(on_error=on_error)
        self.session = Session(self)
        self.profiles = profiles or ProfileStore(paths.profiles_file)
        self.secrets = secrets or default_secret_store()
        self.path_problems = list(path_problems)
        """The folders under `paths` that cannot be written (`AppPaths.unwritable`)."""
        opened = OpenedHistory(history) if history is not None else open_history(paths.history_db)
        self.history_store, self.history_problem = opened.store, opened.problem
        """`history_problem`: why history is session-only (its file cannot be used), else None."""
        self.history = HistoryNotifier(self.history_store, self)
        self._profile: Profile | None = None
        self._generation = 0

    @property
    def profile(self) -> Profile | None:
        """The profile whose connection the session uses (None until one is chosen)."""
        return self._profile

    async def open_profile(self, profile: Profile) -> bool | None:
        """Make `profile` current: read its client secret and connect the session to it. Returns
        whether its client secret is missing, or None when another profile was chosen meanwhile."""
        self._generation += 1
        generation = self._generation
        secret = None
        if profile.has_client_secret:
            secret = await run_blocking(self.secrets.get, SecretKind.CLIENT_SECRET, profile.name)
        if generation != self._generation:
            return None
        self._set(profile)
        self.session.set_connection(profile.to_settings(secret))
        return profile.has_client_secret and not secret

    def drop_profile(self, name: str) -> bool:
        """The profile `name` was deleted: when it is current, sign out and forget the connection."""
        if self._profile is None or self._profile.name != name:
            return False
        self._generation += 1
        self._set(None)
        self.session.sign_out()
        self.session.connection = None
        return True

    def update_profile(self, name: str, **changes: Any) -> Profile | None:
        """Save `changes` on the stored profile `name` (None when there is none any more). The
        current profile follows. Raises ProfileSaveError, already logged, when saving fails."""
        try:
            stored = self.profiles.get(name)
            if stored is None:
                return None
            saved = replace(stored, **changes)
            if saved != stored:
                saved = self.profiles.save(saved)
        except (ProfileError, OSError) as error:
            _log.warning("Could not save the profile %r: %s", name, error)
            raise ProfileSaveError(str(error)) from error
        if self._profile is not None and self._profile.name == name and saved != self._profile:
            self._set(saved)
        return saved

    def _set(self, profile: Profile | None) -> None:
        self._profile = profile
        self.profile_changed.emit(profile)

    def startup_notices(self) -> list[str]:
        """What the window must say at start: folders it cannot write, a session-only or recovered
        history, profiles the file could not keep."""
        notices = []
        if self.path_problems:
            notices.append(f"VerifyDesk cannot save here: {'; '.join(self.path_problems)}. Set {HOME_ENV} to "
                           "a folder it may write; until then nothing it writes there is kept (no log file).")
        if self.history_problem:
            notices.append(self.history_problem)
        if self.history_store.recovered_from is not None:
            notices.append(f"The history file could not be read; it was moved to "
                           f"{self.history_store.recovered_from} and a new one started.")
        if self.profiles.notice:
            notices.append(self.profiles.notice)
        return notices
