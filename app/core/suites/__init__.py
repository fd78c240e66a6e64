"""Suites: verification tests as YAML files (`version: 1`), validated with positions and run by a
Qt-free runner that records every attempt in history. Schema: `suite.schema.json` beside this file."""

from app.core.suites.authoring import NewCase, save_case
from app.core.suites.command import RunRequest, human_summary, run_suite_file
from app.core.suites.loader import load_suite
from app.core.suites.model import Case, Expect, Problem, Suite, SuiteError
from app.core.suites.runner import CaseResult, RunResult, SuiteRunner

__all__ = [
    "Case",
    "CaseResult",
    "Expect",
    "NewCase",
    "Problem",
    "RunRequest",
    "RunResult",
    "Suite",
    "SuiteError",
    "SuiteRunner",
    "human_summary",
    "load_suite",
    "run_suite_file",
    "save_case",
]
