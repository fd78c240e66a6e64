"""A trigger that returns something that is not the event (Cognito: InvalidLambdaResponseException)."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> Any:
    print("GARBAGE returning a string")
    return "this is not the event"
