"""A trigger that prints a line and then raises (Cognito: UserLambdaValidationException)."""

from __future__ import annotations

from typing import Any

MESSAGE = "Email domain not allowed"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    print("RAISES about to fail for " + event["userName"])
    raise ValueError(MESSAGE)
