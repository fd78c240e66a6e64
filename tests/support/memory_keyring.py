"""Keyring backends for tests, selected with PYTHON_KEYRING_BACKEND=support.memory_keyring.<Class>.

`MemoryKeyring` behaves like a secure OS keyring (priority 1) but keeps values in this process;
`LockedKeyring` refuses every operation, like a SecretService collection nobody unlocked.
"""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A recommended (priority 1) in-process keyring; `values` is shared by every instance."""

    priority = 1
    values: ClassVar[dict[tuple[str, str], str]] = {}

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise PasswordDeleteError("no such secret")


class LockedKeyring(KeyringBackend):
    """A recommended keyring whose every operation fails as a locked collection does."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")
