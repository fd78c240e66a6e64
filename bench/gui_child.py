"""GUI scenarios, one per child process: the real MainWindow (or HistoryView) offscreen, driven the way
a tester drives it (clicks and keys on widgets found by objectName), against a sandbox process.

`python -m bench.gui_child SCENARIO JSON_ARGS` prints one JSON object as its last stdout line.
Scenarios: `send_overhead`, `sends`, `stalls`, `history`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from bench.report import rss_mb

W = TypeVar("W", bound=QWidget)
WAIT_S = 30.0
LEFT = Qt.MouseButton.LeftButton
SEND = "GetUserAttributeVerificationCode"


# --- driving ----------------------------------------------------------------------------------
def find(root: QWidget, kind: type[W], name: str) -> W:
    found = root.findChild(kind, name)
    if found is None:
        raise LookupError(f"no {kind.__name__} named {name!r}")
    return found


async def until(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    """Let the event loop run until `condition()` holds."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")
        await asyncio.sleep(0.002)


async def settle(seconds: float) -> None:
    await asyncio.sleep(seconds)


def type_over(edit: QLineEdit, text: str) -> None:
    """Click into the field, select what is there, type over it key by key."""
    QTest.mouseClick(edit, LEFT)
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    QTest.keyClicks(edit, text)


class PaintClock(QObject):
    """Resolves a future with the time of the first paint of a widget (or any widget inside it)
    after `arm(future)`: nothing polls while a request is in flight."""

    def __init__(self, root: QWidget) -> None:
        super().__init__(root)
        self._waiting: asyncio.Future[float] | None = None
        for widget in [root, *root.findChildren(QWidget)]:
            widget.installEventFilter(self)

    def arm(self, future: asyncio.Future[float]) -> None:
        self._waiting = future

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if self._waiting is not None and event.type() == QEvent.Type.Paint:
            if not self._waiting.done():
                self._waiting.set_result(time.perf_counter())
            self._waiting = None
        return False


class Heartbeat(QObject):
    """A 5 ms precise QTimer on the main thread: the longest gap between ticks is the longest stall."""

    PERIOD_MS = 5

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(self.PERIOD_MS)
        self._timer.timeout.connect(self._tick)
        self._last = time.perf_counter()
        self._max_gap = 0.0
        self.phases: dict[str, float] = {}

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self._max_gap = max(self._max_gap, now - self._last)
        self._last = now

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self._max_gap = 0.0
        yield
        gap = max(self._max_gap, time.perf_counter() - self._last)
        self.phases[name] = round(gap * 1000, 2)


# --- the window -------------------------------------------------------------------------------
def open_window(info: dict[str, Any]) -> Any:
    """The real MainWindow with a sandbox profile saved, as `Sandbox → Start sandbox pool` leaves it."""
    from app.core.paths import app_paths
    from app.core.profile_model import Profile
    from app.core.profiles import ProfileStore
    from app.core.secrets import MemorySecretStore
    from app.ui.window.main_window import MainWindow

    ProfileStore(app_paths().profiles_file).save(Profile(
        name="Bench", region=info["region"], client_id=info["client_id"], endpoint_url=info["endpoint_url"],
        user_pool_id=info["user_pool_id"], sandbox=True,
    ))
    window = MainWindow(secrets=MemorySecretStore())
    window.resize(1280, 800)
    window.show()
    return window


async def sign_in(window: Any, user: dict[str, str]) -> None:
    await until(lambda: window.session.connection is not None, "the profile's connection")
    type_over(find(window, QLineEdit, "usernameEdit"), user["username"])
    type_over(find(window, QLineEdit, "passwordEdit"), user["password"])
    QTest.mouseClick(find(window, QAbstractButton, "signInButton"), LEFT)

    def done() -> bool:
        problem = find(window, QLabel, "signInProblemLabel")
        if problem.isVisible() and problem.text():
            raise RuntimeError(f"sign-in failed: {problem.text()}")
        return window.session.user is not None

    await until(done, "sign-in and GetUser")
    combo = find(window, QComboBox, "attributeCombo")
    edit = combo.lineEdit()
    assert edit is not None
    type_over(edit, "email")


class SendTimer:
    """Click Send, wait for the result to be painted; the time from click to that paint."""

    PAINT_GRACE_MS = 500

    def __init__(self, window: Any) -> None:
        self.window = window
        self.button = find(window, QAbstractButton, "sendButton")
        self.clock = PaintClock(window.result_view)
        self.unpainted = 0
        self._shown: asyncio.Future[float] | None = None
        window.controller.sent.connect(self._sent)

    def _sent(self, recorded: Any) -> None:
        shown = self._shown
        if shown is None or shown.done():
            return
        if recorded.error is not None:
            shown.set_exception(RuntimeError(f"send failed: {recorded.error.code}: {recorded.error.message}"))
            return
        sent_at = time.perf_counter()
        self.clock.arm(shown)

        def unpainted() -> None:  # no paint arrived: count it and take the time the result was set
            if not shown.done():
                self.unpainted += 1
                shown.set_result(sent_at)

        QTimer.singleShot(self.PAINT_GRACE_MS, unpainted)

    async def send(self) -> float:
        """One send; seconds from click to the result's first paint."""
        await until(self.button.isEnabled, "the Send button")
        self._shown = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        QTest.mouseClick(self.button, LEFT)
        shown = await asyncio.wait_for(self._shown, WAIT_S)
        return shown - started


