"""Deferred imports inside third-party modules: a stand-in until the first use, then the
real thing; only the named modules and prefixes are affected; an imported module is used as is."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.runtime.deferred_imports import Deferred, deferring_builtins, install_deferring_finder


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`heavy` (counts how often it was imported), `user` (imports it at its top) and `other`."""
    (tmp_path / "dfr_heavy").mkdir()
    (tmp_path / "dfr_heavy" / "__init__.py").write_text(textwrap.dedent("""
        import builtins
        builtins.dfr_heavy_loads = getattr(builtins, "dfr_heavy_loads", 0) + 1
        class Box:
            def __init__(self, value):
                self.value = value
        def double(x):
            return 2 * x
        """), encoding="utf-8")
    (tmp_path / "dfr_heavy" / "tools.py").write_text("def triple(x):\n    return 3 * x\n", encoding="utf-8")
    for name in ("dfr_user", "dfr_other"):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent("""
            import dfr_heavy
            from dfr_heavy.tools import triple
            from dfr_heavy import Box
            def use(x):
                return Box(dfr_heavy.double(triple(x))).value
            """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import builtins

    monkeypatch.setattr(builtins, "dfr_heavy_loads", 0, raising=False)
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith(("dfr_heavy", "dfr_user", "dfr_other"))]:
        del sys.modules[name]
    sys.meta_path[:] = [f for f in sys.meta_path if "dfr_user" not in getattr(f, "modules", ())]


def _loads() -> int:
    import builtins

    return int(builtins.dfr_heavy_loads)  # type: ignore[attr-defined]


def test_a_named_module_loads_without_its_deferred_imports_until_their_first_use(packages: Path) -> None:
    install_deferring_finder(frozenset({"dfr_user"}), frozenset({"dfr_heavy"}))
    user = importlib.import_module("dfr_user")
    assert _loads() == 0 and "dfr_heavy" not in sys.modules
    assert isinstance(user.dfr_heavy, Deferred)
    assert user.use(5) == 30  # a call through each stand-in imports the real module
    assert _loads() == 1
    assert user.dfr_heavy.Box is sys.modules["dfr_heavy"].Box


def test_other_modules_import_as_usual(packages: Path) -> None:
    install_deferring_finder(frozenset({"dfr_user"}), frozenset({"dfr_heavy"}))
    other = importlib.import_module("dfr_other")
    assert _loads() == 1
    assert other.Box is sys.modules["dfr_heavy"].Box


def test_an_already_imported_module_is_used_directly(packages: Path) -> None:
    heavy = importlib.import_module("dfr_heavy")
    install_deferring_finder(frozenset({"dfr_user"}), frozenset({"dfr_heavy"}))
    user = importlib.import_module("dfr_user")
    assert user.dfr_heavy is heavy and user.Box is heavy.Box
    assert _loads() == 1


def test_installing_twice_adds_one_finder(packages: Path) -> None:
    before = len(sys.meta_path)
    install_deferring_finder(frozenset({"dfr_user"}), frozenset({"dfr_heavy"}))
    install_deferring_finder(frozenset({"dfr_user"}), frozenset({"dfr_heavy"}))
    assert len(sys.meta_path) == before + 1


def test_deferring_builtins_leave_relative_and_unlisted_imports_alone(packages: Path) -> None:
    namespace: dict[str, object] = {"__builtins__": deferring_builtins(frozenset({"dfr_heavy"})),
                                    "__name__": "probe"}
    exec("import json\nfrom dfr_heavy import double\nimport dfr_heavy.tools", namespace)  # noqa: S102
    assert namespace["json"] is sys.modules["json"]
    assert isinstance(namespace["double"], Deferred)
    assert _loads() == 1  # a dotted plain import is never deferred (it binds the package)


def test_a_stand_in_serves_as_a_base_class_and_in_isinstance_checks(packages: Path) -> None:
    box = Deferred("dfr_heavy", "Box")
    assert _loads() == 0

    class Crate(box):  # type: ignore[misc,valid-type]
        pass

    real = sys.modules["dfr_heavy"].Box
    assert Crate.__mro__[1] is real and _loads() == 1
    assert isinstance(Crate(3), box) and not isinstance(3, box)
    assert issubclass(Crate, box) and not issubclass(int, box)
