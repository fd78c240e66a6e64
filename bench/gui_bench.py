"""Window figures, each from its own child process driving the real MainWindow (bench.gui_child)
against the sandbox process: send overhead, RSS after sends, per-send growth, main-thread stalls; and
the ClientMetadata grid in its own child (bench.grid_child): paste, edits, scroll, a refused import."""

from __future__ import annotations

from typing import Any

from bench.child import gui_child
from bench.history_bench import history_file
from bench.report import Figure

STALL_HISTORY_ROWS = 100_000
GRID_ROWS = 10_000


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
    grid_figures, grid_lines = grid(quick=quick)
    return figures + grid_figures, lines + grid_lines


def grid(*, quick: bool) -> tuple[list[Figure], list[str]]:
    """The metadata grid's figures; absolute budgets, the 10-row paste shown for context."""
    rows = 1_000 if quick else GRID_ROWS
    result = gui_child("grid", {"rows": rows}, module="bench.grid_child")
    label = f"{rows // 1000:,}k"
    figures = [
        Figure(f"metadata grid: Ctrl+V of {label} rows, previewed and repainted", result["paste_ms"], "ms", 600,
               kind="absolute", baseline=result["small_paste_ms"], baseline_name="Ctrl+V of 10 rows"),
        Figure(f"metadata grid: one edit far down {label} rows, scrolled to and repainted (slowest of "
               f"{len(result['edit_ms'])})", max(result["edit_ms"]), "ms", 50, kind="absolute"),
        Figure(f"metadata grid: scroll to the bottom of {label} rows, repainted", result["scroll_ms"], "ms", 50,
               kind="absolute"),
        Figure("metadata import of a file 3× the size limit refused, repainted", result["refuse_ms"], "ms",
               500, kind="absolute"),
    ]
    lines = ["", f"- metadata grid edits at {rows:,} rows, ms: "
             + ", ".join(f"{ms:.1f}" for ms in result["edit_ms"]) + "."]
    return figures, lines
