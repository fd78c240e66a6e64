"""Echo trigger: prints the event, fills every message with the code placeholder and the ClientMetadata.

Deterministic, so tests can compute the delivered message: see `expected_*` below.
"""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger()


def metadata_text(event: dict[str, Any]) -> str:
    return json.dumps(event["request"].get("clientMetadata") or {}, sort_keys=True, ensure_ascii=False)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    print("ECHO event " + json.dumps(event, sort_keys=True, ensure_ascii=False))
    logger.warning("ECHO context %s %s", context.function_name, context.aws_request_id)
    meta = metadata_text(event)
    event["response"]["emailSubject"] = f"Echo code for {event['userName']}"
    event["response"]["emailMessage"] = f"Echo: your code is {{####}}. metadata={meta}"
    event["response"]["smsMessage"] = f"Echo {{####}} {meta}"[:140]
    return event
