"""Start child processes together: each writes a ready file once set up; the test waits for all of
them (never a fixed sleep), then releases them with one go file."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

READY_TIMEOUT_S = 120.0


def ready_file(go: Path, index: int) -> Path:
    """Where child number `index` announces it is ready, beside the go file."""
    return go.with_name(f"{go.name}.ready-{index}")


def release_when_ready(go: Path, children: Sequence[subprocess.Popen[str]],
                       timeout_s: float = READY_TIMEOUT_S) -> None:
    """Wait until every child has written its `ready_file` (a child that exits first fails the
    test with its stderr), then create `go`."""
    deadline = time.monotonic() + timeout_s
    while not all(ready_file(go, index).exists() for index in range(len(children))):
        failed = [child for child in children if child.poll() is not None]
        assert not failed, failed[0].communicate()[1]
        assert time.monotonic() < deadline, "the children never became ready"
        time.sleep(0.01)
    go.touch()
