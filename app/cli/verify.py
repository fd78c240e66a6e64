"""`verifydesk verify`: VerifyUserAttribute with the code that was delivered (never stored), given with
`--code` or waited for in a code source with `--code-from`."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.code_from import (
    check_code_from,
    error_text,
    lookback_start,
    open_code_from,
    real_value,
    source_failed,
    verify_text,
    wait_and_verify,
)
from app.cli.common import EXIT_SERVICE_ERROR, shown
from app.cli.home import RecordingHistory
from app.cli.request import CallOutcome, run_call
from app.core.connection import CognitoConnection
from app.core.errors import ServiceError
from app.core.recording import verify_recorded


def run_verify(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    code_from = check_code_from(args)

    def call(
        conn: CognitoConnection, history: RecordingHistory, token: str, username: str | None
    ) -> CallOutcome:
        if code_from is not None:
            return _verify_from_source(conn, history, token, username)
        verified = verify_recorded(
            conn, history, access_token=token, username=username,
            attribute_name=args.attribute, code=args.code,
        )
        if verified.error is not None:
            return CallOutcome.of(verified)
        assert verified.result is not None
        payload = {
            "ok": True, "request_id": verified.result.request_id,
            "latency_ms": round(verified.result.latency_ms, 1),
            "attempts": verified.result.attempts, "history_id": verified.history_id,
        }
        return CallOutcome.of(verified, payload, f"{shown(args.attribute)} verified.")

    def _verify_from_source(
        conn: CognitoConnection, history: RecordingHistory, token: str, username: str | None
    ) -> CallOutcome:
        assert code_from is not None
        try:
            source = open_code_from(args, code_from, conn.settings)
            destination = real_value(conn, token, args.attribute)
        except ServiceError as error:
            failed = source_failed(error)
            return CallOutcome(failed, "\n".join(error_text(failed["error"])), exit_code=EXIT_SERVICE_ERROR)
        verify = wait_and_verify(source, conn, history, token=token, username=username,
                                 attribute=args.attribute, destination=destination,
                                 sent_after=lookback_start())
        payload: dict[str, Any] = {**verify, "attempts": 1 if verify["history_id"] else None}
        text = verify_text(args.attribute, verify)
        if not verify["ok"]:
            return CallOutcome(payload, text, history_id=verify["history_id"], exit_code=EXIT_SERVICE_ERROR)
        return CallOutcome(payload, text)

    return run_call(args, {}, call, stdin=stdin, stdout=stdout, stderr=stderr)
