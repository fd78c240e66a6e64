"""A child process for the profile concurrency tests: saves (or reads) profiles in a tight loop.

Usage: python profile_worker.py PROFILES_FILE GO_FILE ROLE WORKER_ID COUNT [--no-lock]
ROLE is "writer" (saves COUNT own profiles, updating the shared one and its presets each time) or
"reader" (lists until a stop file appears, checking every read). Prints one JSON line at the end.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

from app.core import profiles
from app.core.profiles import Profile, ProfileStore


def _wait_for(go: Path) -> None:
    deadline = time.monotonic() + 30
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the go file never appeared")
        time.sleep(0.001)


def _writer(store: ProfileStore, worker: str, count: int) -> dict[str, object]:
    for index in range(count):
        store.save(Profile(name=f"w{worker}-{index}", region="eu-west-1", client_id=f"client{index}"))
        store.save(Profile(name="shared", region="eu-west-1", client_id="shared", last_username=f"w{worker}"))
        store.save_preset("shared", f"w{worker}-{index}", [("writer", worker), ("index", str(index))])
    return {"saved": count}


def _reader(store: ProfileStore, stop: Path) -> dict[str, object]:
    reads = problems = 0
    while not stop.exists():
        store.list()
        reads += 1
        if store.recovered_from is not None or store.problem is not None:
            problems += 1
    return {"reads": reads, "problems": problems, "notice": store.notice}


def main(argv: list[str]) -> int:
    path, go, role, worker, count = Path(argv[0]), Path(argv[1]), argv[2], argv[3], int(argv[4])
    if "--no-lock" in argv:
        profiles.exclusive_lock = lambda *_a, **_k: contextlib.nullcontext()  # type: ignore[attr-defined,assignment]
    store = ProfileStore(path)
    _wait_for(go)
    result = _writer(store, worker, count) if role == "writer" else _reader(store, go.with_name("stop"))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
