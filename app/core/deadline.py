"""A total deadline for one blocking HTTP call: connecting, waiting and reading the body together.

botocore's read timeout bounds each socket read, so a server that sends a byte every half second
keeps a call alive for as long as it likes. Inside `within(seconds, sockets)` the sockets the calling
thread connects are noted (Python's `socket.connect` audit event) in the connection's `SocketSet`;
one watchdog thread for the process shuts them down when the deadline passes, so the blocked read
fails at once, and `Watch.fired` tells the caller that failure was the deadline. The call keeps
running on its own thread (no hand-off per call); the watchdog only wakes for deadlines.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

_local = threading.local()


class DeadlineExceeded(Exception):  # noqa: N818 - reads as what happened
    """Raised before a new request is sent once the call's deadline has passed."""


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


class Watch:
    """One call's deadline; `fired` once it passed before the call ended."""

    def __init__(self, sockets: SocketSet) -> None:
        self.sockets = sockets
        self.fired = False
        self.done = False


class _Watchdog:
    """One thread for the process, sleeping until the earliest deadline of the calls in flight."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, at: float, watch: Watch) -> None:
        with self._wake:
            earliest = self._heap[0][0] if self._heap else None
            heapq.heappush(self._heap, (at, next(self._order), watch))
            if self._thread is None:
                sys.addaudithook(_audit)
                self._thread = threading.Thread(target=self._run, name="call-deadlines", daemon=True)
                self._thread.start()
            elif earliest is None or at < earliest:
                self._wake.notify()  # only an earlier deadline than the one it sleeps for wakes it

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                at, _, watch = self._heap[0]
                delay = at - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._heap)
                watch.fired = True
            watch.sockets.shut_down()


_watchdog = _Watchdog()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        watch: Watch | None = getattr(_local, "watch", None)
        if watch is not None and isinstance(args[0], socket.socket):
            watch.sockets.add(args[0])


@contextlib.contextmanager
def within(seconds: float, sockets: SocketSet) -> Iterator[Watch]:
    """Bound the block's HTTP traffic on this thread to `seconds` in all (see the module docstring)."""
    watch = Watch(sockets)
    outer = getattr(_local, "watch", None)
    _local.watch = watch
    _watchdog.watch(time.monotonic() + seconds, watch)
    try:
        yield watch
    finally:
        watch.done = True
        _local.watch = outer


def check_deadline(**_: Any) -> None:
    """A botocore `before-send` handler: no new request (a retry) once this thread's deadline passed."""
    watch: Watch | None = getattr(_local, "watch", None)
    if watch is not None and watch.fired:
        raise DeadlineExceeded("the call's deadline passed")
