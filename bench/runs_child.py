"""The window's longest main-thread stall during a suite run from the Runs tab, in a child process
of its own: the real MainWindow offscreen, the suite opened and Run all clicked, a 5 ms heartbeat
on the GUI thread (bench.gui_child's) measuring the longest gap until the run has finished.

`python -m bench.runs_child suite_run JSON_ARGS` prints one JSON object as its last stdout line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication

from bench.gui_child import LEFT, Heartbeat, find, new_user, open_window, settle, until
from bench.suite_bench import _write_suite


async def suite_run(args: dict[str, Any]) -> dict[str, Any]:
    """Idle heartbeat, then Run all on a `cases`-case suite (one send per case, checks, history)."""
    from app.ui.runs.panel import RunsPanel

    info = args["info"]
    user = new_user(info)
    os.environ["BENCH_PASSWORD"] = user["password"]  # the suite names the password by this variable
    folder = Path(tempfile.mkdtemp())
    path = _write_suite(folder, info, user, args["cases"])
    window = open_window(info)
    await until(lambda: window.session.connection is not None, "the profile's connection")
    window.parts.runs_dock.show()
    window.parts.runs_dock.raise_()  # the panel is built on the tab's first show
    panel = window.findChild(RunsPanel, "runsPanel")
    assert panel is not None
    panel.open_suite(path)
    await until(lambda: panel.suite is not None or bool(panel.problems), "the suite to open")
    if panel.problems:
        raise RuntimeError(f"the bench suite is invalid: {panel.problems[0]}")
    await settle(0.5)  # first paints of the tab
    beat = Heartbeat()
    beat.start()
    with beat.phase("idle"):
        await settle(1.0)
    results: list[dict[str, Any]] = []
    panel.run_finished.connect(results.append)
    started = time.perf_counter()
    with beat.phase("run"):
        QTest.mouseClick(find(panel, QAbstractButton, "runAllButton"), LEFT)
        await until(lambda: bool(results), "the run to finish", timeout_s=600)
        await settle(0.1)  # the last statuses and history rows painted
    seconds = time.perf_counter() - started
    payload = results[0]
    if payload.get("passed") != args["cases"]:
        raise RuntimeError(f"the bench suite did not pass: {json.dumps(payload)[:500]}")
    return {"idle_ms": beat.phases["idle"], "run_ms": beat.phases["run"], "cases": args["cases"],
            "seconds": seconds}


def main(argv: list[str]) -> int:
    import qasync

    if argv[0] != "suite_run":
        raise SystemExit(f"unknown scenario {argv[0]!r} (this module has suite_run)")
    args = json.loads(argv[1])
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(suite_run(args))
    print(json.dumps(result), flush=True)
    os._exit(0)  # skip Qt's and the worker pool's teardown: measured work is done


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
