"""History at scale: open, filter by error code, text search and scroll to the end, at 1k…1M rows.

Each size is measured in a child process so the RSS growth of one open is its own.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import Figure

ERROR_CODES = ("LimitExceededException", "CodeDeliveryFailureException", "NotAuthorizedException",
               "InvalidLambdaResponseException", "TooManyRequestsException")
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")


def build_history(path: Path, rows: int, *, seed: int = 7) -> None:
    """A history file of `rows` realistic attempts (one transaction)."""
    from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
    from app.core.models import SEND_OPERATION, CodeDeliveryDetails, ConnectionInfo, Outcome

    rng = random.Random(seed)
    info = ConnectionInfo("eu-west-1", None, "eu-west-1_Bench", "benchclient", "bench")
    start = datetime(2024, 1, 1, tzinfo=UTC)

    def records():  # type: ignore[no-untyped-def]
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


def _measure_child(path: str) -> dict[str, float]:
    """Run in a child: open, filter, search, scroll; timings in ms and RSS growth in MB."""
    import resource

    from app.core.history import HistoryFilter, HistoryStore

    def rss_mb() -> float:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    before = rss_mb()
    t0 = time.perf_counter()
    store = HistoryStore(Path(path))
    first_page = store.page(limit=200)
    t_open = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    store.page(HistoryFilter(error_code="LimitExceededException"), limit=200)
    t_filter = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    store.page(HistoryFilter(text="foxtrot"), limit=200)
    t_text = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    page = first_page
    pages = 0
    while page and pages < 10_000:
        page = store.page(limit=500, before_id=page[-1].id)
        pages += 1
    t_scroll = (time.perf_counter() - t0) * 1000
    growth = rss_mb() - before
    store.close()
    return {"open": t_open, "filter": t_filter, "text": t_text, "scroll": t_scroll, "rss_mb": growth}


def measure(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "bench.history_bench", str(path)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def run(sizes: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000)) -> tuple[list[Figure], list[str]]:
    figures: list[Figure] = []
    growth_lines = ["| rows | open ms | filter ms | text ms | scroll-to-end ms | RSS growth MB |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"history-{rows}.sqlite3"
            build_history(path, rows)
            result = measure(path)
            growth_lines.append(f"| {rows:,} | {result['open']:.1f} | {result['filter']:.1f} | {result['text']:.1f} "
                                f"| {result['scroll']:.0f} | {result['rss_mb']:.1f} |")
            if rows == 100_000:
                figures += [
                    Figure("history 100k: open (first page)", result["open"], "ms", 150, kind="absolute"),
                    Figure("history 100k: filter by error code", result["filter"], "ms", 50, kind="absolute"),
                    Figure("history 100k: text search", result["text"], "ms", 50, kind="absolute"),
                    Figure("history 100k: RSS growth (open+filter+scroll)", result["rss_mb"], "MB", 30, kind="absolute"),
                ]
    return figures, growth_lines


if __name__ == "__main__":
    print(json.dumps(_measure_child(sys.argv[1])))
