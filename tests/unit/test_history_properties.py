"""Properties of the history store over generated input: round trips, time ranges, search, redaction."""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.core.history import (
    SCHEMA_VERSION,
    TOKEN_PLACEHOLDER,
    AttemptCompletion,
    AttemptStart,
    HistoryFilter,
    HistoryStore,
    records,
    schema,
)
from app.core.history.export import read_csv_text
from app.core.models import SEND_OPERATION, CodeDeliveryDetails, ConnectionInfo, Outcome
from app.core.redaction import SecretRegistry

INFO = ConnectionInfo("eu-west-1", None, "eu-west-1_Pool", "client123")
T0 = datetime(2025, 1, 1, tzinfo=UTC)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def fresh_store() -> Iterator[HistoryStore]:
    """A store in a temporary directory, with no secrets registered by other tests."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch.object(records, "SECRETS", SecretRegistry()),
        HistoryStore(Path(tmp) / "h.sqlite3") as store,
    ):
        yield store


def no_token(*texts: str) -> bool:
    return not any("eyJ" in text for text in texts)


@SETTINGS
@given(
    metadata=st.dictionaries(st.text(max_size=40), st.text(max_size=200), max_size=8),
    username=st.none() | st.text(max_size=60),
    attribute=st.text(min_size=1, max_size=32),
    message=st.text(max_size=300),
    destination=st.text(max_size=40),
)
def test_any_metadata_and_unicode_text_round_trips_through_store_and_exports(
    metadata: dict[str, str], username: str | None, attribute: str, message: str, destination: str
) -> None:
    assume(no_token(*metadata, *metadata.values(), username or "", attribute, message, destination))
    with fresh_store() as store:
        row_id = store.begin(AttemptStart(SEND_OPERATION, INFO, username, attribute, metadata))
        store.complete(row_id, AttemptCompletion(
            Outcome.ERROR, delivery=CodeDeliveryDetails(attribute, "EMAIL", destination),
            error_code="X", error_message=message,
        ))
        record = store.get(row_id)
        assert record is not None
        assert record.client_metadata == metadata
        assert list(record.client_metadata) == list(metadata)
        assert (record.username, record.attribute_name, record.error_message) == (username, attribute, message)
        assert record.delivery is not None and record.delivery.destination == destination
        assert json.loads(json.dumps(record.to_dict())) == record.to_dict()

        folder = store.path.parent
        store.export(folder / "h.json")
        store.export(folder / "h.csv")
        assert json.loads((folder / "h.json").read_text(encoding="utf-8")) == [record.to_dict()]
        with (folder / "h.csv").open(encoding="utf-8", newline="") as handle:
            row = next(csv.DictReader(handle))
        assert json.loads(row["client_metadata"]) == metadata
        assert read_csv_text(row["error_message"]) == message  # formula-safe cells read back exactly
        assert read_csv_text(row["username"]) == (username or "")


@SETTINGS
@given(text=st.text(max_size=50))
def test_any_search_text_is_safe_and_consistent_with_count(text: str) -> None:
    with fresh_store() as store:
        for words in ("alpha beta", 'quote " and star *', "Ünïcode 東京都 🎉"):
            store.complete(
                store.begin(AttemptStart(SEND_OPERATION, INFO, "u", "email", {"w": words})),
                AttemptCompletion(Outcome.SUCCESS),
            )
        found = store.page(HistoryFilter(text=text))
        assert len(found) == store.count(HistoryFilter(text=text))
        assert {r.id for r in found} <= {1, 2, 3}


@SETTINGS
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=600), min_size=1, max_size=40),
    bounds=st.tuples(st.none() | st.integers(-10, 610), st.none() | st.integers(-10, 610)),
    limit=st.integers(min_value=1, max_value=7),
    bulk=st.booleans(),
)
def test_time_ranges_match_exactly_even_when_clocks_go_backwards(
    offsets: list[int], bounds: tuple[int | None, int | None], limit: int, bulk: bool
) -> None:
    times = [T0 + timedelta(minutes=offset) for offset in offsets]  # any order: clocks get set back
    since = None if bounds[0] is None else T0 + timedelta(minutes=bounds[0])
    until = None if bounds[1] is None else T0 + timedelta(minutes=bounds[1])
    with fresh_store() as store:
        starts = [AttemptStart(SEND_OPERATION, INFO, "u", "email", {}, started_at=t) for t in times]
        if bulk:
            store.bulk_insert_for_benchmark((s, AttemptCompletion(Outcome.SUCCESS)) for s in starts)
        else:
            for begun in starts:
                store.begin(begun)
        expected = [
            index + 1 for index, t in enumerate(times)
            if (since is None or t >= since) and (until is None or t <= until)
        ][::-1]
        filt = HistoryFilter(since=since, until=until)
        paged: list[int] = []
        page = store.page(filt, limit=limit)
        while page:
            paged += [r.id for r in page]
            page = store.page(filt, limit=limit, before_id=page[-1].id)
        assert paged == expected
        assert store.count(filt) == len(expected)


_B64 = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=60)


@SETTINGS
@given(
    before=st.text(max_size=20), after=st.text(max_size=20),
    segments=st.lists(_B64, min_size=3, max_size=5), field=st.sampled_from(["metadata", "message", "log", "user"]),
)
def test_a_jwt_anywhere_in_any_text_field_is_never_stored(
    before: str, after: str, segments: list[str], field: str
) -> None:
    token = "eyJ" + ".".join(segments)
    text = before + token + after
    with fresh_store() as store:
        row_id = store.begin(AttemptStart(
            SEND_OPERATION, INFO, text if field == "user" else "u", "email",
            {"k": text} if field == "metadata" else {},
        ))
        record = store.complete(row_id, AttemptCompletion(
            Outcome.ERROR, error_message=text if field == "message" else None,
            trigger_log=text if field == "log" else None,
        ))
        dumped = json.dumps(record.to_dict(), ensure_ascii=False)
        assert token not in dumped
        assert TOKEN_PLACEHOLDER in dumped
        raw = store.path.read_bytes() + Path(f"{store.path}-wal").read_bytes()
        assert token.encode() not in raw


def test_a_version_1_file_gets_time_keys_and_its_clock_lag_when_migrated() -> None:
    times = ["10:00", "10:05", "09:58", "10:10", "10:01"]  # the clock went back twice
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v1.sqlite3"
        conn = sqlite3.connect(path, isolation_level=None)
        schema.migrate(conn, schema.MIGRATIONS[:1])
        for hhmm in times:
            conn.execute(
                "INSERT INTO attempts (started_at, operation, region, client_id, attribute_name, outcome)"
                " VALUES (?, 'GetUserAttributeVerificationCode', 'r', 'c', 'email', 'success')",
                (f"2025-01-01T{hhmm}:00.000000Z",),
            )
        conn.close()
        with HistoryStore(path) as store:
            check = sqlite3.connect(path)
            keys = [row[0][11:16] for row in check.execute("SELECT time_key FROM attempts ORDER BY id")]
            lag = check.execute("SELECT value FROM meta WHERE key = 'max_lag_s'").fetchone()[0]
            version = check.execute("PRAGMA user_version").fetchone()[0]
            check.close()
            assert version == SCHEMA_VERSION
            assert keys == ["10:00", "10:05", "10:05", "10:10", "10:10"]
            assert 540 <= lag <= 542  # row 5 lags 9 minutes behind row 4, plus 1 s slack
            at = lambda hhmm: datetime.fromisoformat(f"2025-01-01T{hhmm}:00+00:00")  # noqa: E731
            window = HistoryFilter(since=at("09:59"), until=at("10:02"))
            assert [r.id for r in store.page(window)] == [5, 1]
            assert [r.id for r in store.page(HistoryFilter(until=at("09:58")))] == [3]
            store.begin(AttemptStart(SEND_OPERATION, INFO, "u", "email", {}, started_at=at("09:00")))
            assert [r.id for r in store.page(HistoryFilter(until=at("09:58")))] == [6, 3]
