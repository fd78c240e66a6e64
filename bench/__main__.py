"""`make bench`: every figure against its same-run baseline, printed as one table.

Benchmarks report; they never fail CI (the exit code is 0 with misses too, unless `--strict`).
`--quick` is a tiny run that only proves the bench still works (its numbers mean little);
`--write` records the table in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Figure, render_table

RESULTS = Path(__file__).with_name("RESULTS.md")
PARTS = ("startup", "cli", "gui", "history", "mail", "suites")


def _against_sandbox(selected: set[str], quick: bool, bare_rss: float | None) -> tuple[list[Figure], list[str]]:
    """The parts that talk to one sandbox process: CLI, window and suites."""
    figures: list[Figure] = []
    sections: list[str] = []
    from bench.sandbox_proc import sandbox_process

    with sandbox_process() as info:
        if "cli" in selected:
            from bench import cli_bench

            cli_figures, cli_lines = cli_bench.run(info, repeat=2 if quick else 11,
                                                   batches=(1, 3) if quick else (1, 10, 100))
            figures += cli_figures
            sections += ["### CLI", "", *cli_lines, ""]
        if "gui" in selected:
            from bench import gui_bench
            from bench.startup_bench import bare_window_rss_mb

            gui_figures, gui_lines = gui_bench.run(
                info, quick=quick, bare_rss_mb=bare_rss if bare_rss is not None else bare_window_rss_mb())
            figures += gui_figures
            sections += ["### Window", "", *gui_lines, ""]
        if "suites" in selected:
            from bench import suite_bench

            suite_figures, suite_lines = suite_bench.run(info, quick=quick)
            figures += suite_figures
            sections += ["### Suites", "", *suite_lines, ""]
    return figures, sections


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only these parts (repeatable)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repeats: a smoke run")
    parser.add_argument("--write", action="store_true", help="write the report to bench/RESULTS.md")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its budget")
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    selected = set(args.only or PARTS)
    quick: bool = args.quick
    figures: list[Figure] = []
    sections: list[str] = []
    started = time.perf_counter()

    bare_rss: float | None = None
    if "startup" in selected:
        from bench import startup_bench

        startup_figures, startup_lines, bare_rss = startup_bench.run(repeat=2 if quick else 11)
        figures += startup_figures
        sections += ["### Start-up", "", *startup_lines, ""]
        from bench import sandbox_start

        start_figures, start_lines = sandbox_start.run(repeat=1 if quick else 5)
        figures += start_figures
        sections += [*start_lines, ""]
    if {"cli", "gui", "suites"} & selected:
        sandbox_figures, sandbox_sections = _against_sandbox(selected, quick, bare_rss)
        figures += sandbox_figures
        sections += sandbox_sections
    if "history" in selected:
        from bench import history_bench

        sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000, 1_000_000)
        history_figures, growth = history_bench.run(sizes)
        figures += history_figures
        sections += ["### History growth (HistoryView): open and filter must stay flat or logarithmic", "",
                     *growth, ""]

    if "mail" in selected:
        mail_figures, mail_sections = _mail_part(quick)
        figures += mail_figures
        sections += mail_sections

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"Measured {stamp} on {platform.node() or 'this machine'} ({os.cpu_count()} cores, Python "
              f"{platform.python_version()}, {platform.system()} {platform.release()}) in "
              f"{time.perf_counter() - started:.0f} s{' (--quick: sizes and repeats too small to judge)' if quick else ''}.")
    misses = [fig for fig in figures if not fig.within_budget]
    summary = f"{len(figures) - len(misses)} of {len(figures)} figures within budget."
    text = "\n".join([header, "", render_table(figures), "", summary, "", *sections]).rstrip() + "\n"
    print(text)
    if args.write:
        RESULTS.write_text("# Benchmark results\n\n" + text, encoding="utf-8")
    return 1 if args.strict and misses else 0


def _mail_part(quick: bool) -> tuple[list[Figure], list[str]]:
    from bench import mail_bench

    mail_figures, mail_lines = mail_bench.run(quick=quick)
    return mail_figures, ["### Codes from a mailbox (Dovecot)", "", *mail_lines, ""]


if __name__ == "__main__":
    raise SystemExit(main())
