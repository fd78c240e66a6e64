"""A trigger that loses the `campaign` ClientMetadata key before it uses the event (as a buggy
middleware would), and says so in the event it returns."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    metadata = event["request"].get("clientMetadata") or {}
    metadata.pop("campaign", None)
    event["response"]["emailSubject"] = "Your code"
    event["response"]["emailMessage"] = f"Your code is {{####}}. locale={metadata.get('locale', '-')}"
    event["response"]["smsMessage"] = "Your code is {####}."
    return event
