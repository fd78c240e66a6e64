"""Deferred imports inside third-party modules: a module's top-level import of something it needs
only in a path VerifyDesk rarely or never takes is replaced by a stand-in, and the real module is
imported at the stand-in's first use (an attribute read or a call).

- `deferring_builtins(prefixes)`: a `__builtins__` mapping for a module whose imports of modules
  under `prefixes` are deferred (`import requests` → a stand-in for the module; `from x import A`
  → a stand-in for `A`). A module already imported is always the real one.
- `install_deferring_finder(modules, prefixes)`: loads the named modules with such builtins
  whenever they are imported, by anyone (a meta-path finder; where the ordinary path finder does
  not find them, e.g. a frozen build, they load as usual).

A stand-in resolves at its first attribute read, call, use as a base class, or `isinstance` /
`issubclass` check; it is not the class itself (`type(obj) is Stand-in` is never true). The
mechanism only: the patches that use it (`pycognito_srp`, `secretstorage_crypto`,
`botocore_imports`) decide whether to.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_finder_lock = threading.Lock()


class Deferred:
    """A module (`name` None) or a name in a module, imported at its first use."""

    __slots__ = ("_module", "_name")

    def __init__(self, module: str, name: str | None = None) -> None:
        self._module = module
        self._name = name

    def resolve(self) -> Any:
        target = importlib.import_module(self._module)
        return target if self._name is None else getattr(target, self._name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.resolve(), attribute)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __mro_entries__(self, bases: tuple[object, ...]) -> tuple[type, ...]:
        """`class X(stand_in):` subclasses the real class."""
        return (self.resolve(),)

    def __instancecheck__(self, instance: object) -> bool:
        return isinstance(instance, self.resolve())

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self.resolve())

    def __repr__(self) -> str:
        what = self._module if self._name is None else f"{self._module}.{self._name}"
        return f"<deferred {what}>"


class _FromList:
    """What `from module import a, b` receives: each name read from it is a `Deferred`."""

    __slots__ = ("_module",)

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Deferred:
        return Deferred(self._module, name)


def _matches(name: str, prefixes: frozenset[str]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def deferring_import(prefixes: frozenset[str]) -> Callable[..., Any]:
    """An `__import__` deferring absolute imports of not yet imported modules under `prefixes`."""

    def _import(
        name: str,
        globals: dict[str, Any] | None = None,  # builtins.__import__'s signature
        locals: dict[str, Any] | None = None,
        fromlist: Sequence[str] | None = (),
        level: int = 0,
    ) -> Any:
        if level == 0 and name not in sys.modules and _matches(name, prefixes):
            if fromlist:
                return _FromList(name)
            if "." not in name:
                return Deferred(name)
        return builtins.__import__(name, globals, locals, fromlist or (), level)

    return _import


def deferring_builtins(prefixes: frozenset[str]) -> dict[str, Any]:
    """A module's `__builtins__`, set before it runs, so that its imports under `prefixes` wait."""
    return {**vars(builtins), "__import__": deferring_import(prefixes)}


class _DeferringLoader(importlib.abc.Loader):
    def __init__(self, inner: Any, prefixes: frozenset[str]) -> None:
        self._inner = inner
        self._prefixes = prefixes

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self._inner.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__builtins__ = deferring_builtins(self._prefixes)  # type: ignore[attr-defined]
        self._inner.exec_module(module)

    def __getattr__(self, attribute: str) -> Any:  # get_source, get_filename, is_package, …
        return getattr(self._inner, attribute)


class _DeferringFinder(importlib.abc.MetaPathFinder):
    def __init__(self, modules: frozenset[str], prefixes: frozenset[str]) -> None:
        self.modules = modules
        self.prefixes = prefixes

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None  # the next finders load it as usual
        spec.loader = _DeferringLoader(spec.loader, self.prefixes)
        return spec


def install_deferring_finder(modules: frozenset[str], prefixes: frozenset[str]) -> None:
    """From now on, `modules` (not yet imported ones) load with their imports under `prefixes`
    deferred. Installing the same pair again does nothing."""
    with _finder_lock:
        installed = [(f.modules, f.prefixes) for f in sys.meta_path if isinstance(f, _DeferringFinder)]
        if (modules, prefixes) in installed:
            return
        sys.meta_path.insert(0, _DeferringFinder(modules, prefixes))
