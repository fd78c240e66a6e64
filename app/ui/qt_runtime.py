"""Process-wide adjustments to PySide6, applied when `app.ui` is first imported.

PySide6 replaces `__import__` with a hook that, after every import of a Python module, reads the
module's whole source with `inspect.getsource` to look for the string "PySide6": a module that uses
PySide may opt into `from __feature__ import snake_case, true_property`. The sources read stay in
`linecache`. Measured for the window after sign-in: 413 files, 16 MB of resident memory, plus
reading and splitting every file on import. Neither VerifyDesk nor its dependencies use
`__feature__`, so the scan is answered "does not use it" without reading anything (the module is
then ignored by the feature switch, which nothing here selects), and the sources already read
are dropped from the cache (tracebacks read them again when needed).
"""

from __future__ import annotations

import linecache
import sys

_FEATURE_MODULES = ("shibokensupport.feature", "PySide6.support.feature")


def _never_uses_features(_module: object) -> bool:
    return False


def stop_feature_source_scan() -> bool:
    """Skip PySide6's per-import source scan; True when it was found and replaced."""
    import PySide6.QtCore  # noqa: F401 - installs the import hook and its feature module

    for name in _FEATURE_MODULES:
        feature = sys.modules.get(name)
        if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
            feature._mod_uses_pyside = _never_uses_features  # type: ignore[attr-defined]
            linecache.clearcache()
            return True
    return False
