"""History at scale in the real HistoryView: open, filter by error code, text search and Ctrl+End at
1k…1M rows, each size in its own child process (so one size's RSS growth is its own).

History files are built once per schema version and size under build/bench-history/ (1M rows take
about two minutes to insert on this machine); `make clean` removes them.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.child import gui_child
from bench.report import Figure

ERROR_CODES = ("LimitExceededException", "CodeDeliveryFailureException", "NotAuthorizedException",
               "InvalidLambdaResponseException", "TooManyRequestsException")
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")
CACHE = Path(__file__).resolve().parent.parent / "build" / "bench-history"
FIGURE_SIZE = 100_000


def build_history(path: Path, rows: int, *, seed: int = 7) -> None:
    """A history file of `rows` realistic finished attempts (one transaction), 20 % errors."""
    from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
    from app.core.models import SEND_OPERATION, CodeDeliveryDetails, ConnectionInfo, Outcome

    rng = random.Random(seed)
    info = ConnectionInfo("eu-west-1", None, "eu-west-1_Bench", "benchclient", "bench")
    start = datetime(2024, 1, 1, tzinfo=UTC)

    def records() -> Iterator[tuple[AttemptStart, AttemptCompletion]]:
        for index in range(rows):
            metadata = {"campaign": rng.choice(WORDS), "run": str(index)}
            begun = AttemptStart(SEND_OPERATION, info, f"user{index % 500}", rng.choice(("email", "phone_number")),
                                 metadata, started_at=start + timedelta(seconds=index * 30))
            if rng.random() < 0.2:
                done = AttemptCompletion(Outcome.ERROR, error_code=rng.choice(ERROR_CODES),
                                         error_message=f"failure {rng.choice(WORDS)}", http_status=400,
                                         request_id=f"req-{index}", latency_ms=rng.uniform(20, 300), attempts=1)
            else:
                done = AttemptCompletion(Outcome.SUCCESS, delivery=CodeDeliveryDetails("email", "EMAIL", "u***@e***"),
                                         http_status=200, request_id=f"req-{index}",
                                         latency_ms=rng.uniform(20, 300), attempts=1)
            yield begun, done

    with HistoryStore(path) as store:
        store.bulk_insert_for_benchmark(records())


def history_file(rows: int) -> Path:
    """The cached history file of `rows` rows for the current schema, built when missing."""
    from app.core.history.schema import SCHEMA_VERSION

    path = CACHE / f"history-v{SCHEMA_VERSION}-{rows}.sqlite3"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        build_history(partial, rows)
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        partial.replace(path)
    return path


def run(sizes: tuple[int, ...]) -> tuple[list[Figure], list[str]]:
    """The 100k figures (or the largest size in a quick run) and the growth table over `sizes`."""
    figures: list[Figure] = []
    lines = ["| rows | open ms | filter by error code ms | text search ms | Ctrl+End ms | RSS growth MB |",
             "|---|---|---|---|---|---|"]
    warm = history_file(10)
    figure_size = FIGURE_SIZE if FIGURE_SIZE in sizes else max(sizes)
    for rows in sizes:
        result = gui_child("history", {"path": str(history_file(rows)), "warm_path": str(warm), "rows": rows})
        lines.append(f"| {rows:,} | {result['open_ms']:.1f} | {result['filter_ms']:.1f} | {result['search_ms']:.1f} "
                     f"| {result['end_ms']:.1f} | {result['rss_growth_mb']:.1f} |")
        if rows == figure_size:
            label = f"history {rows // 1000:,}k rows (HistoryView)"
            figures += [
                Figure(f"{label}: open", result["open_ms"], "ms", 150, kind="absolute"),
                Figure(f"{label}: filter by error code", result["filter_ms"], "ms", 50, kind="absolute"),
                Figure(f"{label}: text search", result["search_ms"], "ms", 50, kind="absolute"),
                Figure(f"{label}: Ctrl+End (scroll to the oldest)", result["end_ms"], "ms", 50, kind="absolute"),
                Figure(f"{label}: RSS growth (open, filter, search, end)", result["rss_growth_mb"], "MB", 30,
                       kind="absolute"),
            ]
    return figures, lines