def bare_client(info: dict[str, Any]) -> Any:
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    return boto3.client(
        "cognito-idp", region_name=info["region"], endpoint_url=info["endpoint_url"],
        config=Config(signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": 1}),
    )


def new_user(info: dict[str, Any]) -> dict[str, str]:
    from app.sandbox import SandboxControl

    return SandboxControl(info["endpoint_url"]).create_user()


# --- scenarios ----------------------------------------------------------------------------------
async def send_overhead(args: dict[str, Any]) -> dict[str, Any]:
    """Click → result painted in the window, against the bare boto3 call on an existing client,
    alternating, same token, same metadata-less request."""
    info = args["info"]
    window = open_window(info)
    await sign_in(window, new_user(info))
    timer = SendTimer(window)
    client = bare_client(info)
    token = window.session.access_token

    def bare_call() -> float:
        started = time.perf_counter()
        client.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
        return time.perf_counter() - started

    for _ in range(3):  # warm both paths (first client use, first history rows, first paint)
        await timer.send()
        bare_call()
        await settle(0.05)
    ui, bare = [], []
    for _ in range(args["repeat"]):
        ui.append(await timer.send() * 1000)
        await settle(0.05)  # the inbox refresh after a send finishes before the bare call
        bare.append(bare_call() * 1000)
        await settle(0.02)
    import statistics  # not at the top: a module the app never loads would count in its RSS

    return {"ui_ms": ui, "bare_ms": bare, "ui_median": statistics.median(ui),
            "bare_median": statistics.median(bare), "unpainted": timer.unpainted}


async def sends(args: dict[str, Any]) -> dict[str, Any]:
    """Sign in, then batches of 1, 10 and 100 sends: ms per send per batch, RSS after 100 sends."""
    info = args["info"]
    rss_start = rss_mb()
    window = open_window(info)
    await until(lambda: window.session.connection is not None, "the profile's connection")
    await settle(0.2)
    rss_window = rss_mb()
    await sign_in(window, new_user(info))
    rss_signed_in = rss_mb()
    timer = SendTimer(window)
    per_send: dict[str, float] = {}
    count = 0
    rss_after: float | None = None
    for batch in args["batches"]:
        started = time.perf_counter()
        for _ in range(batch):
            await timer.send()
            count += 1
            if count == args["rss_after"]:
                rss_after = rss_mb()
        per_send[str(batch)] = (time.perf_counter() - started) * 1000 / batch
    return {"per_send_ms": per_send, "sends": count, "rss_start": rss_start, "rss_window": rss_window,
            "rss_signed_in": rss_signed_in, "rss_after_sends": rss_after if rss_after is not None else rss_mb(),
            "unpainted": timer.unpainted}


async def stalls(args: dict[str, Any]) -> dict[str, Any]:
    """The longest main-thread stall while signing in, sending, and loading/filtering/scrolling a
    history of `rows` rows in the window's own history pane."""
    import shutil

    from app.core.paths import app_paths
    from app.ui.history.model import COUNT_CAP

    info = args["info"]
    db = app_paths().ensure().history_db
    shutil.copyfile(args["history_path"], db)
    window = open_window(info)
    await until(lambda: window.session.connection is not None, "the profile's connection")
    await settle(0.5)  # the first paints and the sandbox inbox attach are start-up, not idle
    beat = Heartbeat()
    beat.start()
    with beat.phase("idle (baseline)"):
        await settle(1.0)
    with beat.phase("sign in (SRP)"):
        await sign_in(window, new_user(info))
    timer = SendTimer(window)
    with beat.phase(f"{args['sends']} sends"):
        for _ in range(args["sends"]):
            await timer.send()
    view = window.history_view
    table = find(view, QTableView, "historyTable")
    model = view.model
    with beat.phase("history load (Refresh)"):
        QTest.mouseClick(find(view, QAbstractButton, "refreshHistoryButton"), LEFT)
        await settle(0.3)
    if model.total < min(args["rows"], COUNT_CAP):  # the count stops at its cap ("10,000+ records")
        raise RuntimeError(f"the history pane shows {model.total} records, expected ≥ {args['rows']}")
    with beat.phase("history filter by error code"):
        combo = find(view, QComboBox, "historyErrorCodeCombo")
        combo.setCurrentIndex(combo.findText("LimitExceededException"))
        await settle(0.3)
        combo.setCurrentIndex(0)
        await settle(0.3)
    with beat.phase("history text search (typed)"):
        edit = find(view, QLineEdit, "historyFilterEdit")
        type_over(edit, "foxtrot")
        await settle(0.5)  # the search waits for typing to pause
        type_over(edit, "")
        await settle(0.5)
    with beat.phase("history scroll (PageDown ×30, Ctrl+End, PageUp ×10)"):
        table.setFocus()
        QTest.mouseClick(table.viewport(), LEFT, pos=table.viewport().rect().topLeft() + _offset())
        for _ in range(30):
            QTest.keyClick(table, Qt.Key.Key_PageDown)
            await settle(0.01)
        QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        await settle(0.2)
        for _ in range(10):
            QTest.keyClick(table, Qt.Key.Key_PageUp)
            await settle(0.01)
        await settle(0.2)
    idle = beat.phases.pop("idle (baseline)")
    return {"idle_ms": idle, "phases": beat.phases, "unpainted": timer.unpainted}


def _offset() -> Any:
    from PySide6.QtCore import QPoint

    return QPoint(40, 8)


async def warm_up_view(path: str) -> None:
    """Qt's first table, fonts and style sheet, paid once as the window would: not history's cost."""
    from app.core.history import HistoryStore
    from app.ui.history.view import HistoryView
    from app.ui.widgets.style import stylesheet

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(stylesheet(app.palette()))
    store = HistoryStore(Path(path))
    view = HistoryView(store)
    view.resize(1200, 600)
    view.show()
    view.repaint()
    view.close()
    view.deleteLater()
    await settle(0.05)
    store.close()


def timed_ms(action: Callable[[], object], view: QWidget) -> float:
    """Milliseconds for `action` and the synchronous repaint of `view` after it."""
    started = time.perf_counter()
    action()
    view.repaint()
    return (time.perf_counter() - started) * 1000


async def history(args: dict[str, Any]) -> dict[str, Any]:
    """The real HistoryView over `path`: open, filter by error code, typed text search + Enter,
    Ctrl+End; ms each and the RSS growth from before opening."""
    from app.core.history import HistoryStore
    from app.ui.history.model import COUNT_CAP
    from app.ui.history.view import HistoryView

    await warm_up_view(args["warm_path"])
    rss_before = rss_mb()
    started = time.perf_counter()
    store = HistoryStore(Path(args["path"]))
    view = HistoryView(store)
    view.resize(1200, 600)
    view.show()
    view.repaint()
    open_ms = (time.perf_counter() - started) * 1000
    counted = min(args["rows"], COUNT_CAP)  # the view counts up to its cap ("10,000+ records")
    if view.model.total != counted or view.model.total_is_exact != (args["rows"] <= COUNT_CAP):
        raise RuntimeError(f"the view counts {view.model.total} records, expected {counted}")

    combo = find(view, QComboBox, "historyErrorCodeCombo")
    filter_ms = timed_ms(lambda: combo.setCurrentIndex(combo.findText("LimitExceededException")), view)
    if {r.error_code for r in view.model.records()} != {"LimitExceededException"}:
        raise RuntimeError("filtering by error code did not show only LimitExceededException rows")
    timed_ms(lambda: combo.setCurrentIndex(0), view)

    edit = find(view, QLineEdit, "historyFilterEdit")
    QTest.keyClicks(edit, "foxtrot")
    # Enter searches at once, without waiting for typing to pause.
    search_ms = timed_ms(lambda: QTest.keyClick(edit, Qt.Key.Key_Return), view)
    if view.model.filter.text != "foxtrot" or not view.model.records():
        raise RuntimeError("the text search did not apply or found nothing")
    edit.clear()
    timed_ms(lambda: QTest.keyClick(edit, Qt.Key.Key_Return), view)

    table = find(view, QTableView, "historyTable")
    end_ms = timed_ms(lambda: QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier), view)
    current = view.current_record()
    if current is None or current.id != 1:
        raise RuntimeError("Ctrl+End did not select the oldest record")
    await settle(0.05)  # the gap fill the jump schedules
    rss_growth = rss_mb() - rss_before
    store.close()
    return {"rows": args["rows"], "open_ms": open_ms, "filter_ms": filter_ms, "search_ms": search_ms,
            "end_ms": end_ms, "rss_growth_mb": rss_growth}


SCENARIOS: dict[str, Callable[[dict[str, Any]], Coroutine[Any, Any, dict[str, Any]]]] = {
    "send_overhead": send_overhead, "sends": sends, "stalls": stalls, "history": history,
}


def main(argv: list[str]) -> int:
    import qasync

    scenario, args = SCENARIOS[argv[0]], json.loads(argv[1])
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # closing a warm-up view must not end the run
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(scenario(args))
    print(json.dumps(result), flush=True)
    if os.environ.get("BENCH_PROFILE"):  # under pyinstrument/py-spy: a normal exit writes the profile
        return 0
    os._exit(0)  # skip Qt's and the worker pool's teardown: measured work is done


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
