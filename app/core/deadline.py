"""A total deadline for one blocking HTTP call: connecting, waiting and reading the body together.

botocore's read timeout bounds each socket read, so a server that sends a byte every half second
keeps a call alive for as long as it likes. `run_within` runs the call in a worker thread and waits
at most the deadline. The sockets a connection's calls open are noted through Python's
`socket.connect` audit event; when a deadline passes they are shut down, so the worker's blocked
read ends at once instead of lingering with the server.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_hook_lock = threading.Lock()
_hook_installed = False


class DeadlineExceeded(Exception):  # noqa: N818 - reads as what happened
    """The call did not finish within its deadline; its sockets were shut down."""


class SocketSet:
    """The sockets opened by one connection's calls (weakly held: closed ones just disappear)."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def shut_down(self) -> None:
        """End every noted socket's traffic; a pooled one that was idle is simply reconnected."""
        with self._lock:
            sockets = list(self._sockets)
            self._sockets = weakref.WeakSet()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        noted: SocketSet | None = getattr(_local, "sockets", None)
        if noted is not None and isinstance(args[0], socket.socket):
            noted.add(args[0])


def _install_hook() -> None:
    global _hook_installed  # noqa: PLW0603 - one audit hook per process
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True


class _Outcome:
    value: Any = None
    error: BaseException | None = None


def run_within(seconds: float, call: Callable[[], T], sockets: SocketSet) -> T:
    """`call()`'s result or exception, or DeadlineExceeded after `seconds` (and `sockets` shut down)."""
    _install_hook()
    outcome = _Outcome()
    done = threading.Event()

    def work() -> None:
        _local.sockets = sockets
        try:
            outcome.value = call()
        except BaseException as exc:  # handed to the waiting caller
            outcome.error = exc
        finally:
            _local.sockets = None
            done.set()

    threading.Thread(target=work, name="cognito-call", daemon=True).start()
    if not done.wait(seconds):
        sockets.shut_down()
        raise DeadlineExceeded(f"no complete response within {seconds:g} s")
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[no-any-return]
