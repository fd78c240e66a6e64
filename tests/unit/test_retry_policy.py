"""The retry policy: a code limit is never resent, whatever botocore's shape."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.retries import standard

from app.runtime import retry_policy

LIMIT = ({}, {"Error": {"Code": "LimitExceededException"}})
INTERNAL = ({}, {"Error": {"Code": "InternalErrorException"}})


def test_a_limit_error_is_never_retried_and_other_errors_ask_botocore() -> None:
    asked: list[Any] = []
    handler = retry_policy.never_retry(lambda **kwargs: asked.append(kwargs["response"]) or 0.1)
    assert handler(response=LIMIT, attempts=1) is None
    assert handler(response=INTERNAL, attempts=1) == 0.1
    assert asked == [INTERNAL]


def test_when_botocore_moved_its_retry_handler_every_call_gets_one_attempt(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = boto3.client("cognito-idp", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    monkeypatch.delattr(standard, "register_retry_handler")
    retry_policy.pin_retries(client, 3)
    answers = client.meta.events.emit("needs-retry.cognito-identity-provider.GetUser",
                                      response=INTERNAL, attempts=1)
    assert [answer for _handler, answer in answers if answer is not None] == []
    assert "one attempt" in caplog.text
