"""The history store in one process: round trips, redaction, filters, search, paging, exports, files."""

from __future__ import annotations

import csv
import dataclasses
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.core.history import (
    SCHEMA_VERSION,
    TOKEN_PLACEHOLDER,
    AttemptCompletion,
    AttemptStart,
    HistoryFilter,
    HistoryStore,
    HistoryVersionError,
    records,
    schema,
)
from app.core.history import export as export_module
from app.core.models import SEND_OPERATION, VERIFY_OPERATION, CodeDeliveryDetails, ConnectionInfo, Outcome
from app.core.redaction import SecretRegistry

INFO = ConnectionInfo("eu-west-1", "http://127.0.0.1:9999", "eu-west-1_Pool", "client123", "staging")
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# Shaped like Cognito's: a JWS access token and a five-segment JWE refresh token.
JWS = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
JWE = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.a2V5LWtleQ.aXYtaXY.Y2lwaGVydGV4dA.dGFnLXRhZw"


def start(
    attribute: str = "email", metadata: dict[str, str] | None = None, *, username: str | None = "alice",
    at: datetime | None = None, operation: str = SEND_OPERATION, info: ConnectionInfo = INFO,
) -> AttemptStart:
    return AttemptStart(operation, info, username, attribute, metadata or {}, started_at=at)


def success(destination: str = "a***@e***") -> AttemptCompletion:
    return AttemptCompletion(
        Outcome.SUCCESS, delivery=CodeDeliveryDetails("email", "EMAIL", destination), http_status=200,
        request_id="7f1c2d3e-aaaa-bbbb-cccc-0123456789ab", latency_ms=123.5, attempts=1,
    )


def failure(code: str, message: str = "Attempt limit exceeded, please try after some time.") -> AttemptCompletion:
    return AttemptCompletion(
        Outcome.ERROR, error_code=code, error_message=message, http_status=400, request_id="req-err",
        latency_ms=80.0, attempts=1,
    )


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    with HistoryStore(tmp_path / "data" / "history.sqlite3") as opened:
        yield opened  # type: ignore[misc]


def add(store: HistoryStore, begun: AttemptStart, done: AttemptCompletion | None) -> int:
    row_id = store.begin(begun)
    if done is not None:
        store.complete(row_id, done)
    return row_id


# --- round trip -------------------------------------------------------------------------------


def test_begin_writes_a_pending_row_that_complete_fills_in(store: HistoryStore) -> None:
    before = datetime.now(UTC)
    row_id = store.begin(start(metadata={"source": "ui", "empty": ""}))
    pending = store.get(row_id)
    assert pending is not None
    assert pending.outcome is Outcome.PENDING
    assert pending.finished_at is None
    assert pending.started_at.tzinfo is not None and pending.started_at >= before - timedelta(seconds=1)
    assert (pending.region, pending.endpoint_url, pending.user_pool_id, pending.client_id, pending.profile_name) == (
        "eu-west-1", "http://127.0.0.1:9999", "eu-west-1_Pool", "client123", "staging")
    assert pending.client_metadata == {"source": "ui", "empty": ""}

    done = AttemptCompletion(
        Outcome.SUCCESS, delivery=CodeDeliveryDetails("email", "EMAIL", "a***@e***"), http_status=200,
        request_id="rid-1", latency_ms=42.25, attempts=2, cancelled=True, trigger_log="START RequestId: x\nEND",
    )
    record = store.complete(row_id, done)
    assert record == store.get(row_id)
    assert record.outcome is Outcome.SUCCESS
    assert record.delivery == CodeDeliveryDetails("email", "EMAIL", "a***@e***")
    assert (record.http_status, record.request_id, record.latency_ms, record.attempts) == (200, "rid-1", 42.25, 2)
    assert record.cancelled is True
    assert record.trigger_log == "START RequestId: x\nEND"
    assert record.finished_at is not None and record.finished_at >= record.started_at
    assert record.error_code is None and record.error_message is None


def test_a_begun_row_is_committed_before_begin_returns(store: HistoryStore) -> None:
    row_id = store.begin(start())
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("SELECT outcome FROM attempts WHERE id = ?", (row_id,)).fetchone() == ("pending",)
    finally:
        other.close()


