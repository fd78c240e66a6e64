"""The import graph inside `app/` has no cycles, and only the launcher and the self-test import the
main window.

Every import statement counts, wherever it is (a lazy import inside a function still makes a cycle
at run time), except those under `if TYPE_CHECKING:`, which never run. Modules are found by walking
the package, so the check follows files as they move.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
WINDOW_CLASS = "MainWindow"
# The launcher and the self-test are found by what they define, wherever they live.
WINDOW_OPENERS = ("run_window", "run_self_test")


def _module_names(root: Path) -> dict[str, Path]:
    """Dotted name → file for every module of the package at `root`."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, *, type_checking: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in `tree`, at any depth; those under `if TYPE_CHECKING:` only when asked."""
    if isinstance(tree, ast.If) and _is_type_checking(tree.test) and not type_checking:
        for node in tree.orelse:
            yield from _imports(node, type_checking=type_checking)
        return
    if isinstance(tree, ast.Import | ast.ImportFrom):
        yield tree
    for child in ast.iter_child_nodes(tree):
        yield from _imports(child, type_checking=type_checking)


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a `from … import` reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join([*package, *([node.module] if node.module else [])])


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that `name` (a module or something inside one) belongs to."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_edges(modules: dict[str, Path], *, type_checking: bool = False) -> dict[str, set[str]]:
    """Module → the modules of ours it imports."""
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree, type_checking=type_checking):
            if isinstance(node, ast.Import):
                targets = [_known(alias.name, modules) for alias in node.names]
            else:
                base = _base(module, path, node)
                targets = [_known(f"{base}.{alias.name}", modules) or _known(base, modules)
                           for alias in node.names]
            edges[module].update(t for t in targets if t is not None and t != module)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(groups)


def _defines(path: Path, names: tuple[str, ...]) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name in names
               for node in tree.body)


def window_importers(modules: dict[str, Path]) -> set[str]:
    """Modules that import the name MainWindow (TYPE_CHECKING imports count: they couple to the window too)."""
    importers = set()
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree, type_checking=True):
            if isinstance(node, ast.ImportFrom) and any(alias.name == WINDOW_CLASS for alias in node.names):
                importers.add(module)
    return importers


def test_the_modules_of_app_import_each_other_without_a_cycle() -> None:
    modules = _module_names(APP)
    edges = import_edges(modules)
    assert len(modules) > 50 and sum(map(len, edges.values())) > 100, "the graph looks empty"
    assert cycles(edges) == []


def test_only_the_launcher_and_the_self_test_import_the_main_window() -> None:
    modules = _module_names(APP)
    openers = {name for name, path in modules.items() if _defines(path, WINDOW_OPENERS)}
    assert len(openers) == len(WINDOW_OPENERS), openers
    assert any(_defines(path, (WINDOW_CLASS,)) for path in modules.values()), "MainWindow is not defined in app/"
    assert window_importers(modules) - openers == set()


def _package(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for relative, text in files.items():
        path = root / "pkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return _module_names(root / "pkg")


def test_the_check_sees_a_cycle_made_by_a_lazy_import_inside_a_function(tmp_path: Path) -> None:
    modules = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from pkg.b import thing\n",
        "sub/__init__.py": "",
        "sub/c.py": "from .. import a\n",
        "b.py": "def thing():\n    from pkg.sub import c\n    return c\n",
    })
    assert cycles(import_edges(modules)) == [["pkg.a", "pkg.b", "pkg.sub.c"]]


def test_the_check_ignores_imports_that_only_type_checkers_run(tmp_path: Path) -> None:
    modules = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "import pkg.b\n",
        "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import X\nelse:\n    X = 1\n",
    })
    assert cycles(import_edges(modules)) == []
    assert cycles(import_edges(modules, type_checking=True)) == [["pkg.a", "pkg.b"]]


def test_the_check_sees_a_module_importing_the_window_class(tmp_path: Path) -> None:
    modules = _package(tmp_path, {
        "__init__.py": "",
        "addon.py": "def attach():\n    from pkg.window import MainWindow\n    return MainWindow\n",
        "window.py": "class MainWindow: ...\n",
    })
    assert window_importers(modules) == {"pkg.addon"}
