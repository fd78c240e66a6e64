"""The request as panels beside it see it: a `RequestContext` snapshot and signals when it changes,
when a send leaves and when its result is shown."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.core.profile_model import Profile
from app.core.validation import metadata_from_rows
from app.ui.request.context import RequestContext
from app.ui.request.panel import RequestPanel
from app.ui.request.send_flow import RequestController
from app.ui.request.update_box import UpdateBox
from app.ui.session import Session


class RequestHub(QObject):
    """Builds `RequestContext` snapshots from the session, the request column and the sends."""

    changed = Signal()
    send_started = Signal(object)  # RequestContext as the send leaves
    send_finished = Signal(object)  # RequestContext with `last_send` set (not for cancelled sends)

    def __init__(
        self,
        session: Session,
        panel: RequestPanel,
        controller: RequestController,
        profile: Callable[[], Profile | None],
        parent: QObject | None = None,
        *,
        update_box: UpdateBox | None = None,
    ) -> None:
        super().__init__(parent)
        self._update_box = update_box
        self._session = session
        self._panel = panel
        self._controller = controller
        self._profile = profile
        self.quiet = False  # set while the window closes: signing out then is no change to follow
        for signal in (session.connection_changed, session.signed_in, session.signed_out,
                       session.user_loaded, panel.picker.attribute_changed, panel.metadata.changed,
                       controller.busy_changed):
            signal.connect(lambda *_args: self._changed())
        if update_box is not None:
            update_box.value_edited.connect(lambda *_args: self._changed())
        controller.started.connect(lambda _attempt: self.send_started.emit(self.context()))
        controller.sent.connect(lambda _recorded: self.send_finished.emit(self.context()))

    def _changed(self) -> None:
        if not self.quiet:
            self.changed.emit()

    def context(self) -> RequestContext:
        """A snapshot of the connection, the signed-in user and the request built or last sent."""
        session = self._session
        user = session.user
        token = session.token_info
        attempt = self._controller.last_attempt
        editor = self._panel.metadata
        metadata = editor.metadata()
        box = self._update_box
        return RequestContext(
            profile=self._profile(),
            settings=session.connection.settings if session.connection else None,
            username=session.username or (user.username if user else None),
            signed_in=session.is_signed_in,
            user_attributes=dict(user.attribute_map) if user else {},
            attribute_name=self._panel.picker.attribute_name(),
            client_metadata=metadata,
            last_send_attribute=attempt.attribute_name if attempt else None,
            last_send_metadata=dict(attempt.metadata) if attempt else None,
            last_send_started_at=attempt.started_at if attempt else None,
            last_send_in_flight=attempt is not None and self._controller.attempt is attempt,
            last_send_cancelled=bool(attempt and attempt.cancelled),
            last_send=self._controller.last_recorded,
            grid_metadata=metadata if metadata is not None else metadata_from_rows(editor.rows()),
            cognito_username=user.username if user else None,
            token_user_pool_id=token.user_pool_id if token else None,
            token_client_id=token.client_id if token else None,
            update_value=box.new_value() if box is not None and box.is_open else None,
        )
