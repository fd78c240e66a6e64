"""Is the process that wrote a pending row still running?

A pid alone can be reused (containers restart with the same small pids), so on Linux each row also
carries a token: the boot id and the process's start time. A live pid with another token, or a
zombie, is a dead writer.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _linux_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks) of `pid`, or None when /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]  # fields 3 (state) and 22 (starttime) of proc(5)


def process_token(pid: int) -> str | None:
    """A string that changes when `pid` is reused; None where the platform cannot tell."""
    stat = _linux_stat(pid)
    if stat is None:
        return None
    return f"{_boot_id()}:{stat[1]}"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import ctypes

    def _pid_exists(pid: int) -> bool:
        # os.kill(pid, 0) would terminate the process on Windows: ask the kernel instead.
        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)

else:

    def _pid_exists(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # another user's process
        return True


def is_alive(pid: int | None, token: str | None) -> bool:
    """True while the process that wrote (pid, token) still runs."""
    if pid is None or pid <= 0:
        return False
    if not _pid_exists(pid):
        return False
    stat = _linux_stat(pid)
    if stat is not None:
        if stat[0] in ("Z", "X"):
            return False
        if token is not None and process_token(pid) != token:
            return False
    return True
