"""Running blocking core calls off the GUI thread, and keeping background tasks alive.

boto3 calls block; the window awaits them through `run_blocking`, which hands them to a small
thread pool. Tasks started from signal handlers are kept in a set until they finish (asyncio only
keeps weak references) and their failures are reported, never swallowed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    """The shared worker pool for blocking calls (created on first use)."""
    global _executor  # noqa: PLW0603 - one pool per process
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="verifydesk-io")
    return _executor


async def run_blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Await `fn(*args, **kwargs)` run in the worker pool."""
    return await start_blocking(fn, *args, **kwargs)


def start_blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> asyncio.Future[T]:
    """Hand `fn(*args, **kwargs)` to the worker pool now and return the future of its result.

    `run_blocking` starts the call only when its coroutine first runs, after the event loop has
    turned (and repainted); a click handler that starts the call itself saves that wait.
    """
    loop = asyncio.get_running_loop()
    return loop.run_in_executor(executor(), functools.partial(fn, *args, **kwargs))


class TaskKeeper:
    """Strong references to running tasks; failures go to `on_error` (and the log)."""

    def __init__(self, on_error: Callable[[BaseException], None] | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        if name:
            task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            _log.error("Background task %s failed", task.get_name(), exc_info=error)
            if self._on_error is not None:
                self._on_error(error)

    @property
    def running(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
