"""boto3 sessions that share one botocore data loader per process.

Every boto3 Session otherwise builds its own loader, which parses and keeps its own copy of
botocore's data: endpoints.json alone becomes 7 MB of objects, the cognito-idp model 3 MB. The
window creates a session for the tester's connection and others for the signed admin clients
(trigger insight): measured +10-12 MB per extra session. The loader only reads files and caches
what it parsed; sharing it between sessions is what one session does for its own clients.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boto3.session import Session

_lock = threading.Lock()
_loader: Any = None


def boto3_session(**kwargs: Any) -> Session:
    """`boto3.session.Session(**kwargs)` over the process's shared data loader."""
    import boto3
    import botocore.session

    global _loader  # noqa: PLW0603 - one loader per process
    with _lock:  # botocore sessions are not thread-safe while being set up
        core = botocore.session.get_session()
        if _loader is None:
            _loader = core.get_component("data_loader")
        else:
            core.register_component("data_loader", _loader)
        session = boto3.session.Session(botocore_session=core, **kwargs)
        paths = _loader.search_paths  # boto3 appends its own data directory for each session
        paths[:] = list(dict.fromkeys(paths))
        return session
