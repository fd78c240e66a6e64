"""Client secrets and (opt-in) passwords: in the OS keyring when a secure one exists, else in memory.

Only a backend that really protects secrets is used: keyring's own pick when its priority is at
least 1 and it is not the fail, null or chainer placeholder, nor a plaintext store (keyrings.alt is
never used). Without one, secrets stay in this process's memory and `notice` says so for the UI.
A keyring that fails later (locked, D-Bus gone) degrades the same way, with a notice.
Every value read or written is registered for redaction.

Detecting the keyring does not import `cryptography`: SecretStorage loads it when a secret is
first stored or read through the Secret Service (`app.runtime.secretstorage_crypto`).
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Any

from app.core.redaction import SECRETS
from app.runtime.secretstorage_crypto import defer_secretstorage_cryptography

log = logging.getLogger(__name__)

SERVICE_PREFIX = "verifydesk"
BACKEND_ENV = "PYTHON_KEYRING_BACKEND"
MEMORY_BACKEND_NAME = "memory (this session only)"
_INSECURE_MODULES = (
    "keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer", "keyrings.alt",
)
_INSECURE_NAME_PARTS = ("plaintext", "uncrypted", "unencrypted")


class SecretKind(StrEnum):
    """What a stored secret is; one of each per profile."""

    CLIENT_SECRET = "client-secret"
    PASSWORD = "password"
    MAILBOX_PASSWORD = "mailbox-password"
    """The password of the profile's IMAP code source."""

    @property
    def service(self) -> str:
        """The keyring service name, e.g. "verifydesk/client-secret"."""
        return f"{SERVICE_PREFIX}/{self.value}"


class SecretStore(ABC):
    """Where secrets live, and whether that place is safe."""

    backend_name: str
    notice: str | None = None
    """A sentence for the UI when secrets are not (or no longer) kept in a secure keyring."""

    @property
    @abstractmethod
    def is_secure(self) -> bool: ...

    @abstractmethod
    def get(self, kind: SecretKind, profile_name: str) -> str | None: ...

    @abstractmethod
    def _set(self, kind: SecretKind, profile_name: str, value: str) -> None: ...

    @abstractmethod
    def delete(self, kind: SecretKind, profile_name: str) -> None: ...

    def set(self, kind: SecretKind, profile_name: str, value: str) -> None:
        """Store `value`; an empty value deletes the secret."""
        if not value:
            self.delete(kind, profile_name)
            return
        SECRETS.add(value)
        self._set(kind, profile_name, value)

    def move_profile(self, old: str, new: str) -> None:
        """Re-key every secret of a renamed profile."""
        for kind in SecretKind:
            value = self.get(kind, old)
            if value is not None:
                self.set(kind, new, value)
                self.delete(kind, old)

    def delete_profile(self, profile_name: str) -> None:
        for kind in SecretKind:
            self.delete(kind, profile_name)


class MemorySecretStore(SecretStore):
    """Secrets in this process only: gone when it exits."""

    backend_name = MEMORY_BACKEND_NAME

    def __init__(self, notice: str | None = None) -> None:
        self.notice = notice
        self._values: dict[tuple[SecretKind, str], str] = {}
        self._lock = threading.Lock()

    @property
    def is_secure(self) -> bool:
        return False

    def get(self, kind: SecretKind, profile_name: str) -> str | None:
        with self._lock:
            return self._values.get((kind, profile_name))

    def _set(self, kind: SecretKind, profile_name: str, value: str) -> None:
        with self._lock:
            self._values[(kind, profile_name)] = value

    def delete(self, kind: SecretKind, profile_name: str) -> None:
        with self._lock:
            self._values.pop((kind, profile_name), None)


