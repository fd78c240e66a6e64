"""`verifydesk run SUITE.yaml`: load, run, write the reports; an exit code and a JSON-able object.

The CLI parses the options and prints; this module does the rest, so every front end (and the
tests) runs suites the same way. Exit 0 all passed, 1 any case failed or errored, 2 the suite (or
an option) is invalid and nothing was sent.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.history import HistoryStore
from app.core.suites.loader import load_suite
from app.core.suites.model import Position, Problem, SuiteError
from app.core.suites.reports import result_json, write_html, write_junit
from app.core.suites.runner import CaseFinished, CaseStarted, SuiteRunner

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_INVALID = 2


@dataclass(frozen=True)
class RunRequest:
    """The parsed options of `verifydesk run`."""

    suite: Path
    only: str | None = None
    junit: Path | None = None
    report: Path | None = None
    """An HTML report to write."""


def invalid_payload(problems: list[Problem]) -> dict[str, Any]:
    """The JSON object of an invalid suite: each problem with file, line, column and message."""
    return {"ok": False, "error": {"code": "InvalidSuite", "message": str(problems[0]),
                                   "problems": [p.to_dict() for p in problems]}}


def run_suite_file(
    request: RunRequest, history: HistoryStore, *, environ: Mapping[str, str] | None = None,
    cancel: threading.Event | None = None, on_case_started: CaseStarted | None = None,
    on_case_finished: CaseFinished | None = None,
) -> tuple[int, dict[str, Any]]:
    """Run the suite as `verifydesk run` does: (exit code, the `--json` object)."""
    try:
        suite = load_suite(request.suite, environ=environ)
        if request.only and not suite.selected(request.only):
            names = ", ".join(sorted({c.source_name for c in suite.cases}))
            raise SuiteError([Problem(Position(suite.path, 1, 1),
                                      f"--only: no case named {request.only!r} (cases: {names})")])
        runner = SuiteRunner(suite, history, environ=environ)
        runner.prepare()
    except SuiteError as exc:
        return EXIT_INVALID, invalid_payload(exc.problems)
    result = runner.run(only=request.only, cancel=cancel, on_case_started=on_case_started,
                        on_case_finished=on_case_finished)
    payload = {"ok": result.all_passed, **result_json(result)}
    problems = []
    for target, write in ((request.junit, write_junit), (request.report, write_html)):
        if target is None:
            continue
        try:
            write(result, target)
        except OSError as exc:
            problems.append(f"cannot write {target}: {exc.strerror or exc}")
    if problems:
        payload["report_errors"] = problems
        return EXIT_FAILED, payload
    return (EXIT_PASSED if result.all_passed else EXIT_FAILED), payload


def human_summary(payload: dict[str, Any]) -> str:
    """The run (or the suite's problems) as lines for a terminal."""
    error = payload.get("error")
    if error:
        return "\n".join(f"{p['file']}:{p['line']}:{p['column']}: {p['message']}" for p in error["problems"])
    marks = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}
    lines = []
    for case in payload["cases"]:
        ids = ", ".join(f"#{i}" for i in case["history_ids"])
        lines.append(f"{marks.get(case['status'], case['status']):<5} {case['name']}"
                     f" ({case['duration_ms']:.0f} ms{', history ' + ids if ids else ''})")
        lines += [f"      {line}" for line in case["message"].splitlines()]
    lines.append(f"{payload['passed']} passed, {payload['failed']} failed, {payload['errors']} errors"
                 + (", cancelled" if payload.get("cancelled") else ""))
    lines += [f"Report: {problem}" for problem in payload.get("report_errors", ())]
    return "\n".join(lines)
