"""A run as JSON and as JUnit XML (the dialect GitHub Actions, GitLab and Jenkins read)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from app.core.atomic import atomic_write_text
from app.core.suites.runner import ERRORED, FAILED, PASSED, SKIPPED, RunResult


def result_json(result: RunResult) -> dict[str, Any]:
    """`{"passed", "failed", "errors", "cases": [{"name", "status", "message", "history_ids",
    "duration_ms"}]}`, plus the suite, the history run id and whether it was cancelled."""
    return {
        "suite": result.suite.name,
        "run_id": result.run_id,
        "passed": result.count(PASSED),
        "failed": result.count(FAILED),
        "errors": result.count(ERRORED),
        "skipped": result.count(SKIPPED),
        "cancelled": result.cancelled,
        "cases": [
            {"name": c.name, "status": c.status, "message": c.message, "history_ids": list(c.history_ids),
             "duration_ms": c.duration_ms}
            for c in result.cases
        ],
    }


def _first_line(text: str) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= 200 else line[:199] + "…"


def junit_xml(result: RunResult) -> str:
    """One <testsuite> in <testsuites>, one <testcase> per case (data rows included)."""
    seconds = sum(c.duration_ms for c in result.cases) / 1000
    attrs = {
        "name": result.suite.name, "tests": str(len(result.cases)),
        "failures": str(result.count(FAILED)), "errors": str(result.count(ERRORED)),
        "skipped": str(result.count(SKIPPED)), "time": f"{seconds:.3f}",
    }
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", {**attrs, "file": str(result.suite.path)})
    for case in result.cases:
        element = ET.SubElement(suite, "testcase", {
            "classname": result.suite.name, "name": case.name, "time": f"{case.duration_ms / 1000:.3f}",
            "file": str(case.case.position.file), "line": str(case.case.position.line),
        })
        tag = {FAILED: "failure", ERRORED: "error", SKIPPED: "skipped"}.get(case.status)
        if tag is not None:
            child = ET.SubElement(element, tag, {"message": _first_line(case.message)})
            child.text = case.message
        if case.history_ids:
            ET.SubElement(element, "system-out").text = (
                "history: " + ", ".join(f"#{i}" for i in case.history_ids))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(result: RunResult, path: Path) -> None:
    """The JUnit report, written atomically."""
    atomic_write_text(Path(path), junit_xml(result), mode=0o644)


_STYLE = """body{font:14px system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4em .6em;text-align:left;vertical-align:top}
.passed{color:#1a7f37}.failed,.error{color:#cf222e}.skipped{color:#777}pre{margin:0;white-space:pre-wrap}"""


def html_report(result: RunResult) -> str:
    """A self-contained HTML page: the totals, then one row per case with its message."""
    from html import escape

    totals = (f"{result.count(PASSED)} passed, {result.count(FAILED)} failed, {result.count(ERRORED)} errors"
              + (f", {result.count(SKIPPED)} skipped (cancelled)" if result.cancelled else ""))
    rows = "\n".join(
        f"<tr><td class=\"{escape(c.status)}\">{escape(c.status)}</td><td>{escape(c.name)}</td>"
        f"<td><pre>{escape(c.message)}</pre></td><td>{c.duration_ms:.0f} ms</td>"
        f"<td>{escape(', '.join(f'#{i}' for i in c.history_ids))}</td></tr>"
        for c in result.cases)
    title = escape(result.suite.name)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{_STYLE}</style></head><body>\n<h1>{title}</h1>\n<p>{escape(str(result.suite.path))}: "
            f"{escape(totals)}</p>\n<table><tr><th>status</th><th>case</th><th>message</th><th>time</th>"
            f"<th>history</th></tr>\n{rows}\n</table></body></html>\n")


def write_html(result: RunResult, path: Path) -> None:
    """The HTML report, written atomically."""
    atomic_write_text(Path(path), html_report(result), mode=0o644)
