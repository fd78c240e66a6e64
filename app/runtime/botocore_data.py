"""boto3 sessions over botocore sessions that share one data loader per process, which parses
botocore's data lean; `boto3_session()` is the call site for every client VerifyDesk makes.

- `boto3_session()`: a boto3 Session built on `botocore_session()`, so boto3 configures it as usual
  (profile, region, static credentials) while the loader below is shared. Without it every session
  builds its own loader, which parses and keeps its own copy of botocore's data, and the window makes
  one session for the tester's connection and others for the signed admin clients. The loader only
  reads files and caches what it parsed; sharing it is what one session does for its clients.
- botocore's endpoints.json lists every service of every partition, of which VerifyDesk needs
  `USED_SERVICES`. The file is parsed with the other services' entries dropped as they are read
  (each partition's metadata, regions and defaults are kept whole). A service not kept would still
  resolve through its partition's defaults and its own endpoint rule set, as botocore does for new
  services.
- A service model (`service-2`) is parsed into plain dicts (botocore's loader makes OrderedDicts;
  dicts keep their order too) with every documentation text emptied: the HTML documentation of each
  operation, shape and member only feeds docstrings and `help()`.

The loader subclasses botocore's `Loader` through private parts (`_cache`, `_potential_locations`),
so it is guarded (`app.runtime.guard`): another botocore release, or `VERIFYDESK_STOCK=1`, gets
botocore's own loader, one per session.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.runtime.botocore_imports import defer_unused_imports
from app.runtime.guard import enabled, version_misfit

if TYPE_CHECKING:
    import boto3.session
    from botocore.session import Session

# The botocore releases the loader was tested with (pyproject.toml bounds the dependency alike).
TESTED = ((1, 40), (1, 45))
SHARED_LOADER = "botocore shared lean data loader"

# The clients VerifyDesk creates (s3: codes an SES receipt rule stored; ses, sesv2, sns, lambda: the
# delivery preflight's reads), and the ones botocore's credential providers create for them
# (assume-role and web identity: sts; IAM Identity Center: sso, sso-oidc).
USED_SERVICES = frozenset(
    {"cognito-idp", "logs", "s3", "sts", "sso", "sso-oidc", "ses", "sesv2", "sns", "lambda"}
)
_ENDPOINTS = "endpoints"
_SERVICE_MODEL = "/service-2"  # the end of a service model's data path, e.g. "logs/2014-03-28/service-2"
_DOCUMENTATION = "documentation"
_SERVICES_MIN = 20  # a partition's "services" mapping: every value has "endpoints"

_lock = threading.Lock()
_loader: Any = None


def trimmed_endpoints(raw: bytes | str, services: frozenset[str] = USED_SERVICES) -> Any:
    """endpoints.json's data with only `services` in each partition's services."""

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len(pairs) >= _SERVICES_MIN and all(isinstance(v, dict) and _ENDPOINTS in v for _, v in pairs):
            return {key: value for key, value in pairs if key in services}
        return dict(pairs)

    return json.loads(raw, object_pairs_hook=mapping)


def lean_service_model(raw: bytes | str) -> Any:
    """A service model file's data as plain dicts, every "documentation" text replaced by ""
    (the keys stay: botocore reads some of them with `[...]`)."""

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return {key: "" if key == _DOCUMENTATION and isinstance(value, str) else value
                for key, value in pairs}

    return json.loads(raw, object_pairs_hook=mapping)


def _loader_class() -> type:
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import Loader

    base: Any = Loader  # private parts (_cache, _potential_locations) are used below

    class TrimmedEndpointsLoader(base):  # type: ignore[misc]
        """botocore's Loader, except that `endpoints` is parsed trimmed and service models lean
        (and cached like the rest), and that files are loaded one at a time: botocore's cache
        is not thread-safe, and two clients created at once in two threads (the trigger view's
        admin client, the sign-in's client) each parsed and kept their own copy of a model."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._load_lock = threading.RLock()

        def load_service_model(self, *args: Any, **kwargs: Any) -> Any:
            with self._load_lock:  # the model and the extras merged into it
                return super().load_service_model(*args, **kwargs)

        def load_data_with_path(self, name: str) -> tuple[Any, str]:
            with self._load_lock:
                return self._load_data_with_path(name)

        def _load_data_with_path(self, name: str) -> tuple[Any, str]:
            parse: Callable[[bytes], Any]
            if name == _ENDPOINTS:
                parse = trimmed_endpoints
            elif name.endswith(_SERVICE_MODEL):
                parse = lean_service_model
            else:
                return super().load_data_with_path(name)  # type: ignore[no-any-return]
            key = ("trimmed", name)
            if key not in self._cache:
                self._cache[key] = self._load_trimmed(name, parse)
            return self._cache[key]  # type: ignore[no-any-return]

        def _load_trimmed(self, name: str, parse: Callable[[bytes], Any]) -> tuple[Any, str]:
            for path in self._potential_locations(name):
                for extension, opener in ((".json", open), (".json.gz", gzip.open)):
                    if os.path.isfile(path + extension):
                        with opener(path + extension, "rb") as handle:
                            return parse(handle.read()), path
            raise DataNotFoundError(data_path=name)

    return TrimmedEndpointsLoader


def _loader_misfit() -> str | None:
    import botocore
    from botocore.loaders import Loader

    misfit = version_misfit("botocore", getattr(botocore, "__version__", None), TESTED)
    if misfit is not None:
        return misfit
    for method in ("_potential_locations", "load_data_with_path", "load_service_model"):
        if not callable(getattr(Loader, method, None)):
            return f"botocore's Loader has no {method}"
    if not isinstance(getattr(Loader(), "_cache", None), dict):
        return "botocore's Loader keeps no _cache dict"
    return None


def _new_loader(data_path: str | None) -> Any:
    """What botocore's `create_loader(data_path)` makes, with trimmed endpoints."""
    parts = data_path.split(os.pathsep) if data_path else []
    return _loader_class()(extra_search_paths=[os.path.expanduser(os.path.expandvars(p)) for p in parts])


def botocore_session(
    *,
    region_name: str | None = None,
    profile_name: str | None = None,
    static_credentials: tuple[str, str] | None = None,
) -> Session:
    """A new botocore session over the process's shared, trimmed data loader (botocore's own in
    stock mode), configured as `boto3.session.Session(...)` configures it (`static_credentials`:
    access key id and secret)."""
    defer_unused_imports()
    import botocore.session

    global _loader  # noqa: PLW0603 - one loader per process
    shared = enabled(SHARED_LOADER, _loader_misfit)
    with _lock:  # botocore sessions are not thread-safe while being set up
        session = botocore.session.get_session()
        if shared:
            if _loader is None:
                _loader = _new_loader(session.get_config_variable("data_path"))
            session.register_component("data_loader", _loader)
    if profile_name is not None:
        session.set_config_variable("profile", profile_name)
    if static_credentials is not None and any(static_credentials):
        session.set_credentials(*static_credentials)
    if region_name is not None:
        session.set_config_variable("region", region_name)
    return session


def boto3_session(
    *,
    region_name: str | None = None,
    profile_name: str | None = None,
    static_credentials: tuple[str, str] | None = None,
) -> boto3.session.Session:
    """A boto3 Session over `botocore_session(...)` (same arguments): its clients share the loader."""
    defer_unused_imports()
    import boto3.session

    core = botocore_session(
        region_name=region_name, profile_name=profile_name, static_credentials=static_credentials
    )
    with _lock:
        session = boto3.session.Session(botocore_session=core)
        if _loader is not None and core.get_component("data_loader") is _loader:
            # Each boto3 Session appends its data directory to the shared loader's search paths.
            paths = _loader.search_paths
            paths[:] = list(dict.fromkeys(paths))
    return session
