"""Cognito's own input validation for the verification and update operations, worded like AWS words it.

This is the server side of "send anyway": whatever the client skipped, the sandbox checks here and
answers InvalidParameterException with AWS's "N validation errors detected: …" message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.field_rules import StringRule, field_rules, rule_of_shape
from app.sandbox.wire import ApiError, invalid_parameter

CODE_SHAPE = "ConfirmationCodeType"
ATTRIBUTE_VALUE_MAX = 2048


@dataclass(frozen=True)
class Member:
    """One request member and its constraints."""

    name: str
    required: bool
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    matches: Callable[[str], bool] | None = None
    sensitive: bool = False

    @property
    def path(self) -> str:
        return self.name[:1].lower() + self.name[1:]

    @classmethod
    def of(cls, name: str, rule: StringRule, *, sensitive: bool = False) -> Member:
        """A required member with the constraints of a shape of botocore's model."""
        return cls(name, True, rule.min_length, rule.max_length, rule.pattern,
                   (lambda value: rule.outside(value) is None) if rule.pattern else None, sensitive)


def access_token() -> Member:
    return Member.of("AccessToken", field_rules().access_token, sensitive=True)


def attribute_name(name: str = "AttributeName") -> Member:
    return Member.of(name, field_rules().attribute_name)


def code() -> Member:
    return Member.of("Code", rule_of_shape(CODE_SHAPE), sensitive=True)


def _problems(member: Member, value: object) -> list[str]:
    shown = "" if member.sensitive or not isinstance(value, str) else f" '{value}'"
    prefix = f"Value{shown} at '{member.path}' failed to satisfy constraint: "
    if value is None:
        return [f"Value null at '{member.path}' failed to satisfy constraint: Member must not be null"]
    if not isinstance(value, str):
        return [prefix + "Member must be a string"]
    found = []
    if member.min_length is not None and len(value) < member.min_length:
        found.append(prefix + f"Member must have length greater than or equal to {member.min_length}")
    if member.max_length is not None and len(value) > member.max_length:
        found.append(prefix + f"Member must have length less than or equal to {member.max_length}")
    if value and member.matches is not None and not member.matches(value):
        found.append(prefix + f"Member must satisfy regular expression pattern: {member.pattern}")
    return found


def _metadata_problems(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return [
            "Value at 'clientMetadata' failed to satisfy constraint: Member must be a map of string to string"
        ]
    rules = field_rules()
    found = []
    for what, rule, texts in (
        ("key", rules.metadata_key, value.keys()), ("value", rules.metadata_value, value.values()),
    ):
        if rule.max_length is not None and any(len(text) > rule.max_length for text in texts):
            found.append(f"Value at 'clientMetadata' failed to satisfy constraint: Map {what} must satisfy "
                         f"constraint: [Member must have length less than or equal to {rule.max_length}]")
    return found


def _attribute_list_problems(value: object) -> list[str]:
    """UserAttributes: a list of {Name, Value} with AttributeType's constraints, paths as AWS names them."""
    if value is None:
        return ["Value null at 'userAttributes' failed to satisfy constraint: Member must not be null"]
    if not isinstance(value, list):
        return ["Value at 'userAttributes' failed to satisfy constraint: Member must be a list"]
    found: list[str] = []
    for index, item in enumerate(value, start=1):
        path = f"userAttributes.{index}.member"
        if not isinstance(item, Mapping):
            found.append(f"Value at '{path}' failed to satisfy constraint: Member must be a structure")
            continue
        name = attribute_name(f"{path}.name")
        found += _problems(name, item.get("Name"))
        raw = item.get("Value")
        if raw is not None and not isinstance(raw, str):
            found.append(f"Value at '{path}.value' failed to satisfy constraint: Member must be a string")
        elif isinstance(raw, str) and len(raw) > ATTRIBUTE_VALUE_MAX:
            found.append(f"Value at '{path}.value' failed to satisfy constraint: "
                         f"Member must have length less than or equal to {ATTRIBUTE_VALUE_MAX}")
    return found


def validate(
    params: Mapping[str, Any], members: tuple[Member, ...], *, metadata: bool = False,
    user_attributes: bool = False,
) -> None:
    """Raise InvalidParameterException listing every constraint the request breaks."""
    found: list[str] = []
    for member in members:
        found += _problems(member, params.get(member.name))
    if user_attributes:
        found += _attribute_list_problems(params.get("UserAttributes"))
    if metadata:
        found += _metadata_problems(params.get("ClientMetadata"))
    if found:
        count = len(found)
        noun = "error" if count == 1 else "errors"
        raise invalid_parameter(f"{count} validation {noun} detected: " + "; ".join(found))


def require_object(params: object) -> dict[str, Any]:
    """The request body must be a JSON object."""
    if not isinstance(params, dict):
        raise ApiError("SerializationException", "Start of structure or map found where not expected.")
    return params
