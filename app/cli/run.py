"""Running one of the commands that work on the history: `send`, `verify`, `update-attribute`,
`preflight`, `run` and `history`.

Bad input is reported at its option (one JSON object with --json), never as a traceback. Ctrl+C or
SIGTERM stops the command with one line and exit 128 + the signal: the attempt in flight, if any,
keeps its pending row, which history reads as interrupted once this process has ended.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from app.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_SIGNAL_BASE,
    BadInputError,
    bad_input_payload,
    emit_json,
    shown,
)
from app.cli.home import home_error, require_room
from app.cli.request import CallCancelled
from app.core.paths import app_paths


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise CallCancelled(signum, None)


@contextmanager
def _sigterm_cancels() -> Iterator[None]:
    """SIGTERM cancels like Ctrl+C while a command runs (signal handlers live in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _report_cancelled(stop: KeyboardInterrupt, as_json: bool, stdout: TextIO, stderr: TextIO) -> int:
    signum = getattr(stop, "signum", signal.SIGINT)
    row = getattr(stop, "history_id", None)
    how = "Ctrl+C" if signum == signal.SIGINT else signal.Signals(signum).name
    message = f"cancelled ({how})" + (
        f"; the answer was not awaited, history #{row} reads as interrupted." if row is not None else ".")
    if as_json:
        emit_json(stdout, {
            "ok": False,
            "error": {"code": "Cancelled", "message": message, "field": None,
                      "http_status": None, "request_id": None, "guidance": None},
            "history_id": row,
        })
    stderr.write(f"verifydesk: {message}\n")
    return EXIT_SIGNAL_BASE + signum


def _run(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from app.core.logs import configure_logging

    paths = app_paths()
    if args.command != "history":
        require_room(paths)
    try:
        configure_logging(paths)
    except OSError as exc:
        raise home_error(paths.log_dir, exc) from None
    if args.command == "history":
        from app.cli.history import run_history

        return run_history(args, stdout, stderr)
    if args.command == "send":
        from app.cli.send import run_send

        return run_send(args, stdin, stdout, stderr)
    if args.command == "update-attribute":
        from app.cli.update import run_update

        return run_update(args, stdin, stdout, stderr)
    if args.command == "preflight":
        from app.cli.preflight import run_preflight_command

        return run_preflight_command(args, stdin, stdout, stderr)
    if args.command == "run":
        from app.cli.suite import run_suite

        return run_suite(args, stdout, stderr)
    from app.cli.verify import run_verify

    return run_verify(args, stdin, stdout, stderr)


def run_command(args: argparse.Namespace, *, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Run `send`, `verify`, `update-attribute`, `preflight`, `run` or `history`; bad input is
    reported at its option, never a traceback."""
    as_json = bool(getattr(args, "json", False))
    try:
        with _sigterm_cancels():
            return _run(args, stdin, stdout, stderr)
    except BadInputError as exc:
        if as_json:
            emit_json(stdout, bad_input_payload(exc.field, exc.message))
        else:
            stderr.write(f"verifydesk: {exc.field}: {shown(exc.message)}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as stop:
        return _report_cancelled(stop, as_json, stdout, stderr)
