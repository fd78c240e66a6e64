"""A small tmpfs mounted for one test (needs root): full and nearly full disks, for real.

Where the OS does not allow mounting, the test is skipped with the reason, and fails under CI=true
(CI runs as root, so a skip there would hide a broken test).
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

from support import linux_only
from support.prerequisites import missing


@contextlib.contextmanager
def small_disk(where: Path, size: str = "2m", *, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where` (empty and read-only with `read_only`) for the block."""
    linux_only.require("A tmpfs mount")
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        missing(f"cannot mount a tmpfs here: {mounted.stderr.strip() or mounted.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Write one file until `disk` has no space left; returns it (delete it to free the space)."""
    filler = disk / "filler.bin"
    block = b"\0" * 4096
    with contextlib.suppress(OSError), filler.open("ab", buffering=0) as out:
        while True:
            out.write(block)
    return filler
