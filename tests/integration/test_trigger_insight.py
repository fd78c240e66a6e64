"""The trigger's side of a request, without Qt: the log lines stored with the history record."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
from app.core.history.records import TOKEN_PLACEHOLDER
from app.core.models import SEND_OPERATION, ConnectionInfo, Outcome

INFO = ConnectionInfo("eu-west-1", "http://127.0.0.1:9999", "eu-west-1_Pool", "client123", "sandbox")
JWS = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_trigger_log_lines_attach_to_a_finished_record_replace_earlier_text_and_are_cleaned(
    tmp_path: Path,
) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        row_id = store.begin(AttemptStart(SEND_OPERATION, INFO, "alice", "email", {"campaign": "spring"}))
        store.complete(row_id, AttemptCompletion(Outcome.SUCCESS, http_status=200, latency_ms=5.0, attempts=1))

        first = store.set_trigger_log(row_id, "START RequestId: 1")
        assert first.trigger_log == "START RequestId: 1"
        record = store.set_trigger_log(row_id, f"START RequestId: 1\nprinted token {JWS}")

        assert record.outcome is Outcome.SUCCESS  # the completion is untouched
        assert record.trigger_log == f"START RequestId: 1\nprinted token {TOKEN_PLACEHOLDER}"
        stored = store.get(row_id)
        assert stored is not None and stored.trigger_log == record.trigger_log
        with pytest.raises(KeyError):
            store.set_trigger_log(row_id + 100, "x")
