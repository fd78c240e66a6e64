"""Serving in the foreground until Ctrl+C or SIGTERM (`verifydesk sandbox`, `verifydesk lambda-runner`)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType


def serve_until_signalled(announce: Callable[[], None]) -> None:
    """Catch SIGINT and SIGTERM, call `announce` (print what is being served), then block until one
    of them arrives; the previous handlers are back afterwards."""
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        announce()
        while not stop.wait(0.2):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
