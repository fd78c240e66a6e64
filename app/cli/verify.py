"""`verifydesk verify`: VerifyUserAttribute with the code that was delivered (never stored)."""

from __future__ import annotations

import argparse
from typing import TextIO

from app.cli.common import shown
from app.cli.home import RecordingHistory
from app.cli.request import CallOutcome, run_call
from app.core.connection import CognitoConnection
from app.core.recording import verify_recorded


def run_verify(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    def call(
        conn: CognitoConnection, history: RecordingHistory, token: str, username: str | None
    ) -> CallOutcome:
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

    return run_call(args, {}, call, stdin=stdin, stdout=stdout, stderr=stderr)
