"""Finding the ClientMetadata a trigger received in its log lines."""

from __future__ import annotations

from app.core.suites.cloudwatch import metadata_in


def test_the_metadata_is_read_from_a_logged_event_or_a_labelled_line() -> None:
    event = '2026-12-02T10:00:00Z\tabc\tINFO\t{"request": {"clientMetadata": {"campaign": "spring", "n": 3}}}'
    assert metadata_in(event) == {"campaign": "spring", "n": "3"}
    assert metadata_in('clientMetadata: {"locale": "de"}') == {"locale": "de"}


def test_lines_without_a_json_object_after_the_key_hold_no_metadata() -> None:
    assert metadata_in("clientMetadata: (none sent)") is None
    assert metadata_in("START RequestId: 1 Version: $LATEST") is None
    assert metadata_in("clientMetadata: [1, 2] then clientMetadata: {\"a\": \"b\"}") == {"a": "b"}
