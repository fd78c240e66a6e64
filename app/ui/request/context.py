"""What the window's current request is about, for panels that sit beside it (the trigger view).

`RequestHub.context()` (app.ui.request.hub) returns a `RequestContext` snapshot; its `changed`
signal fires whenever any part of it may have changed, `send_started(RequestContext)` when a send
leaves and `send_finished(RequestContext)` when its (not cancelled) result is shown. The window
relays them as `request_context()`, `request_context_changed`, `send_started` and `send_finished`.
No tokens or secrets are exposed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.core.connection import ConnectionSettings
from app.core.profile_model import Profile
from app.core.recording import RecordedSend


@dataclass(frozen=True)
class RequestContext:
    """A snapshot: connection, who is signed in, and the request being built or last sent.

    `settings` carries the client secret (needed to build the exact event Cognito would send);
    never log or store it. `client_metadata` is None while the grid has problems; `grid_metadata`
    is what the grid holds even then (the first of duplicate keys wins). `cognito_username` is
    the user name GetUser returned; `token_*` what the access token says.
    """

    profile: Profile | None
    settings: ConnectionSettings | None
    username: str | None
    signed_in: bool
    user_attributes: dict[str, str] = field(default_factory=dict)
    attribute_name: str = ""
    client_metadata: dict[str, str] | None = None
    last_send_attribute: str | None = None
    last_send_metadata: dict[str, str] | None = None
    last_send_started_at: datetime | None = None  # UTC
    last_send_in_flight: bool = False
    last_send_cancelled: bool = False
    last_send: RecordedSend | None = None  # its result/error and history id once arrived
    grid_metadata: dict[str, str] = field(default_factory=dict)
    cognito_username: str | None = None
    token_user_pool_id: str | None = None
    token_client_id: str | None = None
    update_value: str | None = None
    """The new value in the open "Change value" box: the call about to be made is then
    UpdateUserAttributes, not GetUserAttributeVerificationCode."""

    @property
    def region(self) -> str | None:
        return self.settings.region if self.settings else None

    @property
    def user_pool_id(self) -> str | None:
        return self.settings.user_pool_id if self.settings else None

    @property
    def client_id(self) -> str | None:
        return self.settings.client_id if self.settings else None

    @property
    def endpoint_url(self) -> str | None:
        return self.settings.endpoint_url if self.settings else None
