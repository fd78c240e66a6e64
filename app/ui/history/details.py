"""A history record as readable HTML: request, where a verify's code came from, result, error with the
catalogue's advice, trigger log."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

from app.core.error_catalogue import lookup
from app.core.history import CodeWait, HistoryRecord
from app.core.models import VERIFY_OPERATION, Outcome
from app.core.visible import shown, shown_lines
from app.core.wording import latency_text
from app.ui.history.cells import STATE_LABELS, local_time_text, outcome_state, value_change_text
from app.ui.trigger.log_view import trigger_log_html


def _pre(text: str) -> str:
    return f"<pre style='margin:2px 0 6px 0; white-space:pre-wrap'>{html.escape(shown_lines(text))}</pre>"


def _rows(pairs: list[tuple[str, str | None]]) -> str:
    cells = "".join(
        f"<tr><td width='96' style='padding-right:12px; color:palette(mid)'>{html.escape(name)}</td>"
        f"<td>{html.escape(shown(value))}</td></tr>"
        for name, value in pairs
        if value not in (None, "")
    )
    return f"<table cellspacing='0' cellpadding='1'>{cells}</table>"


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def code_wait_text(wait: CodeWait) -> str:
    """Where a verify's code came from: the source, the message's date, the wait (never the code)."""
    moment = wait.message_date
    date = f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if moment else "an unknown date"
    waited = "" if wait.wait_ms is None else f", waited {wait.wait_ms / 1000:.1f} s"
    return f"Code from: {wait.source}, message of {date}{waited}"


def record_details_html(record: HistoryRecord, code_wait: CodeWait | None = None) -> str:
    """The whole record, readable: request, where the code came from (`code_wait`, for a verify whose
    code a code source found), result, error with the catalogue's advice, trigger log."""
    state = outcome_state(record)
    call = record.operation
    parts = [
        f"<h3 style='margin:0 0 4px 0'>{html.escape(STATE_LABELS[state])} · "
        f"{html.escape(shown(record.attribute_name))}</h3>",
        _rows([
            ("Record", f"#{record.id}"),
            ("Call", call),
            ("Started", f"{local_time_text(record)} local · {_utc_text(record.started_at)} UTC"),
            ("Finished", f"{_utc_text(record.finished_at)} UTC" if record.finished_at else None),
            ("Outcome", record.outcome.value + (" (cancelled in VerifyDesk)" if record.cancelled else "")),
            ("Latency", latency_text(record.latency_ms)),
            ("Attempts", None if record.attempts is None else str(record.attempts)),
            ("HTTP status", None if record.http_status is None else str(record.http_status)),
            ("Request id", record.request_id),
        ]),
        "<h4 style='margin:8px 0 2px 0'>Request</h4>",
        _rows([
            ("Attribute", record.attribute_name),
            ("Change", value_change_text(record) or None),
            ("Username", record.username),
            ("Profile", record.profile_name),
            ("Region", record.region),
            ("Endpoint", record.endpoint_url),
            ("User pool", record.user_pool_id),
            ("App client", record.client_id),
        ]),
    ]
    if code_wait is not None:
        parts.append(f"<p style='margin:4px 0'>{html.escape(shown(code_wait_text(code_wait)))}</p>")
    if record.operation != VERIFY_OPERATION:
        parts.append("<h4 style='margin:8px 0 2px 0'>ClientMetadata</h4>")
        parts.append(
            _pre(json.dumps(record.client_metadata, ensure_ascii=False, indent=2))
            if record.client_metadata else "<p style='margin:2px 0'>(none: the parameter was omitted)</p>"
        )
    if record.delivery is not None:
        parts.append("<h4 style='margin:8px 0 2px 0'>Code delivery</h4>")
        parts.append(_rows([
            ("Attribute", record.delivery.attribute_name),
            ("Medium", record.delivery.delivery_medium),
            ("Destination", record.delivery.destination),
        ]))
    if record.error_code:
        entry = lookup(record.error_code)
        parts.append("<h4 style='margin:8px 0 2px 0'>Error</h4>")
        parts.append(_rows([("Code", record.error_code), ("Message", record.error_message)]))
        parts.append(f"<p style='margin:4px 0'>{html.escape(entry.explanation)}</p>")
        parts.append(f"<p style='margin:4px 0'><b>Next step:</b> {html.escape(entry.next_step)}</p>")
    elif record.outcome == Outcome.PENDING:
        parts.append("<p>In flight: the result appears here when it arrives.</p>")
    elif record.outcome == Outcome.INTERRUPTED:
        parts.append(
            "<p>The app stopped before the result arrived: the request may or may not have reached "
            "Cognito. Check the inbox, then send again.</p>"
        )
    if record.trigger_log:
        parts.append("<h4 style='margin:8px 0 2px 0'>Trigger log</h4>")
        parts.append(trigger_log_html(record.trigger_log))  # metadata mentions highlighted
    return "".join(parts)
