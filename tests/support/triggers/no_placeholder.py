"""A trigger whose messages lack the {####} code placeholder (Cognito: InvalidLambdaResponseException)."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    event["response"]["emailSubject"] = "Welcome"
    event["response"]["emailMessage"] = "Your code is on its way."
    event["response"]["smsMessage"] = "Your code is on its way."
    return event
