"""Process start → main window first paint, offscreen, against a bare PySide6 QMainWindow script.

Both report their first paint on the same clock (`time.time()`), through `app.ui.first_paint` for
the real window and `bench/bare_window.py` for the baseline; runs alternate so noise hits both.
The real window paints its frame first and builds its panels right after; the time until the built
window has painted (`verifydesk-window-built`) is reported beside the figure.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.ui.first_paint import BUILT_MARKER
from app.ui.first_paint import ENV as MEASURE_ENV
from app.ui.first_paint import MARKER as APP_MARKER
from bench.bare_window import MARKER as BARE_MARKER
from bench.child import clean_env
from bench.report import Figure

BARE_SCRIPT = Path(__file__).with_name("bare_window.py")


def _spawn_to_paint_ms(argv: list[str], env: dict[str, str], marker: str) -> tuple[float, list[str]]:
    """Milliseconds from spawning `argv` to the first paint it reports, and the rest of its line."""
    times, rest = _spawn_to_markers_ms(argv, env, [marker])
    return times[marker], rest


def _spawn_to_markers_ms(
    argv: list[str], env: dict[str, str], markers: list[str]
) -> tuple[dict[str, float], list[str]]:
    """Milliseconds from spawning `argv` to each marker line it prints, and the rest of the first's line."""
    started = time.time()
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    times: dict[str, float] = {}
    rest: list[str] = []
    for line in out.stdout.splitlines():
        fields = line.split()
        if fields and fields[0] in markers and fields[0] not in times:
            times[fields[0]] = (float(fields[1]) - started) * 1000
            if fields[0] == markers[0]:
                rest = fields[2:]
    missing = [marker for marker in markers if marker not in times]
    if missing:
        raise RuntimeError(f"{argv} printed no {missing} line (exit {out.returncode}): {out.stderr[-2000:]}")
    return times, rest


def run(*, repeat: int = 9) -> tuple[list[Figure], list[str], float]:
    """The start-up figure, detail lines, and the bare window's RSS at first paint (MB)."""
    with tempfile.TemporaryDirectory() as home:
        env = {**clean_env(), "VERIFYDESK_HOME": home, MEASURE_ENV: "1"}
        ours_argv = [sys.executable, "-m", "app"]
        bare_argv = [sys.executable, str(BARE_SCRIPT)]
        # One unmeasured start each: the first start creates the config folders, warms the disk cache.
        _spawn_to_paint_ms(ours_argv, env, APP_MARKER)
        _spawn_to_paint_ms(bare_argv, env, BARE_MARKER)
        ours: list[float] = []
        built: list[float] = []
        bare: list[float] = []
        bare_rss: list[float] = []
        for _ in range(repeat):
            times, _rest = _spawn_to_markers_ms(ours_argv, env, [APP_MARKER, BUILT_MARKER])
            ours.append(times[APP_MARKER])
            built.append(times[BUILT_MARKER])
            ms, rest = _spawn_to_paint_ms(bare_argv, env, BARE_MARKER)
            bare.append(ms)
            bare_rss.append(float(rest[0]))
    ours_ms, bare_ms = statistics.median(ours), statistics.median(bare)
    figure = Figure("start → main window first paint (offscreen)", ours_ms, "ms", 1.5,
                    baseline=bare_ms, baseline_name="bare PySide6 QMainWindow script")
    lines = [
        f"- start → first paint, {repeat} alternating runs each: VerifyDesk min {min(ours):.0f} / median "
        f"{ours_ms:.0f} / max {max(ours):.0f} ms; bare QMainWindow min {min(bare):.0f} / median {bare_ms:.0f} "
        f"/ max {max(bare):.0f} ms.",
        f"- The first paint is the window's frame (restored size and theme, menu titles, status bar); "
        f"the panels are imported and built right after it. Start → built window painted: min "
        f"{min(built):.0f} / median {statistics.median(built):.0f} / max {max(built):.0f} ms "
        f"({statistics.median(built) / bare_ms:.2f}× the bare window's first paint).",
    ]
    return [figure], lines, statistics.median(bare_rss)


def bare_window_rss_mb() -> float:
    """RSS of the bare QMainWindow script at its first paint (when the start-up figure did not run)."""
    env = clean_env()
    return float(_spawn_to_paint_ms([sys.executable, str(BARE_SCRIPT)], env, BARE_MARKER)[1][0])
