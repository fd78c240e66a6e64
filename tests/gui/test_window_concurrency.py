"""The window and other processes sharing one VERIFYDESK_HOME at the same time.

History: the window sends again and again through its real send path while `python -m app send`
processes keep running against the same sandbox and history file; afterwards every request the
sandbox saw has exactly one history row, none pending, and the file is sound.
Profiles: writer processes save profiles and presets in a tight loop while the window, holding its
profile store open, saves presets and reloads its list; nothing is lost and no file is torn or
recovered.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.core.history import HistoryFilter, HistoryStore
from app.core.models import Outcome
from app.core.paths import app_paths
from app.core.profiles import ProfileStore
from app.core.validation import MetadataRow

from support.sandbox_session import connect, signed_in
from support.window_driver import (
    PROFILE,
    SEND,
    WAIT_MS,
    click,
    find,
    open_window,
    pick_attribute,
    save_sandbox_profile,
    sign_in,
    wait_result,
)

pytestmark = [pytest.mark.gui, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
WORKER = REPO / "tests" / "support" / "profile_worker.py"
WINDOW_SENDS = 12
CLI_PARALLEL = 2


def _cli_send(info: Any, token: str, index: int) -> subprocess.Popen[str]:
    env = {**os.environ, "VERIFYDESK_ACCESS_TOKEN": token, "PYTHONPATH": str(REPO)}
    argv = [
        sys.executable, "-m", "app", "send", "--json", "--endpoint-url", info.endpoint_url,
        "--region", info.region, "--client-id", info.client_id, "--attribute", "email",
        "--metadata", f"cli={index}",
    ]
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_window_and_cli_processes_sending_at_once_lose_no_history_row(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, fresh_user: dict[str, str],
) -> None:
    sandbox.control.clear_faults()
    info = sandbox.info
    save_sandbox_profile(info)
    window = open_window(qtbot)
    sign_in(qtbot, window, fresh_user["username"], fresh_user["password"])
    pick_attribute(qtbot, window, "email")
    cli_token = signed_in(connect(info), fresh_user).access_token  # the CLI's own session
    baseline = sandbox.control.request_count(SEND)

    running: list[subprocess.Popen[str]] = []
    finished: list[tuple[int, str, str]] = []
    overlapped = 0  # window sends that completed while a CLI process was alive

    def keep_cli_busy() -> None:
        for child in [c for c in running if c.poll() is not None]:
            out, err = child.communicate()
            finished.append((child.returncode, out, err))
            running.remove(child)
        while len(running) < CLI_PARALLEL:
            running.append(_cli_send(info, cli_token, len(finished) + len(running)))

    keep_cli_busy()
    for _ in range(WINDOW_SENDS):
        keep_cli_busy()
        click(qtbot, window, "sendButton")
        wait_result(qtbot, window, "success")
        overlapped += any(c.poll() is None for c in running)
    for child in running:
        out, err = child.communicate(timeout=60)
        finished.append((child.returncode, out, err))

    assert overlapped >= WINDOW_SENDS // 2, "the CLI processes hardly overlapped the window's sends"
    assert all(code == 0 and json.loads(out)["ok"] for code, out, _ in finished), finished
    cli_sends = len(finished)
    total = WINDOW_SENDS + cli_sends
    assert sandbox.control.request_count(SEND) - baseline == total

    with HistoryStore(app_paths().history_db) as store:
        assert store.check_integrity() == []
        rows = store.page(HistoryFilter(), limit=total + 10)
    assert len(rows) == total
    assert {r.outcome for r in rows} == {Outcome.SUCCESS}
    from_cli = sorted(int(r.client_metadata["cli"]) for r in rows if "cli" in r.client_metadata)
    assert from_cli == list(range(cli_sends))
    assert sum(1 for r in rows if r.profile_name == PROFILE) == WINDOW_SENDS
    # The window's own history view shows every row once it re-reads the file.
    window.history_view.refresh()
    table = find(window, QTableView, "historyTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == total, timeout=WAIT_MS)


def test_profile_edits_from_other_processes_and_the_window_at_once_corrupt_nothing(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, sandbox: Any, tmp_path: Path,
) -> None:
    save_sandbox_profile(sandbox.info)
    window = open_window(qtbot)
    path = app_paths().profiles_file
    editor = window.request_panel.metadata
    editor.set_rows([MetadataRow("campaign", "spring"), MetadataRow("window", "yes")])

    go = tmp_path / "go"
    writers, saves = 2, 30
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = [
        # Paced (10 ms between rounds) so their writing lasts long enough for the window to save
        # several presets meanwhile, however fast or loaded the machine.
        subprocess.Popen([sys.executable, str(WORKER), str(path), str(go), "writer", str(n), str(saves),
                          "--pause-ms", "10"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(writers)
    ]
    ready = [tmp_path / f"ready-{n}" for n in range(writers)]
    qtbot.waitUntil(lambda: all(flag.exists() for flag in ready), timeout=60_000)  # imported, store open
    go.touch()  # all start together
    window_presets: list[str] = []
    saved_while_writing = 0
    while any(child.poll() is None for child in children) or len(window_presets) < 5:
        name = f"window-{len(window_presets)}"
        writing = any(child.poll() is None for child in children)
        assert editor.save_preset(name), editor.message_text()
        window_presets.append(name)
        saved_while_writing += writing
        window.connection_panel.reload()
        qtbot.wait(20)
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err

    assert saved_while_writing >= 3, "the window's saves hardly overlapped the other processes'"
    assert window.profiles.notice is None
    store = ProfileStore(path)
    assert store.recovered_from is None and store.problem is None
    expected = {f"w{w}-{i}" for w in range(writers) for i in range(saves)} | {"shared", PROFILE}
    assert set(store.names()) == expected
    assert set(store.list_presets(PROFILE)) == set(window_presets)
    assert store.list_presets(PROFILE)["window-0"] == [("campaign", "spring"), ("window", "yes")]
    assert len(store.list_presets("shared")) == writers * saves
    json.loads(path.read_text(encoding="utf-8"))  # one whole JSON document
    assert not [p for p in path.parent.iterdir() if ".corrupt-" in p.name or p.name.endswith(".tmp")]
    # The window's profile list shows what the other processes saved.
    window.connection_panel.reload()
    combo = window.connection_panel.combo
    assert {combo.itemData(i) for i in range(combo.count())} == expected
