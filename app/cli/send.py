"""`verifydesk send`: GetUserAttributeVerificationCode with ClientMetadata from options and a file."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TextIO

from app.cli.common import BadInputError, shown
from app.cli.home import RecordingHistory
from app.cli.request import CallOutcome, run_call
from app.core.connection import CognitoConnection
from app.core.recording import send_recorded
from app.core.validation import MetadataImportError, parse_metadata_assignments, read_metadata_file


def _metadata(args: argparse.Namespace) -> dict[str, str]:
    metadata: dict[str, str] = {}
    if args.metadata_file:
        try:
            metadata.update(read_metadata_file(args.metadata_file))
        except MetadataImportError as exc:
            raise BadInputError("--metadata-file", exc.message) from None
    try:
        from_args = parse_metadata_assignments(args.metadata)
    except MetadataImportError as exc:
        raise BadInputError("--metadata", exc.message) from None
    clashes = sorted(set(metadata) & set(from_args))
    if clashes:
        raise BadInputError("--metadata", f"Keys given twice (file and --metadata): {', '.join(clashes)}.")
    metadata.update(from_args)
    return metadata


def delivery_text(attribute: object, delivery: Mapping[str, object] | None) -> str:
    """The line that says where the code went; every value from the server shown escaped."""
    if not delivery:
        return f"Code sent for {shown(attribute)}: no CodeDeliveryDetails in the response"
    medium, destination = delivery.get("DeliveryMedium"), delivery.get("Destination")
    return f"Code sent for {shown(attribute)}: {shown(medium)} to {shown(destination)}"


def run_send(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    metadata = _metadata(args)

    def call(
        conn: CognitoConnection, history: RecordingHistory, token: str, username: str | None
    ) -> CallOutcome:
        sent = send_recorded(
            conn, history, access_token=token, username=username,
            attribute_name=args.attribute, client_metadata=metadata,
        )
        if sent.error is not None:
            return CallOutcome(error=sent.error, history_id=sent.history_id)
        assert sent.result is not None
        result = sent.result
        delivery = result.delivery.to_api() if result.delivery else None
        payload = {
            "ok": True, "code_delivery_details": delivery, "request_id": result.request_id,
            "latency_ms": round(result.latency_ms, 1), "attempts": result.attempts,
            "history_id": sent.history_id,
        }
        return CallOutcome(payload, delivery_text(args.attribute, delivery))

    return run_call(args, metadata, call, stdin=stdin, stdout=stdout, stderr=stderr)
