"""Every module of the app stays small enough to read in one sitting."""

from __future__ import annotations

from pathlib import Path

import app

MAX_LINES = 400


def test_no_module_under_app_exceeds_400_lines() -> None:
    root = Path(app.__file__).parent
    too_long = {
        str(path.relative_to(root)): count
        for path in sorted(root.rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"
