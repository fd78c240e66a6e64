"""Change an attribute's value from the window: checks first, then UpdateUserAttributes (recorded in
history with the old and new value) off the GUI thread, then GetUser again.

The pool's keep-original setting is read with DescribeUserPool when admin access is available (the
sandbox, or a profile with an AWS profile); either way GetUser after the change decides whether the
new value is active or pending. Pending values are shown in the attribute picker until GetUser shows
them active (after the code is verified).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from app.core.attribute_update import PendingValues
from app.core.calls import UserProfile
from app.core.connection import CognitoConnection
from app.core.error_catalogue import CANCELLED
from app.core.errors import ServiceError
from app.core.models import ValueState
from app.core.pool_admin import AdminAccess, AttributePolicy, describe_pool_triggers
from app.core.profile_model import Profile
from app.core.recording import RecordedUpdate, update_recorded
from app.core.validation import (
    ACCESS_TOKEN_FIELD,
    ATTRIBUTE_NAME_FIELD,
    ATTRIBUTE_VALUE_FIELD,
    CLIENT_METADATA_FIELD,
    metadata_from_rows,
    validate_update,
)
from app.ui.async_tools import TaskKeeper
from app.ui.request.panel import RequestPanel
from app.ui.request.result_view import ResultView, format_latency
from app.ui.request.send_flow import Attempt, HistoryNotifier, RequestController
from app.ui.request.update_box import UpdateBox
from app.ui.session import Session, StartedCall
from app.ui.widgets.style import Tone

_log = logging.getLogger(__name__)
_FIELD_LABELS = {ATTRIBUTE_NAME_FIELD: "Attribute", CLIENT_METADATA_FIELD: "ClientMetadata",
                 ACCESS_TOKEN_FIELD: "Access token", ATTRIBUTE_VALUE_FIELD: "New value"}


def _expired(result: RecordedUpdate) -> bool:
    return result.error is not None and result.error.offers_refresh


def read_policy(profile: Profile | None) -> AttributePolicy | None:
    """The pool's attribute policy by DescribeUserPool, when admin access is available; blocking."""
    if profile is None or not profile.user_pool_id or not (profile.sandbox or profile.aws_profile):
        return None
    try:
        info = describe_pool_triggers(profile.user_pool_id, **AdminAccess.for_profile(profile).kwargs())
    except ServiceError as error:
        _log.info("DescribeUserPool for the attribute policy failed: %s", error.code)
        return None
    return info.attribute_policy