def test_an_error_completion_keeps_code_message_status_and_request_id(store: HistoryStore) -> None:
    record = store.complete(store.begin(start()), failure("LimitExceededException"))
    assert record.outcome is Outcome.ERROR
    assert record.error_code == "LimitExceededException"
    assert record.error_message == "Attempt limit exceeded, please try after some time."
    assert (record.http_status, record.request_id, record.delivery) == (400, "req-err", None)


def test_complete_refuses_unknown_rows_a_second_completion_and_non_final_outcomes(store: HistoryStore) -> None:
    row_id = store.begin(start())
    with pytest.raises(ValueError, match="success or error"):
        store.complete(row_id, AttemptCompletion(Outcome.PENDING))
    store.complete(row_id, success())
    with pytest.raises(ValueError, match="already complete"):
        store.complete(row_id, failure("X"))
    with pytest.raises(KeyError):
        store.complete(row_id + 100, success())
    assert store.get(row_id + 100) is None


def test_a_late_result_still_completes_a_row_another_process_marked_interrupted(store: HistoryStore) -> None:
    row_id = store.begin(start())
    conn = sqlite3.connect(store.path)
    conn.execute("UPDATE attempts SET outcome = 'interrupted' WHERE id = ?", (row_id,))
    conn.commit()
    conn.close()
    assert store.complete(row_id, success()).outcome is Outcome.SUCCESS


def test_started_at_is_stored_in_utc_whatever_zone_it_came_in(store: HistoryStore) -> None:
    paris = timezone(timedelta(hours=2))
    aware = store.get(store.begin(start(at=datetime(2025, 6, 1, 14, 0, tzinfo=paris))))
    naive = store.get(store.begin(start(at=datetime(2025, 6, 1, 12, 0))))
    assert aware is not None and naive is not None
    assert aware.started_at == naive.started_at == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert aware.to_dict()["started_at"] == "2025-06-01T12:00:00.000000Z"


def test_to_dict_is_json_safe_and_metadata_summary_is_short(store: HistoryStore) -> None:
    metadata = {f"key{i}": "v" * 10 for i in range(10)}
    record = store.complete(store.begin(start(metadata=metadata)), success())
    data = json.loads(json.dumps(record.to_dict()))
    assert data["outcome"] == "success"
    assert data["client_metadata"] == metadata
    assert data["delivery"] == {"attribute_name": "email", "delivery_medium": "EMAIL", "destination": "a***@e***"}
    assert data["started_at"].endswith("Z")
    assert record.metadata_summary.startswith("key0=vvvvvvvvvv, key1=")
    assert record.metadata_summary.endswith("…")
    assert len(record.metadata_summary) <= 80


def test_store_is_usable_from_several_threads_at_once(store: HistoryStore) -> None:
    def work(worker: int) -> list[int]:
        ids = []
        for index in range(50):
            row_id = store.begin(start(metadata={"worker": str(worker), "i": str(index)}))
            store.complete(row_id, success())
            store.page(limit=10)
            ids.append(row_id)
        return ids

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [future.result() for future in [pool.submit(work, n) for n in range(4)]]
    all_ids = [row_id for ids in results for row_id in ids]
    assert len(set(all_ids)) == 200
    assert store.count(HistoryFilter(outcome=Outcome.SUCCESS)) == 200
    assert threading.active_count() >= 1


# --- never a token --------------------------------------------------------------------------


