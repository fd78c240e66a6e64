"""The CI test job (.github/workflows/test.yml) cannot silently disappear: it runs on Ubuntu, Windows
and macOS, Ubuntu runs exactly `make test`, and the other two run the tests that apply there."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "test.yml"
ELSEWHERE = 'python -m pytest tests/unit tests/integration tests/gui -m "not linux_only"'


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def _steps_for(job: dict[str, Any], condition: str) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step and step.get("if") == condition]


def test_the_test_job_runs_on_ubuntu_windows_and_macos_on_every_push_and_pull_request() -> None:
    workflow = _workflow()
    assert {"push", "pull_request"} <= set(workflow["on"])
    job = workflow["jobs"]["test"]
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["strategy"]["fail-fast"] is False
    oses = sorted(entry["os"].split("-")[0] for entry in job["strategy"]["matrix"]["include"])
    assert oses == ["macos", "ubuntu", "windows"]


def test_ubuntu_runs_make_test_and_windows_and_macos_run_what_applies_there_with_the_test_extras() -> None:
    job = _workflow()["jobs"]["test"]
    linux = _steps_for(job, "runner.os == 'Linux'")
    elsewhere = _steps_for(job, "runner.os != 'Linux'")
    assert len(linux) == 1 and re.search(r"(^|\s)make test$", linux[0].strip()), linux
    assert "pytest" not in linux[0]  # the README's command, not a selection of it
    assert len(elsewhere) == 1
    assert ELSEWHERE in elsewhere[0].splitlines()
    assert '-e ".[sandbox,test,dev]"' in elsewhere[0]
    unconditional = [step for step in job["steps"] if "run" in step and "if" not in step]
    assert unconditional == []


def test_the_test_jobs_actions_are_pinned_by_commit() -> None:
    uses = [step["uses"] for step in _workflow()["jobs"]["test"]["steps"] if "uses" in step]
    assert any(action.startswith("actions/checkout@") for action in uses)
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"{action} is not pinned by SHA"