class UpdateController(QObject):
    """Connects the update box to the session, the result view, the picker and history."""

    changed = Signal(object)  # RecordedUpdate shown to the tester (not cancelled)
    busy_changed = Signal(bool)

    def __init__(
        self,
        session: Session,
        history: HistoryNotifier,
        tasks: TaskKeeper,
        *,
        box: UpdateBox,
        panel: RequestPanel,
        result: ResultView,
        sends: RequestController,
        profile: Callable[[], Profile | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.history, self.tasks = session, history, tasks
        self.box, self.panel, self.result, self.sends = box, panel, result, sends
        self._profile = profile
        self.pending = PendingValues()
        self.policy: AttributePolicy | None = None
        self.attempt: Attempt | None = None
        self.last_recorded: RecordedUpdate | None = None
        box.change_clicked.connect(self.change)
        box.cancel_clicked.connect(self.cancel)
        box.value_edited.connect(lambda _text: box.show_problems([], offer_anyway=False))
        session.user_loaded.connect(self._user_loaded)
        session.signed_out.connect(self._signed_out)
        session.connection_changed.connect(self._connection_changed)
        session.signed_in.connect(self._update_enabled)
        sends.busy_changed.connect(lambda _busy: self._update_enabled())
        self._update_enabled()

    @property
    def in_flight(self) -> bool:
        return self.attempt is not None

    def _update_enabled(self) -> None:
        usable = self.session.is_signed_in and not self.in_flight and not self.sends.in_flight
        self.box.change_button.setEnabled(usable)
        self.box.anyway_button.setEnabled(usable)

    def _user_loaded(self, user: UserProfile) -> None:
        self.pending.reconcile(user)
        self._show_pending(user)

    def _show_pending(self, user: UserProfile | None) -> None:
        views = self.pending.views(user) if user is not None else ()
        self.panel.picker.set_pending({v.name: v.pending for v in views if v.pending is not None})

    def _signed_out(self) -> None:
        self.pending.clear()
        self.panel.picker.set_pending({})
        self._update_enabled()

    def _connection_changed(self) -> None:
        self.policy = None
        self.pending.clear()
        self.panel.picker.set_pending({})

    @Slot(bool)
    def change(self, anyway: bool = False) -> None:
        """Check, then change; ignored while a change or a send is in flight."""
        if self.in_flight or self.sends.in_flight or not self.session.is_signed_in:
            return
        attribute, value = self.panel.picker.attribute_name(), self.box.new_value()
        rows = self.panel.metadata.rows()
        if not anyway:
            pool_attributes = self.policy.attributes if self.policy and self.policy.attributes else None
            problems = validate_update(self.session.access_token or "", attribute, value, rows,
                                       pool_attributes=pool_attributes)
            if problems:
                lines = [f"{_FIELD_LABELS.get(p.field, p.field)}: {p.message}" for p in problems]
                self.box.show_problems(lines, offer_anyway=True)
                if any(p.field == ATTRIBUTE_VALUE_FIELD for p in problems):
                    self.box.value_edit.setFocus()
                return
        self.box.show_problems([], offer_anyway=False)
        metadata = self.panel.metadata.metadata()
        if metadata is None:  # changing anyway with grid problems: the first of duplicates wins
            metadata = metadata_from_rows(rows)
        self._start(Attempt(attribute, metadata), value)

    def _start(self, attempt: Attempt, value: str) -> None:
        user = self.session.user
        current = user.attribute(attempt.attribute_name) if user else None
        old_value = current.value if current else None
        username, history, profile = self.session.username, self.history, self._profile()
        known_policy = self.policy
        read: list[AttributePolicy | None] = []  # the policy read in the worker, kept on the GUI thread

        def call(conn: CognitoConnection, token: str) -> RecordedUpdate:
            policy = known_policy or read_policy(profile)
            read.append(policy)
            return update_recorded(
                conn, history, access_token=token, username=username,
                attribute_name=attempt.attribute_name, new_value=value,
                client_metadata=attempt.metadata, old_value=old_value, policy=policy,
                is_cancelled=attempt.is_cancelled,
            )

        started = self.session.start_call(call)
        self._set_in_flight(attempt)
        self.result.show_note("")
        self.tasks.spawn(self._run(attempt, call, started, read), name="update-attribute")

    def _set_in_flight(self, attempt: Attempt | None) -> None:
        self.attempt = attempt
        self.box.set_busy(attempt is not None)
        self._update_enabled()
        self.busy_changed.emit(attempt is not None)

    async def _run(self, attempt: Attempt, call: Callable[[CognitoConnection, str], RecordedUpdate],
                   started: StartedCall[RecordedUpdate], read: list[AttributePolicy | None]) -> None:
        try:
            recorded = await self.session.call_with_refresh(call, is_expired=_expired, started=started)
        except ServiceError as error:
            recorded = RecordedUpdate(None, None, "", error=error)
        finally:
            if self.attempt is attempt:
                self._set_in_flight(None)
        if read and read[-1] is not None:
            self.policy = read[-1]
        self._finished(attempt, recorded)
        if recorded.ok:
            try:
                await self.session.load_user()
            except ServiceError as error:
                self.result.show_note(f"Reloading your attributes failed: {error.code}", Tone.WARNING)

    def _finished(self, attempt: Attempt, recorded: RecordedUpdate) -> None:
        name = attempt.attribute_name
        if recorded.ok:
            self.pending.record(name, recorded.new_value, recorded.value_state)
        if attempt.cancelled:
            code = recorded.error.code if recorded.error else ""
            outcome = "succeeded" if recorded.ok else f"failed ({code})"
            self.result.show_note(f"The cancelled change of {name!r} {outcome} later; history has it, "
                                  "marked cancelled.", Tone.INFO)
            return
        self.last_recorded = recorded
        bar = self.panel.send_bar
        if recorded.result is not None:
            bar.set_finished_text(f"Done in {format_latency(recorded.result.latency_ms)}")
            pending = None if recorded.value_state is None else recorded.value_state is ValueState.PENDING
            note = (f"{recorded.old_value} stays active until the code sent to {recorded.new_value} is "
                    "verified." if pending else "")
            self.result.show_update(recorded.result, name, pending=pending, note=note)
            self.box.value_edit.clear()
        elif recorded.error is not None:
            bar.set_finished_text(f"Failed after {format_latency(recorded.error.latency_ms)}")
            self.result.show_error(recorded.error, can_refresh=self.session.can_refresh,
                                   attribute_name=name, operation="update")
        self.changed.emit(recorded)

    @Slot()
    def cancel(self) -> None:
        attempt = self.attempt
        if attempt is None:
            return
        attempt.cancelled = True
        self._set_in_flight(None)
        error = ServiceError(CANCELLED, "You cancelled the change before its result arrived.")
        self.result.show_error(error, can_refresh=False, operation="update",
                               note="If the response still arrives, history records it, marked cancelled.")
