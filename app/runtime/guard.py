"""The switch and the check that every runtime patch goes through.

A patch is applied when `VERIFYDESK_STOCK` is unset (or "0") and its check finds the library as the
patch expects it: a version in the range the patch was tested with, the attributes it touches present.
Otherwise the library's stock behaviour is used, and one log line per patch says why.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import re
import threading
from collections.abc import Callable

STOCK_ENV = "VERIFYDESK_STOCK"
log = logging.getLogger("app.runtime")

_lock = threading.Lock()
_problems: dict[str, str | None] = {}
_said: dict[str, str] = {}


def stock_mode() -> bool:
    """True when `VERIFYDESK_STOCK` asks for every library's stock behaviour."""
    return os.environ.get(STOCK_ENV, "").strip() not in ("", "0")


def enabled(patch: str, check: Callable[[], str | None]) -> bool:
    """Whether to apply `patch` now. `check()` returns why the library no longer fits the patch, or
    None; its first answer holds for the process (an exception counts as a misfit)."""
    if stock_mode():
        _note(patch, f"stock ({STOCK_ENV}=1)", logging.INFO)
        return False
    with _lock:
        known = patch in _problems
        problem = _problems.get(patch)
    if not known:  # checked outside the lock: a check imports, and imports take their own locks
        try:
            found = check()
        except Exception as exc:  # a check that cannot run means the shape changed
            found = f"its check failed ({type(exc).__name__}: {exc})"
        with _lock:
            problem = _problems.setdefault(patch, found)
    if problem is not None:
        _note(patch, f"stock ({problem})", logging.WARNING)
        return False
    _note(patch, "applied", logging.DEBUG)
    return True


def status() -> dict[str, str]:
    """Each patch decided so far in this process: "applied" or "stock (why)"."""
    with _lock:
        return dict(_said)


def _note(patch: str, state: str, level: int) -> None:
    with _lock:
        if _said.get(patch) == state:
            return
        _said[patch] = state
    if state == "applied":
        log.log(level, "runtime patch %r applied", patch)
    else:  # "stock (why)"
        log.log(level, "runtime patch %r not applied, %s: the library runs as shipped", patch, state[7:-1])


def release(version: str) -> tuple[int, ...]:
    """The leading numbers of a version string: "1.44.8" → (1, 44, 8), "6.11.3a1" → (6, 11, 3)."""
    numbers: list[int] = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        numbers.append(int(digits.group()))
        if digits.end() < len(part):
            break
    return tuple(numbers)


def version_misfit(
    name: str, version: str | None, tested: tuple[tuple[int, ...], tuple[int, ...]]
) -> str | None:
    """Why `version` of `name` is outside `tested` (from, below), or None. An unknown version (no
    metadata, e.g. in a frozen build) is left to the patch's shape checks."""
    if version is None:
        return None
    low, below = tested
    if low <= release(version) < below:
        return None
    return f"{name} {version} is not in the tested range {_dotted(low)} to below {_dotted(below)}"


def installed_version(distribution: str) -> str | None:
    """The installed version of `distribution` from its metadata, without importing it."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(map(str, numbers))
