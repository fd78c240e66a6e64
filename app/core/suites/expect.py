"""Checking a case's expectations against its send; each failure says what was expected and got."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from app.core.recording import RecordedSend
from app.core.suites.model import DELIVERED, Case
from app.core.suites.sources import TriggerEvidence


@dataclass
class Verdict:
    """What the checks found: failures (expected vs got) and expectations that could not be checked."""

    failures: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)


def _metadata_difference(sent: dict[str, str], got: dict[str, str]) -> str | None:
    """How what the trigger had differs from what was sent, key by key; None when equal."""
    if sent == got:
        return None
    parts = []
    missing = [k for k in sent if k not in got]
    extra = [k for k in got if k not in sent]
    changed = [k for k in sent if k in got and got[k] != sent[k]]
    if missing:
        parts.append("missing " + ", ".join(repr(k) for k in missing))
    if extra:
        parts.append("unexpected " + ", ".join(repr(k) for k in extra))
    parts += [f"{k!r} is {got[k]!r}, not {sent[k]!r}" for k in changed]
    return "; ".join(parts)


def check_send(
    case: Case, sent: RecordedSend, *, evidence: TriggerEvidence, username: str, since: datetime
) -> Verdict:
    """Every expectation of `case` against `sent`."""
    verdict = Verdict()
    expect = case.expect
    error = sent.error
    got_outcome = DELIVERED if error is None else f"error {error.code}: {error.message}"
    if (expect.outcome == DELIVERED) != (error is None):
        verdict.failures.append(f"outcome: expected {expect.outcome}, got {got_outcome}")
        return verdict
    if expect.error_code is not None and error is not None and error.code != expect.error_code:
        verdict.failures.append(f"error_code: expected {expect.error_code}, got {error.code}")
    delivery = sent.result.delivery if sent.result else None
    if expect.delivery_medium is not None:
        got = delivery.delivery_medium if delivery else None
        if got != expect.delivery_medium:
            verdict.failures.append(f"delivery_medium: expected {expect.delivery_medium}, got {got}")
    if expect.destination is not None:
        got = delivery.destination if delivery else None
        if got is None or not re.search(expect.destination, got):
            verdict.failures.append(
                f"destination: expected a match for {expect.destination!r}, got {_shown(got)}")
    if expect.latency_ms_max is not None:
        latency = sent.result.latency_ms if sent.result else (error.latency_ms if error else None)
        if latency is None or latency > expect.latency_ms_max:
            shown = "no measurement" if latency is None else f"{latency:.0f} ms"
            verdict.failures.append(f"latency_ms_max: expected at most {expect.latency_ms_max:g} ms, "
                                    f"got {shown}")
    if expect.trigger_metadata is not None:
        _check_trigger_metadata(case, verdict, evidence, username, since)
    if expect.message is not None:
        seen = evidence.rendered_message(username=username, attribute=case.attribute, since=since)
        if seen.why_not:
            verdict.unchecked.append(f"message: not checkable: {seen.why_not}")
        elif not re.search(expect.message, str(seen.value)):
            verdict.failures.append(
                f"message: expected a match for {expect.message!r}, got {_shown(seen.value)}")
    return verdict


def _check_trigger_metadata(
    case: Case, verdict: Verdict, evidence: TriggerEvidence, username: str, since: datetime
) -> None:
    views = evidence.received_metadata(username=username, attribute=case.attribute, since=since)
    for view in views:
        if view.why_not:
            verdict.unchecked.append(f"trigger_metadata: not checkable: {view.why_not}")
            continue
        difference = _metadata_difference(case.metadata, dict(view.value or {}))
        if difference:
            verdict.failures.append(
                f"trigger_metadata: expected the metadata sent {_shown(case.metadata)}, got "
                f"{_shown(view.value)} in {view.source} ({difference})")
