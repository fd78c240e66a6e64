"""`python -m app.core.suites SUITE.yaml [--only NAME] [--junit FILE.xml] [--report FILE.html] [--json]`:
the options of `verifydesk run`, over `run_suite_file`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from app.core.suites.command import EXIT_INVALID, RunRequest, human_summary, run_suite_file

EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verifydesk run", allow_abbrev=False,
                                     description="Run a suite of verification tests.")
    parser.add_argument("suite", type=Path, help="the suite file (YAML, version: 1)")
    parser.add_argument("--only", metavar="NAME", help="run only the case with this name")
    parser.add_argument("--junit", type=Path, metavar="FILE.xml", help="write a JUnit XML report")
    parser.add_argument("--report", type=Path, metavar="FILE.html", help="write an HTML report")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    from app.core.history import HistoryStore
    from app.core.logs import configure_logging
    from app.core.paths import app_paths

    paths = app_paths()
    try:
        configure_logging(paths)
        history = HistoryStore(paths.history_db)
    except OSError as exc:
        sys.stderr.write(f"verifydesk run: cannot use {paths.data_dir}: {exc.strerror or exc}\n")
        return EXIT_INVALID
    with history:
        try:
            code, payload = run_suite_file(
                RunRequest(args.suite, args.only, args.junit, args.report), history,
                on_case_started=None if args.json else _started,
            )
        except KeyboardInterrupt:
            sys.stderr.write("verifydesk run: interrupted; the run is recorded as cancelled\n")
            return EXIT_INTERRUPTED
    if args.json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        (sys.stdout if code != EXIT_INVALID else sys.stderr).write(human_summary(payload) + "\n")
    return code


def _started(case: object, index: int, total: int) -> None:
    sys.stdout.write(f"[{index + 1}/{total}] {getattr(case, 'name', case)}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
