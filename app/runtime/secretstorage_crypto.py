"""SecretStorage (the Linux Secret Service client keyring uses) without `cryptography` until a
secret is read or written; `defer_secretstorage_cryptography()` is the call site.

Detecting the Secret Service needs only a D-Bus round trip, but SecretStorage's `item` and `util`
modules import `cryptography` at their top for the session encryption of secrets. They are loaded
with those imports deferred (`app.runtime.deferred_imports`): cryptography is imported when a
secret is first stored or read through the Secret Service, not to find out whether one exists.
Guarded (`app.runtime.guard`): another SecretStorage major release, or `VERIFYDESK_STOCK=1`, imports
it as shipped.
"""

from __future__ import annotations

from app.runtime.deferred_imports import install_deferring_finder
from app.runtime.guard import enabled, installed_version, version_misfit

TESTED = ((3, 0), (4,))
DEFERRED_CRYPTOGRAPHY = "secretstorage without cryptography until used"
_MODULES = frozenset({"secretstorage.item", "secretstorage.util"})
_CRYPTOGRAPHY = frozenset({"cryptography"})


def _misfit() -> str | None:
    # Not installed (Windows, macOS): the finder never matches, nothing to decide.
    return version_misfit("secretstorage", installed_version("secretstorage"), TESTED)


def defer_secretstorage_cryptography() -> None:
    """From now on, SecretStorage (once imported) loads `cryptography` at its first use.
    Calling it again does nothing."""
    if enabled(DEFERRED_CRYPTOGRAPHY, _misfit):
        install_deferring_finder(_MODULES, _CRYPTOGRAPHY)
