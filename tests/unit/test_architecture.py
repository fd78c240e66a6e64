"""The import graph points one way: ui → core, cli → core; the core never imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "app" / "core"
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "qasync", "shiboken6")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_never_import_qt() -> None:
    offenders = {
        str(path.relative_to(CORE)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in QT_MODULES
        )
        for path in CORE.rglob("*.py")
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert list(CORE.rglob("*.py")), "app/core has no modules: the check would prove nothing"
    assert offenders == {}


def test_core_modules_never_import_the_ui() -> None:
    offenders = [
        str(path.relative_to(CORE))
        for path in CORE.rglob("*.py")
        if any(name.startswith("app.ui") for name in _imported_modules(path))
    ]
    assert offenders == []


def test_the_architecture_check_detects_a_qt_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from PySide6.QtCore import QTimer\n", encoding="utf-8")
    assert "PySide6.QtCore" in _imported_modules(module)
