"""Plain data shared by the core, the CLI and the window: no I/O, no Qt."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.core.answers import UnexpectedAnswerError, json_kind, short_repr

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
    def from_api(cls, data: object) -> CodeDeliveryDetails | None:
        """From the API's `CodeDeliveryDetails`; UnexpectedAnswerError when a field is not text."""
        if not data:
            return None
        if not isinstance(data, dict):
            raise UnexpectedAnswerError(
                f"CodeDeliveryDetails is {json_kind(data)} where Cognito sends an object",
                answer=short_repr(data))
        values: list[str | None] = []
        for key in ("AttributeName", "DeliveryMedium", "Destination"):
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise UnexpectedAnswerError(
                    f"CodeDeliveryDetails.{key} is {json_kind(value)} where Cognito sends a string",
                    answer=short_repr(data))
            values.append(value)
        return cls(*values)

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
