"""`verifydesk update-attribute`: UpdateUserAttributes of one attribute as the signed-in user, with
ClientMetadata; says whether the new value is active or pending (the pool keeps the original until the
new value's code is verified), and where the code went. With `--code-from`, then waits for the code sent
to the new value in that source and verifies it."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from app.cli.code_from import (
    check_code_from,
    error_text,
    no_code_sent,
    open_code_from,
    source_failed,
    verify_text,
    wait_and_verify,
)
from app.cli.common import EXIT_OK, EXIT_SERVICE_ERROR, BadInputError, shown
from app.cli.home import RecordingHistory
from app.cli.request import CallOutcome, client_metadata, delivery_text, run_call
from app.core.connection import CognitoConnection
from app.core.error_catalogue import AWS_PROFILE_NOT_FOUND
from app.core.errors import ServiceError
from app.core.models import ValueState
from app.core.pool_admin import AttributePolicy
from app.core.recording import RecordedUpdate, update_recorded


class _PoolPolicy:
    """The pool's attribute policy, read with DescribeUserPool when `--aws-profile` is given."""

    def __init__(self, aws_profile: str | None) -> None:
        self.aws_profile = aws_profile
        self.policy: AttributePolicy | None = None

    def read(self, conn: CognitoConnection) -> tuple[str, ...] | None:
        """The pool's attribute names (None when the pool did not say); raises ServiceError."""
        from app.core.pool_admin import describe_pool_triggers

        settings = conn.settings
        if not settings.user_pool_id:
            raise BadInputError("--user-pool-id",
                                "Give the user pool id with --aws-profile: DescribeUserPool reads that pool.")
        try:
            info = describe_pool_triggers(
                settings.user_pool_id, region=settings.region, aws_profile=self.aws_profile,
                endpoint_url=settings.effective_endpoint_url, read_timeout_s=settings.read_timeout_s,
            )
        except ServiceError as error:
            if error.code == AWS_PROFILE_NOT_FOUND:
                raise BadInputError("--aws-profile", error.message) from None
            raise
        self.policy = info.attribute_policy
        return self.policy.attributes if self.policy and self.policy.attributes else None


def _pending(updated: RecordedUpdate) -> bool | None:
    """True when the pool kept the original, False when the new value is active, None when unknown."""
    return None if updated.value_state is None else updated.value_state is ValueState.PENDING


def _change_text(attribute: str, updated: RecordedUpdate, deliveries: Sequence[dict[str, str]]) -> str:
    """What the change did, in words; every value shown escaped."""
    name, new = shown(attribute), shown(updated.new_value)
    if updated.value_state is ValueState.PENDING:
        old = shown(updated.old_value) if updated.old_value else "the old value"
        first = (f"{name} change to {new} is pending: GetUser and sign-in still use {old} until the new "
                 f"value's code is verified (verifydesk verify --attribute {name} --code CODE)")
    elif updated.value_state is ValueState.APPLIED:
        first = f"{name} changed to {new}" + (" (not verified yet)" if deliveries else "")
    else:
        first = f"{name} change to {new} sent; whether it is active or pending is not known (GetUser failed)"
    lines = [first, *(delivery_text(d.get("AttributeName", attribute), d) for d in deliveries)]
    return "\n".join(lines)


def run_update(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    metadata = client_metadata(args)
    pool = _PoolPolicy(args.aws_profile) if args.aws_profile else None
    code_from = check_code_from(args)

    def call(
        conn: CognitoConnection, history: RecordingHistory, token: str, username: str | None
    ) -> CallOutcome:
        source = None
        if code_from is not None:  # before the change: a source that cannot be used changes nothing
            try:
                source = open_code_from(args, code_from, conn.settings)
            except ServiceError as error:
                failed = source_failed(error)
                return CallOutcome(failed, "\n".join(error_text(failed["error"])),
                                   exit_code=EXIT_SERVICE_ERROR)
        sent_after = datetime.now(UTC)
        updated = update_recorded(
            conn, history, access_token=token, username=username, attribute_name=args.attribute,
            new_value=args.value, client_metadata=metadata, policy=pool.policy if pool else None,
        )
        if updated.error is not None:
            return CallOutcome.of(updated)
        assert updated.result is not None
        result = updated.result
        deliveries = [d.to_api() for d in result.deliveries]
        payload: dict[str, Any] = {
            "ok": True, "attribute": args.attribute, "code_delivery_details_list": deliveries,
            "pending": _pending(updated),
            "value_state": None if updated.value_state is None else updated.value_state.value,
            "old_value": updated.old_value, "request_id": result.request_id,
            "latency_ms": round(result.latency_ms, 1), "attempts": result.attempts,
            "history_id": updated.history_id,
        }
        text = _change_text(args.attribute, updated, deliveries)
        if source is None:
            return CallOutcome.of(updated, payload, text)
        if not deliveries:  # nothing to wait for: the change sent no code
            verify = no_code_sent(args.attribute, source)
        else:  # the code goes to the new value, pending or not
            verify = wait_and_verify(source, conn, history, token=token, username=username,
                                     attribute=args.attribute, destination=args.value, sent_after=sent_after)
        payload.update(ok=verify["ok"], verify=verify)
        text += "\n" + verify_text(args.attribute, verify)
        exit_code = EXIT_OK if verify["ok"] else EXIT_SERVICE_ERROR
        return replace(CallOutcome.of(updated, payload, text), exit_code=exit_code)

    return run_call(args, metadata, call, stdin=stdin, stdout=stdout, stderr=stderr,
                    read_pool=pool.read if pool else None)
