"""Trigger evidence on a real pool: the Custom Message function's CloudWatch log line that holds the
`clientMetadata` it received (a trigger that logs its event, as most do while being debugged)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.core.errors import ServiceError
from app.core.suites.sources import Observation
from app.core.trigger_logs import FollowSettings, LogKind, LogLine, collect, open_follower

# After the key, as JSON ("clientMetadata": {...}) or as a label (clientMetadata: {...}).
_KEY = re.compile(r"""["']?clientMetadata["']?\s*[:=]\s*""")
SUITE_FOLLOW = FollowSettings(poll_interval_s=0.5, window_s=20.0, grace_s=1.0, clock_slack_s=2.0)


def metadata_in(message: str) -> dict[str, str] | None:
    """The JSON object after `clientMetadata` in a log line; None when the line holds none."""
    for match in _KEY.finditer(message):
        try:
            value, _ = json.JSONDecoder().raw_decode(message, match.end())
        except ValueError:
            continue
        if isinstance(value, dict):
            return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}
    return None


def _holding(lines: tuple[LogLine, ...], username: str) -> dict[str, str] | None:
    """The newest line's metadata, preferring lines that also name the user."""
    found: list[tuple[bool, dict[str, str]]] = []
    for line in lines:
        if line.kind in (LogKind.START, LogKind.END, LogKind.REPORT):
            continue
        metadata = metadata_in(line.message)
        if metadata is not None:
            found.append((username in line.message, metadata))
    named = [m for has_user, m in found if has_user]
    pool = named or [m for _, m in found]
    return pool[-1] if pool else None


class CloudWatchEvidence:
    """Follows `/aws/lambda/<function>` after each send (signed with an AWS profile's credentials)."""

    def __init__(
        self, function_name: str, *, region: str, aws_profile: str | None = None,
        endpoint_url: str | None = None, static_credentials: tuple[str, str] | None = None,
        stop: Callable[[], bool] = lambda: False, settings: FollowSettings = SUITE_FOLLOW,
    ) -> None:
        self.function_name = function_name
        self._open: dict[str, Any] = {"region": region, "aws_profile": aws_profile,
                                      "endpoint_url": endpoint_url, "static_credentials": static_credentials}
        self._stop = stop
        self._settings = settings

    def received_metadata(self, *, username: str, attribute: str, since: datetime) -> list[Observation]:
        group = f"/aws/lambda/{self.function_name}"
        try:
            follower = open_follower(self.function_name, since, settings=self._settings, **self._open)
            result = collect(follower, stop=self._stop)
        except ServiceError as error:
            return [Observation(why_not=f"{group} cannot be read: {error.code}: {error.message}")]
        metadata = _holding(result.lines, username)
        if metadata is None:
            notes = f" ({' '.join(result.notes)})" if result.notes else ""
            return [Observation(why_not=f"no line of {group} after the send holds the clientMetadata{notes}")]
        return [Observation(metadata, source=f"the line of {group} holding the clientMetadata")]

    def rendered_message(self, *, username: str, attribute: str, since: datetime) -> Observation:
        return Observation(why_not="on a real pool the rendered message is only in the email or SMS itself")