def _files_text(store: HistoryStore) -> bytes:
    parts = [store.path, Path(f"{store.path}-wal")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


def test_jwt_shaped_strings_are_redacted_from_every_text_field_and_never_reach_disk(
    store: HistoryStore, tmp_path: Path
) -> None:
    sneaky = ConnectionInfo("eu-west-1", f"http://h/?t={JWS}", "pool", "client", f"profile {JWE}")
    row_id = store.begin(AttemptStart(
        SEND_OPERATION, sneaky, f"user {JWS}", "email",
        {"token": JWS, f"key{JWS}": "v", "refresh": f"Bearer {JWE}!", "plain": "keep me"},
    ))
    record = store.complete(row_id, AttemptCompletion(
        Outcome.ERROR, delivery=CodeDeliveryDetails("email", "EMAIL", JWS), error_code=f"E{JWS}",
        error_message=f"Invalid token {JWS} and {JWE}", request_id=JWS, trigger_log=f"event: {JWS}\n",
    ))
    dumped = json.dumps(record.to_dict())
    assert "eyJ" not in dumped
    assert record.client_metadata["token"] == TOKEN_PLACEHOLDER
    assert record.client_metadata["refresh"] == f"Bearer {TOKEN_PLACEHOLDER}!"
    assert record.client_metadata["plain"] == "keep me"
    assert record.error_message == f"Invalid token {TOKEN_PLACEHOLDER} and {TOKEN_PLACEHOLDER}"
    assert record.username == f"user {TOKEN_PLACEHOLDER}"
    store.export(tmp_path / "out.csv")
    store.export(tmp_path / "out.json")
    for blob in (_files_text(store), (tmp_path / "out.csv").read_bytes(), (tmp_path / "out.json").read_bytes()):
        for secret in (JWS, JWE, JWS.split(".")[2], JWE.split(".")[3]):
            assert secret.encode() not in blob


def test_secrets_registered_for_redaction_are_not_stored_either(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = SecretRegistry()
    registry.add("hunter2-client-secret")
    monkeypatch.setattr(records, "SECRETS", registry)
    record = store.complete(
        store.begin(start(metadata={"pw": "hunter2-client-secret"})),
        failure("NotAuthorizedException", "bad secret hunter2-client-secret"),
    )
    assert "hunter2" not in json.dumps(record.to_dict())
    assert b"hunter2-client-secret" not in _files_text(store)


def test_the_schema_has_no_column_for_tokens_passwords_or_secrets(store: HistoryStore) -> None:
    conn = sqlite3.connect(store.path)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(attempts)")]
    finally:
        conn.close()
    assert "client_metadata" in columns
    assert not [name for name in columns if any(word in name for word in ("token", "password", "secret"))]


# --- filters and search -----------------------------------------------------------------------


@pytest.fixture
def varied(store: HistoryStore) -> HistoryStore:
    """Twelve attempts across outcomes, codes, attributes, times and texts."""
    rows: list[tuple[AttemptStart, AttemptCompletion | None]] = [
        (start("email", {"campaign": "spring"}, at=T0), success()),
        (start("email", {"campaign": "summer"}, at=T0 + timedelta(hours=1)), failure("LimitExceededException")),
        (start("phone_number", {"campaign": "spring"}, at=T0 + timedelta(hours=2)), failure("LimitExceededException")),
        (start("phone_number", at=T0 + timedelta(hours=3)), failure("CodeDeliveryFailureException", "SMS failed")),
        (start("email", {"note": "Zoë Ünïcode"}, username="zoë", at=T0 + timedelta(hours=4)), success("z***@b***")),
        (start("email", {"city": "東京都", "greet": "Привет мир"}, at=T0 + timedelta(hours=5)), success()),
        (start("email", {"mood": "🎉 party"}, username="bob@example.com", at=T0 + timedelta(hours=6)), success()),
        (start("email", at=T0 + timedelta(hours=7), operation=VERIFY_OPERATION), failure("CodeMismatchException")),
        (start("custom:x", at=T0 + timedelta(days=1)), failure("InvalidParameterException", "Invalid attribute name")),
        (start("email", at=T0 + timedelta(days=2)), None),
        (start("phone_number", at=T0 + timedelta(days=3)), success("+*******0100")),
        (start("email", {"campaign": "autumn"}, at=T0 + timedelta(days=4)), failure("LimitExceededException")),
    ]
    for begun, done in rows:
        add(store, begun, done)
    return store


def ids(store: HistoryStore, filt: HistoryFilter) -> list[int]:
    found = [record.id for record in store.page(filt, limit=1000)]
    assert store.count(filt) == len(found)
    return found


def test_the_cancelled_filter_keeps_cancelled_attempts_whatever_their_late_result(store: HistoryStore) -> None:
    cancelled_success = add(store, start(), dataclasses.replace(success(), cancelled=True))
    cancelled_error = add(store, start(), dataclasses.replace(failure("LimitExceededException"), cancelled=True))
    add(store, start(), success())
    add(store, start(), failure("LimitExceededException"))
    assert ids(store, HistoryFilter(cancelled=True)) == [cancelled_error, cancelled_success]
    assert ids(store, HistoryFilter(cancelled=True, outcome=Outcome.ERROR)) == [cancelled_error]
    assert len(ids(store, HistoryFilter(cancelled=False))) == 2


def test_a_count_with_at_most_stops_there_for_every_kind_of_filter(varied: HistoryStore) -> None:
    for filt in (HistoryFilter(), HistoryFilter(outcome=Outcome.SUCCESS), HistoryFilter(text="spring")):
        full = varied.count(filt)
        assert varied.count(filt, at_most=full + 5) == full
        assert varied.count(filt, at_most=1) == 1
        assert varied.count(filt, at_most=0) == 0


def test_each_filter_alone_selects_what_it_names(varied: HistoryStore) -> None:
    assert ids(varied, HistoryFilter()) == list(range(12, 0, -1))
    assert ids(varied, HistoryFilter(outcome=Outcome.SUCCESS)) == [11, 7, 6, 5, 1]
    assert ids(varied, HistoryFilter(outcome=Outcome.PENDING)) == [10]
    assert ids(varied, HistoryFilter(error_code="LimitExceededException")) == [12, 3, 2]
    assert ids(varied, HistoryFilter(attribute_name="phone_number")) == [11, 4, 3]
    assert ids(varied, HistoryFilter(since=T0 + timedelta(days=2))) == [12, 11, 10]
    assert ids(varied, HistoryFilter(until=T0 + timedelta(hours=1))) == [2, 1]
    assert ids(varied, HistoryFilter(text="spring")) == [3, 1]


def test_filters_combine_with_and(varied: HistoryStore) -> None:
    assert ids(varied, HistoryFilter(outcome=Outcome.ERROR, attribute_name="email")) == [12, 8, 2]
    assert ids(varied, HistoryFilter(error_code="LimitExceededException", attribute_name="phone_number")) == [3]
    assert ids(varied, HistoryFilter(error_code="LimitExceededException", text="spring")) == [3]
    assert ids(varied, HistoryFilter(
        outcome=Outcome.ERROR, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3), text="limit",
    )) == [3, 2]
    assert ids(varied, HistoryFilter(error_code="LimitExceededException", attribute_name="custom:x")) == []


def test_time_bounds_are_inclusive_and_accept_other_zones(varied: HistoryStore) -> None:
    plus_two = timezone(timedelta(hours=2))
    at_hour_two = (T0 + timedelta(hours=2)).astimezone(plus_two)
    assert ids(varied, HistoryFilter(since=at_hour_two, until=at_hour_two)) == [3]


def test_text_search_matches_substrings_across_fields(varied: HistoryStore) -> None:
    assert ids(varied, HistoryFilter(text="LimitExceeded")) == [12, 3, 2]  # error code prefix
    assert ids(varied, HistoryFilter(text="mitExceededExc")) == [12, 3, 2]  # inside a word
    assert ids(varied, HistoryFilter(text="DeliveryFailure")) == [4]
    assert ids(varied, HistoryFilter(text="sms failed")) == [4]  # error message, every word
    assert ids(varied, HistoryFilter(text="7f1c2d3e-aaaa")) == [11, 7, 6, 5, 1]  # request id
    assert ids(varied, HistoryFilter(text="0100")) == [11]  # destination
    assert ids(varied, HistoryFilter(text="bob@example.com")) == [7]  # username
    assert ids(varied, HistoryFilter(text="ample.c")) == [7]
    assert ids(varied, HistoryFilter(text="custom:x")) == [9]  # attribute
    assert ids(varied, HistoryFilter(text="campaign aut")) == [12]  # metadata key and value
    assert ids(varied, HistoryFilter(text="SPRING")) == [3, 1]  # case-insensitive
    assert ids(varied, HistoryFilter(text="prin")) == [3, 1]
    assert ids(varied, HistoryFilter(text="pr")) == [3, 1]  # shorter than a trigram: LIKE, still a substring


def test_text_search_handles_unicode_scripts_and_symbols(varied: HistoryStore) -> None:
    assert ids(varied, HistoryFilter(text="zoë")) == [5]
    assert ids(varied, HistoryFilter(text="ÜNÏCODE")) == [5]  # case folded beyond ASCII
    assert ids(varied, HistoryFilter(text="привет")) == [6]  # Cyrillic case folding
    assert ids(varied, HistoryFilter(text="東京")) == [6]  # CJK, two characters
    assert ids(varied, HistoryFilter(text="京都")) == [6]
    assert ids(varied, HistoryFilter(text="🎉")) == [7]
    assert ids(varied, HistoryFilter(text="z***@b***")) == [5]  # masked destination


def test_a_file_with_the_word_index_is_reindexed_for_substrings_on_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "h.sqlite3"
    with monkeypatch.context() as older:
        older.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:4])
        with HistoryStore(path) as v4:
            add(v4, start(), failure("UserLambdaValidationException", "PreSignUp failed"))
    conn = sqlite3.connect(path)  # what a v4 file holds: a word index with the same triggers
    cols = ", ".join(schema.FTS_COLUMNS)
    conn.execute("DROP TABLE attempts_fts")
    conn.execute(
        f"CREATE VIRTUAL TABLE attempts_fts USING fts5({cols}, content='attempts', content_rowid='id',"
        " tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    conn.execute("INSERT INTO attempts_fts(attempts_fts) VALUES ('rebuild')")
    conn.commit()
    assert conn.execute("SELECT count(*) FROM attempts_fts WHERE attempts_fts MATCH '\"Validation\"'").fetchone() == (0,)
    conn.close()
    assert _user_version(path) == 4
    with HistoryStore(path) as upgraded:
        assert upgraded.fts
        assert ids(upgraded, HistoryFilter(text="Validation")) == [1]
        add(upgraded, start(), failure("UserLambdaValidationException"))
        assert ids(upgraded, HistoryFilter(text="lambdavalid")) == [2, 1]
    assert _user_version(path) == SCHEMA_VERSION


@pytest.mark.parametrize("text", ['"', "AND", "OR NOT", "(", "*", "NEAR(a b)", "col:val", "a' OR 1=1 --", "%", "_", "\\"])
def test_text_search_treats_query_syntax_as_plain_text(store: HistoryStore, text: str) -> None:
    # Unfinished attempts whose only text is the user name: nothing else for the words to hit.
    holder = add(store, start(username=f"zz {text} zz"), None)
    add(store, start(username="zz zz"), None)
    # Found in the one record that holds it literally, and only there: not an FTS5 or LIKE operator
    # (an unquoted `"` or `(` fails the query, an unescaped % or _ matches every record).
    assert ids(store, HistoryFilter(text=text)) == [holder]
    assert ids(store, HistoryFilter(text=f"zz {text}")) == [holder]


def test_percent_and_underscore_are_literal_in_the_like_fallback(varied: HistoryStore) -> None:
    assert ids(varied, HistoryFilter(text="%")) == []
    assert ids(varied, HistoryFilter(text="custom:x _")) == []


def test_error_codes_and_attribute_names_list_distinct_values_sorted(varied: HistoryStore) -> None:
    assert varied.error_codes() == [
        "CodeDeliveryFailureException", "CodeMismatchException", "InvalidParameterException", "LimitExceededException",
    ]
    assert varied.attribute_names() == ["custom:x", "email", "phone_number"]


def test_text_search_falls_back_to_like_without_fts5_and_reindexes_when_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as first:
        assert first.fts
        add(first, start(metadata={"word": "indexed"}), success())
    monkeypatch.setattr(schema, "fts5_available", lambda: False)
    with HistoryStore(path) as without:
        assert not without.fts
        add(without, start(metadata={"word": "unindexed"}), failure("LimitExceededException"))
        assert [r.id for r in without.page(HistoryFilter(text="indexed"))] == [2, 1]  # substring LIKE
        assert [r.id for r in without.page(HistoryFilter(text="unindexed"))] == [2]
    monkeypatch.undo()
    with HistoryStore(path) as again:
        assert again.fts
        assert [r.id for r in again.page(HistoryFilter(text="unindexed"))] == [2]
        assert [r.id for r in again.page(HistoryFilter(text="indexed"))] == [2, 1]
        assert again.check_integrity() == []
    conn = sqlite3.connect(path)  # the row written without the index is in the rebuilt index
    try:
        found = conn.execute("SELECT rowid FROM attempts_fts WHERE attempts_fts MATCH '\"unindexed\"'").fetchall()
    finally:
        conn.close()
    assert found == [(2,)]


def test_a_store_created_without_fts5_gets_the_index_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite3"
    monkeypatch.setattr(schema, "fts5_available", lambda: False)
    with HistoryStore(path) as plain:
        add(plain, start(metadata={"k": "alpha"}), success())
        assert [r.id for r in plain.page(HistoryFilter(text="lph"))] == [1]
    monkeypatch.undo()
    with HistoryStore(path) as indexed:
        assert indexed.fts
        assert [r.id for r in indexed.page(HistoryFilter(text="alp"))] == [1]


# --- paging -----------------------------------------------------------------------------------


def test_keyset_paging_is_stable_when_rows_are_added_between_pages(store: HistoryStore) -> None:
    for index in range(50):
        add(store, start(metadata={"i": str(index)}), success() if index % 2 else failure("LimitExceededException"))
    seen: list[int] = []
    page = store.page(limit=20)
    while page:
        seen += [record.id for record in page]
        for _ in range(3):  # new attempts arrive while the user scrolls
            add(store, start(), success())
        page = store.page(limit=20, before_id=page[-1].id)
    assert seen == list(range(50, 0, -1))
    assert store.page(limit=1)[0].id > 50

    filtered: list[int] = []
    filt = HistoryFilter(error_code="LimitExceededException")
    page = store.page(filt, limit=7)
    while page:
        filtered += [record.id for record in page]
        add(store, start(), failure("LimitExceededException"))
        page = store.page(filt, limit=7, before_id=page[-1].id)
    assert filtered[:25] == list(range(49, 0, -2))


def test_oldest_first_pages_forward_from_the_end_of_the_list(varied: HistoryStore) -> None:
    filt = HistoryFilter(outcome=Outcome.ERROR)
    forward: list[int] = []
    page = varied.page(filt, limit=2, oldest_first=True)
    while page:
        forward += [record.id for record in page]
        page = varied.page(filt, limit=2, oldest_first=True, after_id=page[-1].id)
    assert forward == [2, 3, 4, 8, 9, 12]
    assert [r.id for r in varied.page(HistoryFilter(text="spring"), oldest_first=True)] == [1, 3]
    assert [r.id for r in varied.page(limit=3, before_id=9, after_id=4)] == [8, 7, 6]


def test_text_search_pages_newest_first_too(store: HistoryStore) -> None:
    for index in range(30):
        add(store, start(metadata={"campaign": "spring" if index % 3 == 0 else "other"}), success())
    first = store.page(HistoryFilter(text="spring"), limit=4)
    second = store.page(HistoryFilter(text="spring"), limit=4, before_id=first[-1].id)
    assert [r.id for r in first + second] == [28, 25, 22, 19, 16, 13, 10, 7]
    assert store.page(limit=0) == []


# --- exports ----------------------------------------------------------------------------------


def test_csv_export_has_a_header_utc_times_and_metadata_as_json(varied: HistoryStore, tmp_path: Path) -> None:
    target = tmp_path / "history.csv"
    assert varied.export(target) == 12
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(export_module.CSV_COLUMNS)
    assert [int(row["id"]) for row in rows] == list(range(12, 0, -1))
    zoe = next(row for row in rows if row["id"] == "5")
    assert json.loads(zoe["client_metadata"]) == {"note": "Zoë Ünïcode"}
    assert zoe["started_at"] == "2025-03-01T16:00:00.000000Z"
    assert zoe["delivery_destination"] == "z***@b***"
    assert zoe["outcome"] == "success"
    pending = next(row for row in rows if row["id"] == "10")
    assert (pending["outcome"], pending["finished_at"], pending["error_code"]) == ("pending", "", "")


def test_csv_export_rounds_latency_to_a_tenth_of_a_millisecond(store: HistoryStore, tmp_path: Path) -> None:
    store.complete(store.begin(start()), dataclasses.replace(success(), latency_ms=66.1492460003501))
    store.export(tmp_path / "h.csv")
    with (tmp_path / "h.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["latency_ms"] == "66.1"


def test_a_platform_log_line_names_its_kind_once() -> None:
    from app.core.trigger_logs import LogKind, LogLine

    moment = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    platform = LogLine(moment, "START RequestId: abc Version: $LATEST", LogKind.START)
    assert "START  START" not in platform.to_text() and platform.to_text().count("START") == 1
    printed = LogLine(moment, "hello", LogKind.OUTPUT)
    assert printed.to_text().endswith("OUTPUT hello")


def test_json_export_is_an_array_of_to_dict_and_respects_the_filter(varied: HistoryStore, tmp_path: Path) -> None:
    filt = HistoryFilter(error_code="LimitExceededException")
    target = tmp_path / "limits.JSON"
    assert varied.export(target, filt) == 3
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data == [record.to_dict() for record in varied.page(filt)]
    assert varied.export(tmp_path / "none.json", HistoryFilter(text="nomatchatall")) == 0
    assert json.loads((tmp_path / "none.json").read_text(encoding="utf-8")) == []
    assert varied.export(tmp_path / "explicit.txt", fmt="csv") == 12


def test_export_refuses_an_unknown_format_without_writing(varied: HistoryStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.csv or \.json"):
        varied.export(tmp_path / "history.xlsx")
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]


def test_a_failed_export_leaves_the_old_file_and_no_temporary(
    varied: HistoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "history.csv"
    target.write_text("previous export\n", encoding="utf-8")

    def broken(record: object) -> list[object]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export_module, "csv_row", broken)
    with pytest.raises(RuntimeError):
        varied.export(target)
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "history.csv"]


# --- files: migrations, corruption, locks -------------------------------------------------------


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_version_0_database_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE unrelated (x)")  # an SQLite file from before history had a schema
    conn.commit()
    conn.close()
    assert _user_version(path) == 0
    with HistoryStore(path) as history:
        assert history.recovered_from is None
        add(history, start(), success())
        assert history.count() == 1
    assert _user_version(path) == SCHEMA_VERSION


def test_an_older_schema_is_migrated_in_order_keeping_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as v1:
        add(v1, start(metadata={"keep": "me"}), success())
    assert _user_version(path) == SCHEMA_VERSION
    step = ("ALTER TABLE attempts ADD COLUMN note TEXT", "UPDATE attempts SET note = 'migrated'")
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, step))
    with HistoryStore(path) as upgraded:
        record = upgraded.get(1)
        assert record is not None and record.client_metadata == {"keep": "me"}
        add(upgraded, start(), success())
    assert _user_version(path) == SCHEMA_VERSION + 1
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT note FROM attempts ORDER BY id").fetchall() == [("migrated",), (None,)]
    finally:
        conn.close()


