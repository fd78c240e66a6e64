"""Secrets: a secure keyring when there is one, memory with a notice when not, never a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.redaction import REDACTED, SECRETS, redact
from app.core.secrets import (
    MEMORY_BACKEND_NAME,
    KeyringSecretStore,
    MemorySecretStore,
    SecretKind,
    default_secret_store,
    detect_secret_store,
    is_secure_backend,
    reset_default_secret_store,
)

from support.memory_keyring import MemoryKeyring
from support.prerequisites import require_secret_service

REPO = Path(__file__).resolve().parents[2]
MEMORY = "support.memory_keyring.MemoryKeyring"
LOCKED = "support.memory_keyring.LockedKeyring"


@pytest.fixture(autouse=True)
def _isolated_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test starts with no detected store, an empty test keyring and no user keyringrc."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    MemoryKeyring.values.clear()
    reset_default_secret_store()
    yield
    reset_default_secret_store()
    MemoryKeyring.values.clear()
    SECRETS.clear()


def test_a_recommended_keyring_is_used_and_reported_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", MEMORY)
    store = default_secret_store()
    assert isinstance(store, KeyringSecretStore)
    assert store.is_secure is True
    assert store.notice is None
    assert "MemoryKeyring" in store.backend_name


def test_secrets_round_trip_through_the_keyring_keyed_by_kind_and_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", MEMORY)
    store = default_secret_store()
    store.set(SecretKind.CLIENT_SECRET, "staging", "client-secret-value-1")
    store.set(SecretKind.PASSWORD, "staging", "Passw0rd!-value")
    assert MemoryKeyring.values == {
        ("verifydesk/client-secret", "staging"): "client-secret-value-1",
        ("verifydesk/password", "staging"): "Passw0rd!-value",
    }
    reset_default_secret_store()
    again = default_secret_store()
    assert again is not store
    assert again.get(SecretKind.CLIENT_SECRET, "staging") == "client-secret-value-1"
    assert again.get(SecretKind.PASSWORD, "staging") == "Passw0rd!-value"
    assert again.get(SecretKind.PASSWORD, "other") is None
    again.delete(SecretKind.PASSWORD, "staging")
    again.delete(SecretKind.PASSWORD, "staging")  # deleting what is gone is fine
    assert again.get(SecretKind.PASSWORD, "staging") is None


def test_an_empty_value_deletes_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", MEMORY)
    store = default_secret_store()
    store.set(SecretKind.CLIENT_SECRET, "p", "abcdef")
    store.set(SecretKind.CLIENT_SECRET, "p", "")
    assert store.get(SecretKind.CLIENT_SECRET, "p") is None
    assert MemoryKeyring.values == {}


def test_values_written_or_read_are_registered_for_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", MEMORY)
    store = default_secret_store()
    store.set(SecretKind.CLIENT_SECRET, "a", "written-secret-1234")
    MemoryKeyring.values[("verifydesk/password", "a")] = "stored-elsewhere-5678"
    assert "stored-elsewhere-5678" in redact("pw stored-elsewhere-5678")  # not known yet
    assert store.get(SecretKind.PASSWORD, "a") == "stored-elsewhere-5678"
    assert redact("cs written-secret-1234 pw stored-elsewhere-5678") == f"cs {REDACTED} pw {REDACTED}"


@pytest.mark.parametrize("backend", [MEMORY, None])
def test_renaming_a_profile_moves_every_secret(monkeypatch: pytest.MonkeyPatch, backend: str | None) -> None:
    if backend:
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
    store = default_secret_store() if backend else MemorySecretStore()
    store.set(SecretKind.CLIENT_SECRET, "old", "secret-one")
    store.set(SecretKind.PASSWORD, "old", "secret-two")
    store.set(SecretKind.MAILBOX_PASSWORD, "old", "secret-three")
    store.move_profile("old", "new")
    assert store.get(SecretKind.CLIENT_SECRET, "new") == "secret-one"
    assert store.get(SecretKind.PASSWORD, "new") == "secret-two"
    assert store.get(SecretKind.MAILBOX_PASSWORD, "new") == "secret-three"
    assert store.get(SecretKind.CLIENT_SECRET, "old") is None
    store.delete_profile("new")
    assert [store.get(kind, "new") for kind in SecretKind] == [None, None, None]


def test_the_default_store_is_detected_once_and_again_when_the_backend_setting_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", MEMORY)
    first = default_secret_store()
    assert default_secret_store() is first
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    assert default_secret_store() is not first
    assert default_secret_store().is_secure is False


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("keyring.backends.null.Keyring", "does not protect secrets"),
        ("keyring.backends.fail.Keyring", "does not protect secrets"),
        ("no.such.module.Keyring", "could not be loaded"),
    ],
)
def test_a_configured_keyring_that_cannot_protect_secrets_means_memory_and_a_notice(
    monkeypatch: pytest.MonkeyPatch, backend: str, expected: str
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
    store = default_secret_store()
    assert isinstance(store, MemorySecretStore)
    assert store.is_secure is False
    assert store.backend_name == MEMORY_BACKEND_NAME
    assert store.notice is not None
    assert expected in store.notice
    store.set(SecretKind.CLIENT_SECRET, "p", "kept-in-memory")
    assert store.get(SecretKind.CLIENT_SECRET, "p") == "kept-in-memory"


def test_plaintext_and_keyrings_alt_backends_are_never_secure() -> None:
    alt = type("Keyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    plaintext = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "someones.plugin"})
    assert is_secure_backend(MemoryKeyring()) is True
    assert is_secure_backend(alt()) is False
    assert is_secure_backend(plaintext()) is False


def test_a_keyring_that_refuses_keeps_the_secret_in_memory_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", LOCKED)
    store = detect_secret_store()
    assert isinstance(store, KeyringSecretStore)
    secure_before = store.is_secure
    assert store.get(SecretKind.CLIENT_SECRET, "p") is None  # a failed read is no secret, not a crash
    assert (secure_before, store.is_secure) == (True, False)
    store.set(SecretKind.CLIENT_SECRET, "p", "survives-the-session")
    assert store.get(SecretKind.CLIENT_SECRET, "p") == "survives-the-session"
    assert store.notice is not None
    assert "could not store a secret" in store.notice
    assert "Failed to unlock" in store.notice
    store.delete(SecretKind.CLIENT_SECRET, "p")
    assert store.get(SecretKind.CLIENT_SECRET, "p") is None


def _run_detection(env: dict[str, str], wrapper: list[str] | None = None) -> dict[str, object]:
    script = textwrap.dedent(
        """
        import json
        from app.core.secrets import SecretKind, default_secret_store, detect_secret_store
        store = default_secret_store()
        store.set(SecretKind.CLIENT_SECRET, "probe", "probe-secret-value")
        fresh = detect_secret_store() if store.is_secure else None
        print(json.dumps({
            "secure": store.is_secure,
            "backend": store.backend_name,
            "notice": store.notice,
            "same_process": store.get(SecretKind.CLIENT_SECRET, "probe"),
            "from_backend": fresh.get(SecretKind.CLIENT_SECRET, "probe") if fresh else None,
        }))
        """
    )
    command = [*(wrapper or []), sys.executable, "-c", script]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "KDE_FULL_SESSION"}
    }
    env.update(
        PYTHONPATH=str(REPO),
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_RUNTIME_DIR=str(tmp_path / "xdg-runtime"),
    )
    (tmp_path / "xdg-runtime").mkdir(mode=0o700)
    (tmp_path / "home").mkdir()
    return env


@pytest.mark.linux_only  # the headless Linux default
def test_headless_linux_without_a_session_bus_keeps_secrets_in_memory(tmp_path: Path) -> None:
    result = _run_detection(_clean_env(tmp_path))
    assert result["secure"] is False
    assert result["backend"] == MEMORY_BACKEND_NAME
    assert "no secure system keyring was found" in str(result["notice"])
    assert result["same_process"] == "probe-secret-value"
    written = [p for p in tmp_path.rglob("*") if p.is_file() and b"probe-secret-value" in p.read_bytes()]
    assert written == []


@pytest.mark.linux_only
def test_a_real_secret_service_in_a_private_session_bus_is_used(tmp_path: Path) -> None:
    require_secret_service()
    env = _clean_env(tmp_path)
    unlock = (
        "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
        'exec "$@"'
    )
    result = _run_detection(env, ["dbus-run-session", "--", "sh", "-c", unlock, "sh"])
    assert result["secure"] is True, result["notice"]
    assert "SecretService" in str(result["backend"])
    assert result["notice"] is None
    assert result["from_backend"] == "probe-secret-value"
