"""Shared fixtures: an isolated VERIFYDESK_HOME per test, offscreen Qt, and one sandbox pool per session."""

from __future__ import annotations

import os
import signal
from pathlib import Path

# Before anything imports Qt: no display on CI machines. The offscreen screen is 1920×1080 (Qt's
# default is 800×800, which clamps restored window geometry below the 1280×800 the window is tested at).
# A plain "offscreen" (as CI scripts often export) gets the same screen.
# Qt splits the platform argument at every ':', so on Windows the path goes without its drive letter
# (the CI job keeps TEMP on the checkout's drive, so child processes started in a temp dir resolve it too).
if os.environ.get("QT_QPA_PLATFORM", "offscreen") in ("", "offscreen"):
    _SCREEN = os.path.splitdrive(Path(__file__).parent / "support" / "offscreen_screen.json")[1]
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"
# botocore must not pick up a developer's AWS settings (retry mode, endpoints, credentials).
os.environ.pop("AWS_RETRY_MODE", None)
os.environ.pop("AWS_MAX_ATTEMPTS", None)
os.environ.pop("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", None)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
# A run started in the background of a non-interactive shell inherits SIGINT ignored, and so would
# every child; the Ctrl+C tests are about a terminal's Ctrl+C, so children start with the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from support import linux_only

if TYPE_CHECKING:
    from app.sandbox import Sandbox, SandboxInfo


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A `linux_only` test is skipped on other OSes; helpers that need Linux check the mark."""
    reason = linux_only.starting(item.get_closest_marker(linux_only.MARK) is not None)
    if reason:
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def verifydesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes config, data and logs under its own temporary directory."""
    home = tmp_path / "verifydesk-home"
    monkeypatch.setenv("VERIFYDESK_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One local user pool over real HTTP on a loopback port, shared by the whole session."""
    from app.sandbox import Sandbox

    with Sandbox() as pool:
        # Many tests send many codes to one user (crash safety, concurrency): the per-user code rate
        # (5 an hour by default) is tested on sandboxes of its own.
        pool.control.set_code_rate(None)
        yield pool


@pytest.fixture(scope="session")
def sandbox_info(sandbox: Sandbox) -> SandboxInfo:
    return sandbox.info


@pytest.fixture
def fresh_user(sandbox: Sandbox) -> dict[str, str]:
    """A new user with an unverified email and phone, so tests never share state."""
    return sandbox.control.create_user()
