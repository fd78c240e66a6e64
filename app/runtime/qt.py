"""PySide6 without its per-import source scan; `stop_feature_source_scan()` is the call site,
run when `app.ui` is first imported.

PySide6 replaces `__import__` with a hook that, after every import of a Python module, reads the
module's whole source with `inspect.getsource` to look for the string "PySide6": a module that uses
PySide may opt into `from __feature__ import snake_case, true_property`. The sources read stay in
`linecache`, and every file is read and split on import. Neither VerifyDesk nor its dependencies use
`__feature__`, so the scan is answered "does not use it" without reading anything (the module is
then ignored by the feature switch, which nothing here selects), and the sources already read
are dropped from the cache (tracebacks read them again when needed).

The function replaced is private to PySide6, so the patch is guarded (`app.runtime.guard`):
another PySide6 major release, a changed feature module, or `VERIFYDESK_STOCK=1` leave it as shipped.
"""

from __future__ import annotations

import inspect
import linecache
import sys
from types import ModuleType

from app.runtime.guard import enabled, version_misfit

TESTED = ((6, 8), (7,))
NO_FEATURE_SCAN = "PySide6 import hook without the source scan"
_FEATURE_MODULES = ("shibokensupport.feature", "PySide6.support.feature")
_REPLACED = "_mod_uses_pyside"


def _never_uses_features(_module: object) -> bool:
    return False


def _feature_module() -> ModuleType | None:
    for name in _FEATURE_MODULES:
        feature = sys.modules.get(name)
        if feature is not None and callable(getattr(feature, _REPLACED, None)):
            return feature
    return None


def _misfit() -> str | None:
    import PySide6

    misfit = version_misfit("PySide6", getattr(PySide6, "__version__", None), TESTED)
    if misfit is not None:
        return misfit
    feature = _feature_module()
    if feature is None:
        return f"no {' or '.join(_FEATURE_MODULES)} with a {_REPLACED}()"
    current = getattr(feature, _REPLACED)
    if current is not _never_uses_features and len(inspect.signature(current).parameters) != 1:
        return f"{_REPLACED}() no longer takes one module"
    return None


def stop_feature_source_scan() -> bool:
    """Skip PySide6's per-import source scan; True when it was found and replaced."""
    import PySide6.QtCore  # noqa: F401 - installs the import hook and its feature module

    if not enabled(NO_FEATURE_SCAN, _misfit):
        return False
    feature = _feature_module()
    if feature is None:
        return False
    setattr(feature, _REPLACED, _never_uses_features)
    linecache.clearcache()
    return True
