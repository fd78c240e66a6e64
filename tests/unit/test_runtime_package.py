"""app/runtime is a leaf under the rest of the app: it imports no other part of it, only its Qt module
imports Qt, and the patching of third-party internals happens nowhere else in app/."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
RUNTIME = APP / "runtime"
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "qasync", "shiboken6", "shibokensupport")
# What only a patch of a library's internals does (a meta-path finder, a module's own builtins,
# botocore's Loader, PySide6's feature hook, freezing the heap).
PATCHING = ("sys.meta_path", "__builtins__", "botocore.loaders", "_mod_uses_pyside", "gc.freeze")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules() -> list[Path]:
    found = sorted(RUNTIME.rglob("*.py"))
    assert len(found) > 3, "app/runtime has no modules: the checks would prove nothing"
    return found


def test_runtime_imports_no_other_part_of_the_app() -> None:
    offenders = {
        path.name: sorted(n for n in _imports(path) if n.startswith("app.") and not n.startswith("app.runtime"))
        for path in _modules()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_only_the_runtime_qt_module_imports_qt() -> None:
    importing = sorted(path.name for path in _modules() if any(n.split(".")[0] in QT_MODULES for n in _imports(path)))
    assert importing == ["qt.py"]


def test_third_party_internals_are_patched_only_in_app_runtime() -> None:
    outside = [p for p in APP.rglob("*.py") if RUNTIME not in p.parents]
    assert outside
    offenders = {
        str(path.relative_to(APP)): [word for word in PATCHING if word in path.read_text(encoding="utf-8")]
        for path in outside
    }
    assert {path: words for path, words in offenders.items() if words} == {}
