"""pycognito's SRP client (`AWSSRP`), loaded the way VerifyDesk needs it; `srp_class()` is the call site.

- Only its `aws_srp` module is loaded: `import pycognito` runs the package's `__init__`, which imports
  jwt and, through it, cryptography for the user-pool helpers VerifyDesk does not use. `aws_srp` is
  loaded as a submodule of a bare package over pycognito's own directory, so its relative imports
  resolve and the package `__init__` is not run. Its `import requests` and `import boto3` are
  deferred: `AWSSRP` uses requests only for device and passkey calls, and boto3 only when given no
  client (VerifyDesk passes its own). Where that cannot work (a frozen build keeps modules in an
  archive), the ordinary import is used.
- Its modular exponentiations use `yielding_pow`, so the window's thread is not shut out of the GIL
  for a whole exponentiation while a worker signs in.

Each is guarded (`app.runtime.guard`): another pycognito release, or `VERIFYDESK_STOCK=1`, gets
`import pycognito.aws_srp` as shipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

from app.runtime.deferred_imports import deferring_builtins
from app.runtime.guard import enabled, installed_version, version_misfit
from app.runtime.heap import long_lived, yielding_pow

# The pycognito releases these patches were tested with (pyproject.toml bounds the dependency alike).
TESTED = ((2024, 5), (2025,))
ALONE = "pycognito.aws_srp without its package"
POW = "pycognito.aws_srp yielding pow"

_PACKAGE = "_verifydesk_pycognito"
_DEFERRED = frozenset({"requests", "boto3"})
_POW_USERS = ("calculate_a", "get_password_authentication_key")  # AWSSRP methods calling pow
_lock = threading.Lock()


def _version_misfit() -> str | None:
    return version_misfit("pycognito", installed_version("pycognito"), TESTED)


def _load_without_package_init() -> types.ModuleType | None:
    spec = importlib.util.find_spec("pycognito")  # finds the package, runs nothing
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        return None
    package = sys.modules.get(_PACKAGE)
    if package is None:
        package = types.ModuleType(_PACKAGE, "pycognito's directory, without its __init__")
        package.__path__ = locations
        package.__package__ = _PACKAGE
        sys.modules[_PACKAGE] = package
    name = f"{_PACKAGE}.aws_srp"
    try:
        found = importlib.util.find_spec(name)
        if found is None or found.loader is None:
            return None
        module = importlib.util.module_from_spec(found)
        # Its own builtins, so only its imports are deferred.
        module.__builtins__ = deferring_builtins(_DEFERRED)  # type: ignore[attr-defined]
        sys.modules[name] = module
        try:
            found.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
    except ImportError:
        return None
    return module


def _pow_misfit(module: types.ModuleType) -> str | None:
    srp = getattr(module, "AWSSRP", None)
    for method in _POW_USERS:
        code = getattr(getattr(srp, method, None), "__code__", None)
        if code is None or "pow" not in code.co_names:
            return f"AWSSRP.{method} no longer calls pow"
    return None


def srp_module() -> types.ModuleType:
    """pycognito's `aws_srp` module, loaded once (patched unless guarded off)."""
    with _lock:
        module: types.ModuleType | None = sys.modules.get(f"{_PACKAGE}.aws_srp")
        if module is None and "pycognito" not in sys.modules and enabled(ALONE, _version_misfit):
            with long_lived():  # its modules stay for the process's life
                module = _load_without_package_init()
        if module is None:
            with long_lived():
                import pycognito.aws_srp

            module = pycognito.aws_srp
        if enabled(POW, lambda: _version_misfit() or _pow_misfit(module)):
            setattr(module, "pow", yielding_pow)  # noqa: B010 - a module global shadows the builtin
        return module


def srp_class() -> Any:
    """pycognito's `AWSSRP`."""
    return srp_module().AWSSRP