def test_a_failing_migration_rolls_back_and_leaves_the_file_where_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as v1:
        add(v1, start(), success())
    broken = ("ALTER TABLE attempts ADD COLUMN half TEXT", "UPDATE no_such_table SET x = 1")
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        HistoryStore(path)
    assert _user_version(path) == SCHEMA_VERSION
    assert not list(tmp_path.glob("*.corrupt-*"))
    monkeypatch.undo()
    with HistoryStore(path) as again:
        assert again.count() == 1
        conn = sqlite3.connect(path)
        try:
            assert "half" not in [row[1] for row in conn.execute("PRAGMA table_info(attempts)")]
        finally:
            conn.close()


def test_a_file_from_a_newer_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(HistoryVersionError, match="newer"):
        HistoryStore(path)
    assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))


def test_a_file_that_is_not_a_database_is_moved_aside_and_a_fresh_one_created(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_text("these are my notes, not a database\n" * 10, encoding="utf-8")
    with HistoryStore(path) as history:
        moved = history.recovered_from
        assert moved is not None
        assert moved.parent == tmp_path
        assert moved.name.startswith("history.sqlite3.corrupt-") and moved.name.endswith("Z")
        assert moved.read_text(encoding="utf-8").startswith("these are my notes")
        assert history.count() == 0
        add(history, start(), success())
    with HistoryStore(path) as reopened:
        assert reopened.recovered_from is None
        assert reopened.count() == 1


def test_a_database_with_damaged_pages_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as history:
        history.bulk_insert_for_benchmark(
            (start(metadata={"i": str(i), "pad": "x" * 200}), success()) for i in range(500)
        )
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = bytearray(path.read_bytes())
    page = 4096
    for offset in range(3 * page, len(raw) - page, 7 * page):  # scribble over interior pages
        raw[offset : offset + 512] = b"\xa5" * 512
    path.write_bytes(bytes(raw))
    with HistoryStore(path) as history:
        assert history.recovered_from is not None
        assert history.recovered_from.read_bytes() == bytes(raw)
        assert history.count() == 0
        assert history.check_integrity() == []


def test_two_recoveries_in_the_same_second_get_distinct_names(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    moved = []
    for _ in range(2):
        path.write_bytes(b"garbage" * 100)
        with HistoryStore(path) as history:
            moved.append(history.recovered_from)
    assert moved[0] != moved[1]
    assert all(p is not None and p.exists() for p in moved)


def test_a_locked_database_raises_and_is_never_taken_for_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            HistoryStore(path, busy_timeout_s=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "h.sqlite3")
    history.close()
    history.close()
    with pytest.raises(Exception, match="closed"):
        history.begin(start())
