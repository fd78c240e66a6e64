"""The sandbox's demo Custom Message trigger: `app/sandbox/demo_trigger.py:handler` (or the spec "demo").

A friendly example of what a real trigger does with GetUserAttributeVerificationCode: it prints the
event it received (so the log lines show the ClientMetadata that arrived), then returns the event
with an email subject and body and an SMS text, each containing the code placeholder `{####}` and
the ClientMetadata. It uses the standard library only: the sandbox runs it from its file, like a
Lambda runtime, in a fresh Python process per invocation.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

SPEC = f"{Path(__file__).resolve()}:handler"
"""This handler as a trigger spec."""
CODE = "{####}"
SMS_LIMIT = 140
EMAIL_METADATA_LIMIT = 10_000

logger = logging.getLogger()


def _metadata_lines(metadata: dict[str, Any]) -> str:
    if not metadata:
        return "No ClientMetadata was sent with this request."
    lines = ["ClientMetadata sent with this request:"]
    lines += [f"  {key} = {value}" for key, value in sorted(metadata.items())]
    text = "\n".join(lines)
    return text if len(text) <= EMAIL_METADATA_LIMIT else text[:EMAIL_METADATA_LIMIT] + "\n  …"


def _sms(metadata: dict[str, Any]) -> str:
    text = f"VerifyDesk demo code: {CODE}"
    if metadata:
        pairs = ", ".join(f"{key}={value}" for key, value in sorted(metadata.items()))
        text = f"{text} ({pairs})"
    return text if len(text) <= SMS_LIMIT else text[: SMS_LIMIT - 2] + "…)"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Print the event, fill `response` with messages carrying the code and the ClientMetadata."""
    request = event.get("request") or {}
    metadata = request.get("clientMetadata") or {}
    print("VerifyDesk demo trigger received: " + json.dumps(event, ensure_ascii=False, sort_keys=True))
    print("clientMetadata: " + (json.dumps(metadata, ensure_ascii=False, sort_keys=True) if metadata
                                else "(none sent)"))
    name = event.get("userName") or "there"
    response = event.setdefault("response", {})
    response["emailSubject"] = "Your VerifyDesk verification code"
    response["emailMessage"] = (
        f"Hello {name},\n\nYour verification code is {CODE}.\n\n{_metadata_lines(metadata)}\n\n"
        f"(Written by VerifyDesk's demo Custom Message trigger, {event.get('triggerSource')}.)"
    )
    response["smsMessage"] = _sms(metadata)
    return event
