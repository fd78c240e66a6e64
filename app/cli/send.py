"""`verifydesk send`: GetUserAttributeVerificationCode with ClientMetadata from options and a file."""

from __future__ import annotations

import argparse
from typing import TextIO

from app.cli.home import RecordingHistory
from app.cli.request import CallOutcome, client_metadata, delivery_text, run_call
from app.core.connection import CognitoConnection
from app.core.recording import send_recorded


def run_send(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    metadata = client_metadata(args)

    def call(
        conn: CognitoConnection, history: RecordingHistory, token: str, username: str | None
    ) -> CallOutcome:
        sent = send_recorded(
            conn, history, access_token=token, username=username,
            attribute_name=args.attribute, client_metadata=metadata,
        )
        if sent.error is not None:
            return CallOutcome.of(sent)
        assert sent.result is not None
        result = sent.result
        delivery = result.delivery.to_api() if result.delivery else None
        payload = {
            "ok": True, "code_delivery_details": delivery, "request_id": result.request_id,
            "latency_ms": round(result.latency_ms, 1), "attempts": result.attempts,
            "history_id": sent.history_id,
        }
        return CallOutcome.of(sent, payload, delivery_text(args.attribute, delivery))

    return run_call(args, metadata, call, stdin=stdin, stdout=stdout, stderr=stderr)
