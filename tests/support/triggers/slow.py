"""A trigger that takes far longer than Cognito waits (5 s) or a Lambda's default timeout (3 s)."""

from __future__ import annotations

import time
from typing import Any

SECONDS = 30.0


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    print("SLOW starting, remaining ms:", context.get_remaining_time_in_millis())
    time.sleep(SECONDS)
    return event
