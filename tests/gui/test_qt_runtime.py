"""PySide6's import hook no longer reads the source of every module imported after app.ui; without
app.ui, or with VERIFYDESK_STOCK=1, it still does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import linecache, sys
    sys.path.insert(0, sys.argv[1])
    import PySide6.QtCore
    if sys.argv[2] == "with-app-ui":
        import app.ui
    linecache.clearcache()
    import vd_probe_module
    print(vd_probe_module.__file__ in linecache.cache, len(linecache.cache))
""")


def _run(tmp_path: Path, mode: str, *, stock: bool = False) -> str:
    (tmp_path / "vd_probe_module.py").write_text("VALUE = 'uses PySide6? no'\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "VERIFYDESK_STOCK"} | ({"VERIFYDESK_STOCK": "1"} if stock else {})
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path), mode], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_modules_imported_after_app_ui_are_not_read_into_linecache(tmp_path: Path) -> None:
    assert _run(tmp_path, "with-app-ui") == "False 0"


def test_without_app_ui_pyside_reads_every_imported_module(tmp_path: Path) -> None:
    """The premise: PySide6 itself caches the source of a module that merely got imported."""
    assert _run(tmp_path, "plain").startswith("True")


def test_with_verifydesk_stock_app_ui_leaves_pysides_scan_in_place(tmp_path: Path) -> None:
    assert _run(tmp_path, "with-app-ui", stock=True).startswith("True")
