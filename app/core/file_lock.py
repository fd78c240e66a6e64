"""An exclusive lock between processes, held on a side file (`fcntl` on POSIX, `msvcrt` on Windows).

The lock lives on its own file, not on the data file: atomic writes rename a new file over the
data file, which would leave a lock on the old inode behind.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_TIMEOUT_S = 10.0


class LockTimeoutError(TimeoutError):
    """Another process held the lock for longer than the timeout."""


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def exclusive_lock(path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing) for the body of the `with`.

    Raises LockTimeoutError when another holder keeps it longer than `timeout_s`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout_s
        pause = 0.001
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeoutError(f"{path} stayed locked for more than {timeout_s:g} s")
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
