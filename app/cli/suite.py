"""`verifydesk run SUITE.yaml`: run a suite file through the core runner, print the summary (or one
JSON object) and exit 0 all passed, 1 a case failed or errored, 2 the suite is invalid.

Ctrl+C (or SIGTERM) stops the run with one line and 128 + the signal; the run reads as cancelled.
"""

from __future__ import annotations

import argparse
import signal
from typing import TextIO

from app.cli.common import EXIT_SIGNAL_BASE, emit_json, shown
from app.cli.home import home_error, open_history
from app.core.visible import shown_lines


def run_suite(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.core.suites.command import EXIT_INVALID, RunRequest, human_summary, run_suite_file

    def started(case: object, index: int, total: int) -> None:
        stdout.write(f"[{index + 1}/{total}] {shown(getattr(case, 'name', case))}\n")
        stdout.flush()

    request = RunRequest(args.suite, args.only, args.junit, args.report)
    with open_history(stderr) as history:
        try:
            code, payload = run_suite_file(request, history, on_case_started=None if args.json else started)
        except KeyboardInterrupt as stop:
            signum = getattr(stop, "signum", signal.SIGINT)
            stderr.write("verifydesk run: interrupted; the run is recorded as cancelled\n")
            return EXIT_SIGNAL_BASE + signum
        except OSError as exc:  # the history could not record the run
            raise home_error(history.path.parent, exc) from None
    if args.json:
        emit_json(stdout, payload)
    else:
        (stderr if code == EXIT_INVALID else stdout).write(shown_lines(human_summary(payload)) + "\n")
    return int(code)
