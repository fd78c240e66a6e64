"""pycognito's SRP client (`AWSSRP`), loaded the way VerifyDesk needs it.

- Only its `aws_srp` module is loaded: `import pycognito` runs the package's `__init__`, which
  imports jwt, and through it cryptography (measured +8.8 MB resident), for the user-pool helpers
  VerifyDesk does not use. `aws_srp` is loaded as a submodule of a bare package over pycognito's
  own directory, so its relative imports resolve and the package `__init__` is not run. Where that
  cannot work (a frozen build keeps modules in an archive), the ordinary import is used.
- Its `import requests` and `import boto3` are deferred: `AWSSRP` uses requests only for device
  and passkey calls, and boto3 only when given no client (VerifyDesk passes its own), so both
  are imported at the first attribute use, if ever (requests and its charset detection: measured
  +4.6 MB resident at sign-in).
- Its modular exponentiations use `yielding_pow`: the builtin holds the GIL ~30 ms per call, a
  visible stall of the window while it signs in.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

from app.core.deferred_imports import deferring_builtins
from app.core.heap import long_lived, yielding_pow

_PACKAGE = "_verifydesk_pycognito"
_lock = threading.Lock()


_DEFERRED = frozenset({"requests", "boto3"})


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


def srp_module() -> types.ModuleType:
    """pycognito's `aws_srp` module, loaded once, with `yielding_pow` as its `pow`."""
    with _lock, long_lived():  # its modules stay for the process's life
        module: types.ModuleType | None = sys.modules.get(f"{_PACKAGE}.aws_srp")
        if module is None and "pycognito" not in sys.modules:
            module = _load_without_package_init()
        if module is None:
            import pycognito.aws_srp

            module = pycognito.aws_srp
        setattr(module, "pow", yielding_pow)  # noqa: B010 - a module global shadows the builtin
        return module


def srp_class() -> Any:
    """pycognito's `AWSSRP`."""
    return srp_module().AWSSRP
