"""A send refused by VerifyDesk's checks: the lines that explain it, including the exact
ClientMetadata "Send anyway" would send and the rows it cannot, and bringing them into view."""

from __future__ import annotations

import json
from collections.abc import Sequence

from app.core.validation import (
    ACCESS_TOKEN_FIELD,
    ATTRIBUTE_NAME_FIELD,
    CLIENT_METADATA_FIELD,
    FieldError,
    MetadataRow,
    metadata_sent_anyway,
)
from app.ui.request.panel import SendBar
from app.ui.widgets.scrolling import reveal

PAYLOAD_MAX_CHARS = 400
_LABELS = {ATTRIBUTE_NAME_FIELD: "Attribute", CLIENT_METADATA_FIELD: "ClientMetadata",
           ACCESS_TOKEN_FIELD: "Access token"}


def refusal_lines(problems: Sequence[FieldError], rows: Sequence[MetadataRow]) -> list[str]:
    """One line per problem, then what Send anyway sends (exactly) and what it drops, and why."""
    lines = [f"{_LABELS.get(problem.field, problem.field)}: {problem.message}" for problem in problems]
    metadata, dropped = metadata_sent_anyway(rows)
    payload = json.dumps(metadata, ensure_ascii=False) if metadata else "no ClientMetadata"
    if len(payload) > PAYLOAD_MAX_CHARS:
        payload = payload[:PAYLOAD_MAX_CHARS] + f"… ({len(metadata):,} keys)"
    lines.append(f"Send anyway sends: {payload}")
    lines.extend(f"{line}: a JSON object cannot carry a key twice." for line in dropped)
    return lines


def status_text(problems: Sequence[FieldError]) -> str:
    """The status bar's one line for a refused send."""
    count = len(problems)
    first = problems[0]
    more = f" (and {count - 1} more)" if count > 1 else ""
    return (f"Not sent: {_LABELS.get(first.field, first.field)}: {first.message}{more} "
            "See the request's problems, or Send anyway.")


def reveal_refusal(bar: SendBar) -> None:
    """Scroll the request column so Send, the problems and Send anyway are in view (the problems
    and Send anyway win when they do not all fit)."""
    reveal(bar.send_button, bar.problems, bar.send_anyway_button)
