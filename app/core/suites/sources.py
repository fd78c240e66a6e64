"""Where a run gets what the send itself does not answer: the code to verify, and what the trigger
received and rendered. Behind small interfaces, so other sources (a mailbox, CloudWatch Logs) can
stand in; here the VerifyDesk sandbox's control API serves all three."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

CODE_PLACEHOLDER = "{####}"


class CodeSourceError(Exception):
    """No code could be had; the message says why."""


class CodeSource(Protocol):
    """Gives the code delivered for a user's attribute after a send."""

    def code_for(self, *, username: str, attribute: str, sent_after: datetime) -> str: ...


@dataclass(frozen=True)
class Observation:
    """What the trigger saw or wrote for one send; `why_not` says why it is unknown (None: known)."""

    value: Any = None
    why_not: str | None = None
    source: str = ""


class TriggerEvidence(Protocol):
    """What the Custom Message trigger received and the message it rendered, for one send."""

    def received_metadata(self, *, username: str, attribute: str, since: datetime) -> list[Observation]:
        """Each view of the ClientMetadata the trigger had (the event sent to it, the event it returned)."""
        ...

    def rendered_message(self, *, username: str, attribute: str, since: datetime) -> Observation: ...


class NoEvidence:
    """A pool whose trigger cannot be seen from here."""

    def __init__(self, why: str) -> None:
        self.why = why

    def received_metadata(self, *, username: str, attribute: str, since: datetime) -> list[Observation]:
        return [Observation(why_not=self.why)]

    def rendered_message(self, *, username: str, attribute: str, since: datetime) -> Observation:
        return Observation(why_not=self.why)


def _sent_at(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _newest_after(messages: list[dict[str, Any]], attribute: str, since: datetime) -> dict[str, Any] | None:
    """The newest message for `attribute` sent after `since` (less the trigger runs' slack)."""
    from app.core.trigger_insight import RUN_MATCH_SLACK

    floor = since - RUN_MATCH_SLACK
    for message in reversed(messages):
        sent = _sent_at(message.get("sent_at"))
        if sent is not None and sent < floor:
            return None
        if message.get("attribute") == attribute:
            return dict(message)
    return None


class SandboxSources:
    """The sandbox's control API as a code source and as trigger evidence."""

    def __init__(self, endpoint_url: str) -> None:
        from app.sandbox.control import SandboxControl

        self.control = SandboxControl(endpoint_url)

    @classmethod
    def probe(cls, endpoint_url: str | None) -> tuple[SandboxSources | None, str]:
        """The sandbox at `endpoint_url`, or None and why not (not one, or unreachable)."""
        from app.sandbox.control import SandboxControlError

        if not endpoint_url:
            return None, "the connection is AWS itself, not a VerifyDesk sandbox"
        sources = cls(endpoint_url)
        try:
            sources.control.info()
        except SandboxControlError as exc:
            return None, f"{endpoint_url} is not a VerifyDesk sandbox ({exc})"
        return sources, ""

    def code_for(self, *, username: str, attribute: str, sent_after: datetime) -> str:
        from app.sandbox.control import SandboxControlError

        message = self._message(username, attribute, sent_after)
        if message is None or not message.get("code"):
            try:
                return self.control.latest_code(username, attribute)
            except SandboxControlError as exc:
                raise CodeSourceError(
                    f"the sandbox has no code for {username}'s {attribute}: {exc}") from None
        return str(message["code"])

    def _message(self, username: str, attribute: str, since: datetime) -> dict[str, Any] | None:
        from app.sandbox.control import SandboxControlError

        try:
            messages = self.control.inbox(username, limit=1, attribute=attribute)
        except SandboxControlError:
            return None
        return _newest_after(messages, attribute, since)

    def received_metadata(self, *, username: str, attribute: str, since: datetime) -> list[Observation]:
        from app.core.trigger_insight import find_run
        from app.sandbox.control import SandboxControlError

        try:
            trigger = self.control.trigger()
            if not trigger.get("trigger"):
                return [Observation(why_not="the sandbox has no Custom Message trigger configured")]
            events = self.control.trigger_events(username=username, attribute=attribute, limit=1)
            entry = find_run(events, username=username, attribute=attribute, since=since)
        except SandboxControlError as exc:
            return [Observation(why_not=f"the sandbox's trigger events cannot be read: {exc}")]
        if entry is None:
            return [Observation(why_not="the sandbox recorded no trigger event for this send")]
        event = entry.get("event") or {}
        views = [Observation(_client_metadata(event), source="the event sent to the trigger")]
        returned = entry.get("response")
        if isinstance(returned, Mapping) and isinstance(returned.get("request"), Mapping):
            views.append(Observation(_client_metadata(returned), source="the event the trigger returned"))
        return views

    def rendered_message(self, *, username: str, attribute: str, since: datetime) -> Observation:
        message = self._message(username, attribute, since)
        if message is None:
            return Observation(why_not="the sandbox's inbox has no message for this send")
        subject = message.get("subject")
        body = str(message.get("message") or "")
        text = f"{subject}\n{body}" if subject else body
        code = str(message.get("code") or "")
        # The code never leaves in a report: the message reads as the trigger wrote it, with {####}.
        shown = text.replace(code, CODE_PLACEHOLDER) if code else text
        return Observation(shown, source="the sandbox's inbox")


def _client_metadata(event: Mapping[str, Any]) -> dict[str, str]:
    request = event.get("request")
    metadata = request.get("clientMetadata") if isinstance(request, Mapping) else None
    if not isinstance(metadata, Mapping):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()}
