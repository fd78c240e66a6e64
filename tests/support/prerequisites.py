"""Test prerequisites from the machine (commands, peers): a skip on a developer machine, a failure
under CI, so a CI run never loses a test to a missing package without saying so."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

CI_OFF = ("", "0", "false", "no")


def under_ci() -> bool:
    """True when CI is set to anything but an empty, 0, false or no value (CI=true on GitHub Actions)."""
    return os.environ.get("CI", "").strip().lower() not in CI_OFF


def missing(message: str) -> NoReturn:
    """Skip with `message`; under CI fail with it instead."""
    if under_ci():
        pytest.fail(f"{message}; CI is set, so this is a failure, not a skip")
    pytest.skip(message)


def require_commands(*commands: str, install: str) -> None:
    """Every command on PATH, else `missing` naming the absent ones and how to `install` them."""
    absent = [command for command in commands if shutil.which(command) is None]
    if absent:
        missing(f"needs {', '.join(absent)} ({install})")


def require_secret_service() -> None:
    """A private session bus and a Secret Service daemon, for the real keyring round trips."""
    require_commands("dbus-run-session", "gnome-keyring-daemon",
                     install="apt-get install dbus gnome-keyring; .ci/system-deps.sh test")
