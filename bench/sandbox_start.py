"""Sandbox start in a fresh process: `Sandbox().start()` (moto's backend, the pool, the user, the HTTP
server) after its imports, against the same process importing moto and binding a bare HTTP server.

`python -m bench.sandbox_start` prints one JSON object as its last stdout line.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from bench.child import clean_env
from bench.report import Figure

BUDGET_MS = 3000


def measure() -> dict[str, float]:
    """In this process: ms of a bare HTTP server bind and of `Sandbox().start()`, imports paid first."""
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    from app.sandbox import Sandbox

    started = time.perf_counter()
    bare = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    bare_ms = (time.perf_counter() - started) * 1000
    bare.server_close()
    started = time.perf_counter()
    pool = Sandbox().start()
    start_ms = (time.perf_counter() - started) * 1000
    pool.stop()
    return {"start_ms": start_ms, "bare_ms": bare_ms}


def run(*, repeat: int) -> tuple[list[Figure], list[str]]:
    """The sandbox start figure: median of `repeat` fresh processes."""
    starts, bares = [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-m", "bench.sandbox_start"], env=clean_env(), capture_output=True,
                             text=True, timeout=120, check=False)
        lines = out.stdout.strip().splitlines()
        if out.returncode != 0 or not lines:
            raise RuntimeError(f"bench.sandbox_start failed (exit {out.returncode}):\n{out.stderr[-3000:]}")
        result = json.loads(lines[-1])
        starts.append(result["start_ms"])
        bares.append(result["bare_ms"])
    median = statistics.median(starts)
    figure = Figure("sandbox start: `Sandbox().start()` in a fresh process, imports paid first (median)",
                    median, "ms", BUDGET_MS, kind="absolute", baseline=statistics.median(bares),
                    baseline_name="bare HTTPServer bind, same process")
    lines = [f"- sandbox start, {repeat} fresh processes: min {min(starts):.0f} / median {median:.0f} / "
             f"max {max(starts):.0f} ms."]
    return [figure], lines


if __name__ == "__main__":
    print(json.dumps(measure()), flush=True)
