"""The S3 code source: messages an SES receipt rule stored under `s3://BUCKET/PREFIX`.

SES names each object after the message id, so the recipient is only in the message: objects
modified since the send are listed (newest first) and each is read once, its first
`MAX_MESSAGE_BYTES` only (a ranged GET). Signed with an AWS profile through the same admin clients
as the Trigger tab (retries pinned there); AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 are honoured by
botocore when no endpoint is given.
"""

from __future__ import annotations

import threading
from datetime import datetime
from re import Pattern
from typing import Any

from app.core.aws_profiles import admin_client, admin_error
from app.core.codes.extract import MAX_MESSAGE_BYTES, find_code, parse_message
from app.core.codes.model import DEFAULT_PATTERN, CodeQuery, Deadline, FoundCode, not_received
from app.core.codes.spec import S3Spec
from app.core.errors import ServiceError
from app.core.redaction import SECRETS

_SES_SETUP_NOTICE = "AMAZON_SES_SETUP_NOTIFICATION"  # the object SES writes when the rule is created


class S3Source:
    """Codes from SES-delivered messages in an S3 bucket (see the module docstring)."""

    def __init__(
        self,
        spec: S3Spec,
        *,
        region: str,
        aws_profile: str | None = None,
        endpoint_url: str | None = None,
        static_credentials: tuple[str, str] | None = None,
        pattern: Pattern[str] = DEFAULT_PATTERN,
        poll_interval_s: float = 2.0,
    ) -> None:
        self.spec = spec
        self.pattern = pattern
        self.poll_interval_s = poll_interval_s
        self._client_args: dict[str, Any] = {
            "region": region, "aws_profile": aws_profile, "endpoint_url": endpoint_url,
            "static_credentials": static_credentials,
        }
        self._aws_profile = aws_profile

    @property
    def description(self) -> str:
        return str(self.spec)

    def wait(self, query: CodeQuery, cancel: threading.Event) -> FoundCode:
        deadline = Deadline(query.timeout_s, cancel, self.description)
        timeout = min(max(query.timeout_s, 2.0), 15.0)
        client = admin_client("s3", connect_timeout_s=timeout, read_timeout_s=timeout, **self._client_args)
        seen: set[str] = set()
        subjects: list[str] = []
        while True:
            deadline.check()
            try:
                found = self._look(client, query, deadline, seen, subjects)
            except ServiceError:
                raise
            except Exception as exc:  # every botocore failure becomes a catalogued error
                raise admin_error(exc, self._aws_profile) from exc
            if found is not None:
                return found
            if deadline.expired():
                raise not_received(self.description, query, f"bucket {self.spec.bucket}", subjects=subjects)
            deadline.sleep(self.poll_interval_s)

    def _new_objects(self, client: Any, query: CodeQuery, seen: set[str]) -> list[tuple[datetime, str]]:
        since = query.since_second
        found: list[tuple[datetime, str]] = []
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.spec.bucket, Prefix=self.spec.prefix):
            for item in page.get("Contents", ()):
                key, modified = item["Key"], item["LastModified"]
                if key not in seen and modified >= since and not key.endswith(_SES_SETUP_NOTICE):
                    found.append((modified, key))
        return sorted(found, reverse=True)

    def _look(
        self, client: Any, query: CodeQuery, deadline: Deadline, seen: set[str], subjects: list[str]
    ) -> FoundCode | None:
        for modified, key in self._new_objects(client, query, seen):
            deadline.check()
            seen.add(key)
            response = client.get_object(
                Bucket=self.spec.bucket, Key=key, Range=f"bytes=0-{MAX_MESSAGE_BYTES - 1}"
            )
            body = response["Body"]
            try:
                raw = body.read(MAX_MESSAGE_BYTES)
            finally:
                body.close()
            message = parse_message(raw)
            if not message.is_to(query.destination):
                continue
            match = find_code(message.texts, self.pattern)
            if match is None:
                subjects.append(message.subject or "(no subject)")
                continue
            SECRETS.add_code(match.code)
            return FoundCode(
                code=match.code, source=f"s3://{self.spec.bucket}/{key}",
                message_date=message.date or modified,
                sender=message.sender, subject=message.subject, line=match.line,
                wait_ms=deadline.elapsed_ms(),
            )
        return None
