"""examples/github-actions.yml does what it says: its own shell steps start a sandbox, export what
the example suite reads, and its `verifydesk run` step runs the suite green (the `verifydesk` script
installed beside this Python)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / "examples" / "github-actions.yml"


def _steps() -> dict[str, str]:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    return {step["name"]: step["run"] for step in job["steps"] if "run" in step and "name" in step}


@pytest.mark.skipif(sys.platform == "win32", reason="the example's steps are bash for an Ubuntu runner")
def test_the_workflow_steps_start_the_sandbox_and_run_the_example_green(tmp_path: Path) -> None:
    steps = _steps()
    start = next(script for name, script in steps.items() if name.startswith("Start the sandbox"))
    run = steps["Run the suite"]
    assert "--port 9229" in start and run.startswith("verifydesk run examples/signup-emails.yaml")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / "app").symlink_to(REPO / "app")  # the suite's schema modeline points at ../app
    github_env = tmp_path / "github.env"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_ENV": str(github_env)}
    subprocess.run(["bash", "-e", "-c", start.replace("--port 9229", "--port 0")], cwd=tmp_path, env=env,
                   check=True, timeout=60)
    pid = int((tmp_path / "sandbox.pid").read_text())
    try:
        exported = dict(line.split("=", 1) for line in github_env.read_text().splitlines())
        assert set(exported) == {"SANDBOX_ENDPOINT_URL", "SANDBOX_CLIENT_ID", "SANDBOX_USER_POOL_ID",
                                 "QA_ALICE_USERNAME", "QA_ALICE_PASSWORD"}
        done = subprocess.run(["bash", "-e", "-c", run], cwd=tmp_path, env={**env, **exported},
                              capture_output=True, text=True, timeout=120, check=False)
    finally:
        os.kill(pid, signal.SIGTERM)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed, 0 failed, 0 errors" in done.stdout
    assert (tmp_path / "suite-report.xml").is_file() and (tmp_path / "suite-report.html").is_file()