class KeyringSecretStore(SecretStore):
    """Secrets in a secure OS keyring; falls back to memory for what the keyring refuses."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self.backend_name = _backend_name(backend)
        self._fallback = MemorySecretStore()
        self._degraded = False

    @property
    def is_secure(self) -> bool:
        return not self._degraded

    def _failed(self, action: str, exc: Exception) -> None:
        self._degraded = True
        reason = str(exc) or type(exc).__name__
        self.notice = (
            f"The system keyring ({self.backend_name}) could not {action} ({reason}): "
            "secrets entered now are kept in memory until VerifyDesk closes."
        )
        log.warning("keyring %s failed to %s: %s", self.backend_name, action, type(exc).__name__)

    def get(self, kind: SecretKind, profile_name: str) -> str | None:
        value = self._fallback.get(kind, profile_name)
        if value is None:
            try:
                value = self._backend.get_password(kind.service, profile_name)
            except Exception as exc:  # any backend failure (locked, D-Bus gone) is a notice, not a crash
                self._failed("read a secret", exc)
                return None
        if value is not None:
            SECRETS.add(value)
        return value if isinstance(value, str) else None

    def _set(self, kind: SecretKind, profile_name: str, value: str) -> None:
        try:
            self._backend.set_password(kind.service, profile_name, value)
        except Exception as exc:  # keep the secret for this session rather than lose it
            self._failed("store a secret", exc)
            self._fallback.set(kind, profile_name, value)
            return
        self._fallback.delete(kind, profile_name)

    def delete(self, kind: SecretKind, profile_name: str) -> None:
        self._fallback.delete(kind, profile_name)
        from keyring.errors import PasswordDeleteError

        try:
            self._backend.delete_password(kind.service, profile_name)
        except PasswordDeleteError:
            pass  # there was none
        except Exception as exc:  # noted; the caller's intent (forget it) holds for this session
            self._failed("delete a secret", exc)


def _backend_name(backend: Any) -> str:
    name = getattr(backend, "name", None)
    return str(name) if name else type(backend).__name__


def _priority(backend: Any) -> float:
    try:
        return float(backend.priority)
    except Exception:  # a backend that cannot state its priority is not viable
        return -1.0


def is_secure_backend(backend: Any) -> bool:
    """True for a keyring that keeps secrets safe: recommended by keyring, not a placeholder or plaintext."""
    module = type(backend).__module__
    label = f"{type(backend).__name__} {_backend_name(backend)}".lower()
    if module.startswith(_INSECURE_MODULES) or any(part in label for part in _INSECURE_NAME_PARTS):
        return False
    from keyring.core import recommended

    try:
        return bool(recommended(backend))
    except Exception:  # priority raised: not viable here
        return False


def _candidates() -> tuple[list[Any], str | None]:
    """The backends to consider, and the name of an explicitly configured one (env or keyringrc)."""
    defer_secretstorage_cryptography()
    import keyring.backend
    import keyring.core
    from keyring.backends.chainer import ChainerBackend

    configured = keyring.core.load_env() or keyring.core.load_config()
    if configured is not None:
        found = list(configured.backends) if isinstance(configured, ChainerBackend) else [configured]
        return found, _backend_name(configured)
    return [b for b in keyring.backend.get_all_keyring() if not isinstance(b, ChainerBackend)], None


def detect_secret_store() -> SecretStore:
    """A fresh store over the best secure keyring, or a memory store with a notice explaining why.

    Can take a moment (a D-Bus round trip on Linux): call it off the UI thread.
    """
    try:
        candidates, configured = _candidates()
    except Exception as exc:  # a bad PYTHON_KEYRING_BACKEND or keyringrc: explain, keep working
        return MemorySecretStore(
            f"The configured keyring could not be loaded ({exc}): secrets are kept in memory "
            "until VerifyDesk closes."
        )
    secure = sorted((b for b in candidates if is_secure_backend(b)), key=_priority, reverse=True)
    if secure:
        return KeyringSecretStore(secure[0])
    if configured is not None:
        reason = f"the configured keyring ({configured}) does not protect secrets"
    else:
        found = ", ".join(_backend_name(b) for b in candidates) or "none"
        reason = f"no secure system keyring was found (available: {found})"
    return MemorySecretStore(
        f"Secrets stay in memory until VerifyDesk closes: {reason}. To keep them between sessions, "
        "use a desktop session with a system keyring (GNOME Keyring, KWallet, macOS Keychain or "
        "Windows Credential Manager)."
    )


_stores: dict[str | None, SecretStore] = {}
_stores_lock = threading.Lock()


def default_secret_store() -> SecretStore:
    """This process's secret store, detected once (again if PYTHON_KEYRING_BACKEND changes)."""
    key = os.environ.get(BACKEND_ENV)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = detect_secret_store()
        return store


def reset_default_secret_store() -> None:
    """Forget the detected store (tests; after the user unlocks or installs a keyring)."""
    with _stores_lock:
        _stores.clear()
