"""`make bench`: measure every figure against its same-run baseline and print the table.

Benchmarks report; they never fail CI. `--write` records the table in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Figure, render_table

RESULTS = Path(__file__).with_name("RESULTS.md")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", choices=["history", "cli", "gui"], action="append")
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    selected = set(args.only or ["history", "cli", "gui"])
    figures: list[Figure] = []
    sections: list[str] = []

    if "cli" in selected:
        from bench import cli_bench

        cli_figures, cli_lines = cli_bench.run(repeat=3 if args.quick else 9)
        figures += cli_figures
        sections += ["### Sends per process: cost per send must stay flat", "", *cli_lines, ""]
    if "gui" in selected:
        from bench import gui_bench

        gui_figures, gui_lines = gui_bench.run(quick=args.quick)
        figures += gui_figures
        sections += ["### Window", "", *gui_lines, ""]
    if "history" in selected:
        from bench import history_bench

        sizes = (1_000, 10_000, 100_000) if args.quick else (1_000, 10_000, 100_000, 1_000_000)
        history_figures, growth = history_bench.run(sizes)
        figures += history_figures
        sections += ["### History growth: open and filter must stay flat", "", *growth, ""]

    table = render_table(figures)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"Measured {stamp} on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
              f"Python {platform.python_version()}) with `make bench`.")
    text = "\n".join([header, "", table, "", *sections])
    print(text)
    if args.write:
        RESULTS.write_text("# Benchmark results\n\n" + text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
