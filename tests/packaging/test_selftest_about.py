"""`verifydesk self-test`, the About box and the first-paint hook, from the source tree (the bundle's
turn is in test_linux_bundle.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pkg_checks
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app import __version__
from app.ui.window.about import AboutDialog, show_about

ROOT = Path(__file__).resolve().parents[2]


def _self_test(endpoint_url: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = pkg_checks.clean_env(VERIFYDESK_HOME=str(home), VERIFYDESK_SELFTEST_ENDPOINT_URL=endpoint_url)
    return subprocess.run([sys.executable, "-m", "app", "self-test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.slow
def test_self_test_from_source_passes_against_the_session_sandbox(sandbox_info: Any, tmp_path: Path) -> None:
    result = _self_test(sandbox_info.endpoint_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"VerifyDesk {__version__} self-test (source," in result.stdout
    for check in ("main window", "about box", "fonts", "botocore models", "history store", "sandbox",
                  "boto3 client", "sign-in", "GetUser", "send code", "verify code"):
        assert f"ok    {check}" in result.stdout
    assert "self-test passed: 11 checks" in result.stdout
    assert not list(tmp_path.rglob("*")), "the self-test wrote into the user's VERIFYDESK_HOME"


@pytest.mark.slow
def test_self_test_fails_and_names_the_check_when_the_sandbox_is_unreachable(tmp_path: Path) -> None:
    result = _self_test("http://127.0.0.1:9", tmp_path)  # discard port: nothing listens
    assert result.returncode == 1
    assert "FAIL  sandbox" in result.stdout
    assert "self-test FAILED: 1 of 6 checks (sandbox)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_source_app_reports_its_first_paint_and_quits() -> None:
    seconds = pkg_checks.time_to_first_paint([sys.executable, "-m", "app"], ROOT, timeout_s=60)
    assert 0 < seconds < 60


def test_about_shows_icon_version_and_licence_and_copies_versions(qtbot: QtBot) -> None:
    dialog = show_about(None)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, AboutDialog)
    assert show_about(None) is dialog  # one About box, raised again
    assert f"version {__version__}" in dialog.findChild(QLabel, "aboutVersion").text()
    assert dialog.licence_view.toPlainText().startswith("MIT License")
    assert not dialog.windowIcon().isNull()
    assert not dialog.isModal()
    dialog.copy_versions()
    clipboard = QGuiApplication.clipboard().text()
    assert clipboard.startswith(f"VerifyDesk {__version__}\nQt ")
    assert "Python" in clipboard
    dialog.close()
