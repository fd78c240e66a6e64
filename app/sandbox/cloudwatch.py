"""A trigger invocation's log lines, written to moto's CloudWatch Logs like Lambda writes them.

They land in `/aws/lambda/<function>` of the same moto server, so a logs client pointed at the
sandbox's endpoint reads them (`filter_log_events`) the way a tester reads a real function's logs.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

_LOCK = threading.Lock()
# One stream per sandbox process and day, like one warm Lambda container.
_INSTANCE = uuid.uuid4().hex


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def write_lines(account_id: str, region: str, function_name: str, lines: Sequence[str]) -> None:
    """Append the lines (oldest first) to the function's log group, creating group and stream."""
    if not lines:
        return
    from moto.logs.models import logs_backends

    backend = logs_backends[account_id][region]
    group = log_group_name(function_name)
    stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{_INSTANCE}"
    # One millisecond apart, ending now: readers order lines by time, and moto's event ids (plain
    # counters, compared as strings) do not keep the order of lines sharing a timestamp.
    first_ms = int(time.time() * 1000) - len(lines) + 1
    events = [{"timestamp": first_ms + i, "message": str(line)} for i, line in enumerate(lines)]
    with _LOCK:
        if group not in backend.groups:
            backend.create_log_group(group, {})
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)
        backend.put_log_events(group, stream, events)
