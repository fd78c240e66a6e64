"""botocore and boto3 without `jmespath` and `multiprocessing` until they are used;
`defer_unused_imports()` is the call site, run before botocore's session module or boto3 is first
imported (`app.runtime.botocore_data` does).

botocore's paginator, waiter and endpoint-rules modules, and boto3's resource modules, import
jmespath at their top for expressions evaluated only when a paginator, a waiter, a resource or an
operation-context endpoint parameter is used. boto3 imports s3transfer, whose `compat` module
imports `multiprocessing.managers` only to re-export `BaseManager` for its process-pool downloader.
Those modules are loaded with the imports deferred (`app.runtime.deferred_imports`): the real
module is imported at the first use of the name, by whatever uses it.
Guarded (`app.runtime.guard`): botocore, boto3 or s3transfer releases outside the tested ranges, or
`VERIFYDESK_STOCK=1`, import them as shipped.
"""

from __future__ import annotations

from app.runtime.deferred_imports import install_deferring_finder
from app.runtime.guard import enabled, installed_version, version_misfit

TESTED = {"botocore": ((1, 40), (1, 45)), "boto3": ((1, 40), (1, 45)), "s3transfer": ((0, 13), (0, 20))}
DEFERRED_SDK_IMPORTS = "botocore and boto3 without jmespath and multiprocessing until used"
_JMESPATH = frozenset({"jmespath"})
_JMESPATH_USERS = frozenset({
    "botocore.paginate", "botocore.waiter", "botocore.regions",
    "boto3.resources.params", "boto3.resources.response", "boto3.docs.utils",
})
_MULTIPROCESSING = frozenset({"multiprocessing"})
_MULTIPROCESSING_USERS = frozenset({"s3transfer.compat"})


def _misfit() -> str | None:
    for library, tested in TESTED.items():
        misfit = version_misfit(library, installed_version(library), tested)
        if misfit is not None:
            return misfit
    return None


def defer_unused_imports() -> None:
    """From now on, the modules above (those not imported yet) load with jmespath and
    multiprocessing deferred. Calling it again does nothing."""
    if enabled(DEFERRED_SDK_IMPORTS, _misfit):
        install_deferring_finder(_JMESPATH_USERS, _JMESPATH)
        install_deferring_finder(_MULTIPROCESSING_USERS, _MULTIPROCESSING)
