"""The `linux_only` mark: tests that need Linux itself (Dovecot, a tmpfs mount, the Secret Service over
D-Bus, /proc, the Linux installers). The Windows and macOS CI job deselects them; run elsewhere, they
are skipped. Helpers that start such things call `require` first, so a test that uses one without the
mark fails on Linux at once instead of breaking the other OSes' job later."""

from __future__ import annotations

import sys

import pytest

MARK = "linux_only"

# Whether the test being set up carries the mark; None outside a pytest run (bench/ uses the helpers).
_current_marked: bool | None = None


def starting(marked: bool) -> str | None:
    """Record the mark of the test being set up; the reason to skip it on this OS, if any."""
    global _current_marked  # noqa: PLW0603 (one test runs at a time in a pytest process)
    _current_marked = marked
    if marked and not sys.platform.startswith("linux"):
        return f"needs Linux (marked {MARK}), this is {sys.platform}"
    return None


def require(what: str) -> None:
    """Fail the running test unless it is marked `linux_only`; `what` names what needs Linux."""
    if _current_marked is False:
        pytest.fail(f"{what} needs Linux: mark the test (or its module) with @pytest.mark.{MARK}")
