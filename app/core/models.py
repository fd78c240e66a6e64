"""Plain data shared by the core, the CLI and the window: no I/O, no Qt."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SEND_OPERATION = "GetUserAttributeVerificationCode"
VERIFY_OPERATION = "VerifyUserAttribute"
UPDATE_OPERATION = "UpdateUserAttributes"


class ValueState(StrEnum):
    """What an attribute update did to the value, as stored in history."""

    PENDING = "pending"  # the pool keeps the original until the new value's code is verified
    APPLIED = "applied"  # the new value is the active one


class Outcome(StrEnum):
    """How an attempt ended, as stored in history."""

    PENDING = "pending"  # written before sending; still in flight
    SUCCESS = "success"
    ERROR = "error"
    INTERRUPTED = "interrupted"  # was pending when its process died


@dataclass(frozen=True)
class CodeDeliveryDetails:
    """Where Cognito says the code went."""

    attribute_name: str | None
    delivery_medium: str | None
    destination: str | None

    @classmethod
    def from_api(cls, data: dict[str, Any] | None) -> CodeDeliveryDetails | None:
        if not data:
            return None
        return cls(data.get("AttributeName"), data.get("DeliveryMedium"), data.get("Destination"))

    def to_api(self) -> dict[str, str]:
        pairs = {
            "AttributeName": self.attribute_name,
            "DeliveryMedium": self.delivery_medium,
            "Destination": self.destination,
        }
        return {key: value for key, value in pairs.items() if value is not None}


@dataclass(frozen=True)
class ConnectionInfo:
    """The non-secret description of a connection, as stored in history and exports."""

    region: str
    endpoint_url: str | None
    user_pool_id: str | None
    client_id: str
    profile_name: str | None = None
