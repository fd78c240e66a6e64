"""Window figures, each from its own child process driving the real MainWindow (bench.gui_child)
against the sandbox process: send overhead, RSS after sends, per-send growth, main-thread stalls."""

from __future__ import annotations

from typing import Any

from bench.child import gui_child
from bench.history_bench import history_file
from bench.report import Figure

STALL_HISTORY_ROWS = 100_000


def run(info: dict[str, Any], *, quick: bool, bare_rss_mb: float) -> tuple[list[Figure], list[str]]:
    figures: list[Figure] = []
    lines: list[str] = []

    overhead = gui_child("send_overhead", {"info": info, "repeat": 5 if quick else 40})
    figures.append(Figure(
        "one send in the window: click → result painted (median, in-process)", overhead["ui_median"], "ms", 5,
        kind="delta", baseline=overhead["bare_median"], baseline_name="bare boto3 call, existing client"))
    lines.append(f"- send overhead: {len(overhead['ui_ms'])} alternating pairs; window min "
                 f"{min(overhead['ui_ms']):.1f} / median {overhead['ui_median']:.1f} ms, bare boto3 min "
                 f"{min(overhead['bare_ms']):.1f} / median {overhead['bare_median']:.1f} ms.")

    batches = [1, 3] if quick else [1, 10, 100]
    rss_after = sum(batches) if quick else 100
    sends = gui_child("sends", {"info": info, "batches": batches, "rss_after": rss_after})
    figures.append(Figure(
        f"RSS after sign-in + {rss_after} sends (window)", sends["rss_after_sends"], "MB", 60, kind="delta",
        baseline=bare_rss_mb, baseline_name="bare QMainWindow at first paint"))
    lines += [
        f"- RSS of the window child: {sends['rss_start']:.0f} MB before the window, {sends['rss_window']:.0f} MB "
        f"with the window open, {sends['rss_signed_in']:.0f} MB signed in, {sends['rss_after_sends']:.0f} MB "
        f"after {rss_after} sends.",
        "",
        "| sends in a row in the window | ms per send (click → result painted, mean) |",
        "|---|---|",
        *[f"| {batch} | {ms:.1f} |" for batch, ms in sends["per_send_ms"].items()],
        "",
    ]

    rows = 1_000 if quick else STALL_HISTORY_ROWS
    stalls = gui_child("stalls", {"info": info, "sends": 3 if quick else 10, "rows": rows,
                                  "history_path": str(history_file(rows))})
    phases: dict[str, float] = stalls["phases"]
    figures.append(Figure(
        f"longest main-thread stall: sign-in, sends, history {rows // 1000:,}k load/filter/search/scroll",
        max(phases.values()), "ms", 50, kind="absolute", baseline=stalls["idle_ms"],
        baseline_name="idle, same heartbeat"))
    lines += [
        f"| phase (5 ms heartbeat; history of {rows:,} rows) | longest gap between beats, ms |", "|---|---|",
        f"| idle window (baseline: machine noise) | {stalls['idle_ms']:.1f} |",
        *[f"| {name} | {ms:.1f} |" for name, ms in phases.items()],
    ]
    return figures, lines
