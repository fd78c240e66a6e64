"""Codes from a real IMAP server (Dovecot, as in the tests): mail landing → code with IDLE, and finding
the code in a 10,000-message mailbox, each beside a bare IMAPClient doing the same fetch."""

from __future__ import annotations

import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Figure, interleaved_medians

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the Dovecot fixture


def _bare_fetch(server: Any, user: str, to: str) -> float:
    """A bare IMAPClient: connect, log in, EXAMINE, SEARCH for the recipient, fetch the message."""
    from imapclient import IMAPClient

    from support.dovecot import PASSWORD

    started = time.perf_counter()
    with IMAPClient("127.0.0.1", server.imap_port, ssl=False, timeout=30) as client:
        client.login(user, PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["HEADER", "To", to])
        client.fetch(uids[-1:], ["BODY.PEEK[]"])
    return (time.perf_counter() - started) * 1000


def _source(server: Any, user: str) -> Any:
    from app.core.codes import SourceContext, open_source, parse_source_spec

    from support.dovecot import PASSWORD

    return open_source(parse_source_spec(server.url(user)),
                       SourceContext(environ={"VERIFYDESK_IMAP_PASSWORD": PASSWORD}, use_idle=True))


def _landing_to_code(server: Any, number: int) -> float:
    """Start a wait, let it settle in IDLE, APPEND the message; ms from APPEND done to the code."""
    from app.core.codes import CodeQuery

    from support.dovecot import ses_message

    to = f"qa+land{number}@example.test"
    source = _source(server, "qa")
    result: dict[str, float] = {}

    def wait() -> None:
        source.wait(CodeQuery(to, datetime.now(UTC) - timedelta(seconds=1), 30), threading.Event())
        result["done"] = time.perf_counter()

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.5)
    server.append("qa", ses_message(to, f"{700000 + number}"))
    landed = time.perf_counter()
    waiter.join(30)
    return (result["done"] - landed) * 1000


def _big_mailbox(server: Any, size: int) -> None:
    from imapclient import IMAPClient

    from support.dovecot import PASSWORD, ses_message

    old = datetime.now(UTC) - timedelta(days=3)
    template = ses_message("user{n}@example.test", "{code}", when=old)
    server.write_maildir("bulk", [template.replace(b"{n}", b"%d" % n).replace(b"{code}", b"%d" % (100000 + n))
                                  for n in range(size)], old)
    with IMAPClient("127.0.0.1", server.imap_port, ssl=False, timeout=120) as client:
        client.login("bulk", PASSWORD)
        client.select_folder("INBOX", readonly=True)  # Dovecot indexes the mailbox once, here


def run(*, quick: bool) -> tuple[list[Figure], list[str]]:
    try:
        from support.dovecot import dovecot_server, ses_message
    except ImportError as exc:
        return [], [f"Skipped: {exc}"]
    import pytest

    from app.core.codes import CodeQuery

    repeat, size = (3, 1_000) if quick else (11, 10_000)
    try:
        with dovecot_server(("qa", "bulk")) as server:
            landing = [_landing_to_code(server, n) for n in range(repeat)]
            bare_landing = statistics.median(_bare_fetch(server, "qa", f"qa+land{n}@example.test")
                                             for n in range(repeat))
            _big_mailbox(server, size)
            sent = datetime.now(UTC)
            server.append("bulk", ses_message("user42@example.test", "565656"), when=sent)
            query = CodeQuery("user42@example.test", sent, 30)
            found, bare = interleaved_medians(
                lambda: _timed(lambda: _source(server, "bulk").wait(query, threading.Event())),
                lambda: _bare_fetch(server, "bulk", "user42@example.test"),
                repeat=repeat,
            )
    except pytest.skip.Exception as exc:
        return [], [f"Skipped: {exc}"]
    figures = [
        Figure("mail landing → code (IMAP IDLE, Dovecot)", statistics.median(landing), "ms", 1000,
               kind="absolute", baseline=bare_landing, baseline_name="bare IMAPClient fetch of it"),
        Figure(f"code found in a {size:,}-message mailbox (IMAP)", found, "ms", 2.0,
               baseline=bare, baseline_name="bare IMAPClient SEARCH + fetch"),
    ]
    lines = [f"Mail landing → code, each run (ms): {', '.join(f'{v:.0f}' for v in landing)}."]
    return figures, lines


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000
