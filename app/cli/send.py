"""`verifydesk send`: GetUserAttributeVerificationCode with ClientMetadata from options and a file;
with `--code-from`, then wait for the code in that source and verify it."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime
from typing import TextIO

from app.cli.code_from import (
    check_code_from,
    error_text,
    open_code_from,
    real_value,
    source_failed,
    verify_text,
    wait_and_verify,
)
from app.cli.common import EXIT_OK, EXIT_SERVICE_ERROR
from app.cli.home import RecordingHistory
from app.cli.request import CallOutcome, client_metadata, delivery_text, run_call
from app.core.connection import CognitoConnection
from app.core.errors import ServiceError
from app.core.recording import send_recorded


def run_send(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    metadata = client_metadata(args)
    code_from = check_code_from(args)

    def call(
        conn: CognitoConnection, history: RecordingHistory, token: str, username: str | None
    ) -> CallOutcome:
        source = destination = None
        if code_from is not None:  # before the send: a source that cannot be used sends nothing
            try:
                source = open_code_from(args, code_from, conn.settings)
                destination = real_value(conn, token, args.attribute)
            except ServiceError as error:
                failed = source_failed(error)
                return CallOutcome(failed, "\n".join(error_text(failed["error"])),
                                   exit_code=EXIT_SERVICE_ERROR)
        sent_after = datetime.now(UTC)
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
        text = delivery_text(args.attribute, delivery)
        if source is None or destination is None:
            return CallOutcome.of(sent, payload, text)
        verify = wait_and_verify(source, conn, history, token=token, username=username,
                                 attribute=args.attribute, destination=destination, sent_after=sent_after)
        payload.update(ok=verify["ok"], verify=verify)
        text += "\n" + verify_text(args.attribute, verify)
        exit_code = EXIT_OK if verify["ok"] else EXIT_SERVICE_ERROR
        return replace(CallOutcome.of(sent, payload, text), exit_code=exit_code)

    return run_call(args, metadata, call, stdin=stdin, stdout=stdout, stderr=stderr)
