"""Detecting the keyring does not import `cryptography`; SecretStorage imports it when a secret is
first stored or read through a real Secret Service, and secrets still round-trip encrypted. Each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support.prerequisites import require_secret_service

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from app.core.secrets import SecretKind, detect_secret_store
    store = detect_secret_store()
    after_detection = "cryptography" in sys.modules
    store.set(SecretKind.PASSWORD, "probe", "lazy-crypto-secret")
    fresh = detect_secret_store()
    print(json.dumps({
        "secure": store.is_secure, "backend": store.backend_name, "notice": store.notice,
        "crypto_after_detection": after_detection, "secretstorage": "secretstorage" in sys.modules,
        "read_back": fresh.get(SecretKind.PASSWORD, "probe"),
        "crypto_after_use": "cryptography" in sys.modules,
    }))
    """
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "KDE_FULL_SESSION"}}
    for name in ("home", "xdg-config", "xdg-data"):
        (tmp_path / name).mkdir()
    (tmp_path / "xdg-runtime").mkdir(mode=0o700)
    env.update(PYTHONPATH=str(REPO), HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
               XDG_DATA_HOME=str(tmp_path / "xdg-data"), XDG_RUNTIME_DIR=str(tmp_path / "xdg-runtime"))
    return env


def _run(env: dict[str, str], wrapper: list[str] | None = None) -> dict[str, object]:
    done = subprocess.run([*(wrapper or []), sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.linux_only  # the Secret Service is Linux's
def test_detection_without_a_secret_service_never_imports_cryptography(tmp_path: Path) -> None:
    result = _run(_env(tmp_path))
    assert result["secure"] is False
    assert "no secure system keyring was found" in str(result["notice"])
    assert result["secretstorage"] is True  # the Secret Service backend was probed
    assert result["crypto_after_detection"] is False
    assert result["crypto_after_use"] is False


@pytest.mark.linux_only
def test_a_real_secret_service_is_detected_without_cryptography_and_used_with_it(tmp_path: Path) -> None:
    require_secret_service()
    unlock = "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec \"$@\""
    result = _run(_env(tmp_path), ["dbus-run-session", "--", "sh", "-c", unlock, "sh"])
    assert result["secure"] is True, result["notice"]
    assert "SecretService" in str(result["backend"])
    assert result["crypto_after_detection"] is False
    assert result["read_back"] == "lazy-crypto-secret"
    assert result["crypto_after_use"] is True  # the session encryption needed it
