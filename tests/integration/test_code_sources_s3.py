"""The S3 code source (SES receipt rule → S3) against moto's S3, signed with an AWS profile and sent
to moto through AWS_ENDPOINT_URL_S3, as a tester's environment would."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.core.codes import (
    CODE_NOT_RECEIVED,
    CodeQuery,
    CodeSourceError,
    FoundCode,
    SourceContext,
    open_source,
    parse_source_spec,
)
from app.core.errors import ServiceError

from support.dovecot import ses_message
from support.moto_server import FAKE_KEY_ID, FAKE_SECRET, moto_server

BUCKET = "ses-inbound-test"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def s3(moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An AWS profile `qa-admin` in throw-away config files, S3 pointed at moto; moto's bucket."""
    import boto3

    (tmp_path / "aws-config").write_text("[profile qa-admin]\nregion = us-east-1\n")
    (tmp_path / "aws-credentials").write_text(
        f"[qa-admin]\naws_access_key_id = {FAKE_KEY_ID}\naws_secret_access_key = {FAKE_SECRET}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_url)
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_url,
                          aws_access_key_id=FAKE_KEY_ID, aws_secret_access_key=FAKE_SECRET)
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    return client


CONTEXT = SourceContext(region="us-east-1", aws_profile="qa-admin")


def _wait(spec: str, to: str, sent: datetime, timeout_s: float = 6.0) -> FoundCode:
    source = open_source(parse_source_spec(spec), CONTEXT)
    return source.wait(CodeQuery(to, sent, timeout_s), threading.Event())


def test_the_newest_object_for_the_recipient_after_the_send_is_found(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="mail/old-1", Body=ses_message("qa@example.test", "101010"))
    time.sleep(1.1)  # S3 dates objects to the second
    sent = datetime.now(UTC)
    s3.put_object(Bucket=BUCKET, Key="mail/AMAZON_SES_SETUP_NOTIFICATION", Body=b"Setup")
    s3.put_object(Bucket=BUCKET, Key="mail/other-1", Body=ses_message("someone@example.test", "202020"))
    s3.put_object(Bucket=BUCKET, Key="elsewhere/x", Body=ses_message("qa@example.test", "303030"))
    s3.put_object(Bucket=BUCKET, Key="mail/new-1", Body=ses_message("qa@example.test", "404040", cte="base64"))
    found = _wait(f"s3://{BUCKET}/mail/", "qa@example.test", sent)
    assert found.code == "404040"
    assert found.source == f"s3://{BUCKET}/mail/new-1"
    assert found.subject == "Your verification code"


def test_an_object_arriving_during_the_wait_is_found(s3: Any) -> None:
    sent = datetime.now(UTC)
    timer = threading.Timer(2.0, lambda: s3.put_object(
        Bucket=BUCKET, Key="late/msg", Body=ses_message("late@example.test", "505050")))
    timer.start()
    try:
        found = _wait(f"s3://{BUCKET}/late/", "late@example.test", sent, timeout_s=10)
    finally:
        timer.cancel()
    assert found.code == "505050"
    assert found.wait_ms >= 1900


def test_nothing_for_the_recipient_is_code_not_received_naming_the_bucket(s3: Any) -> None:
    sent = datetime.now(UTC)
    with pytest.raises(CodeSourceError) as raised:
        _wait(f"s3://{BUCKET}/none/", "nobody@example.test", sent, timeout_s=1.0)
    assert raised.value.code == CODE_NOT_RECEIVED
    assert raised.value.details["searched"] == f"bucket {BUCKET}"


def test_a_missing_bucket_is_a_clear_service_error(s3: Any) -> None:
    with pytest.raises(ServiceError) as raised:
        _wait("s3://no-such-bucket-here/", "qa@example.test", datetime.now(UTC), timeout_s=2.0)
    assert raised.value.code == "NoSuchBucket"


def test_cancel_stops_the_s3_wait_at_once(s3: Any) -> None:
    from app.core.errors import CANCELLED

    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    source = open_source(parse_source_spec(f"s3://{BUCKET}/none/"), CONTEXT)
    started = time.monotonic()
    with pytest.raises(CodeSourceError) as raised:
        source.wait(CodeQuery("nobody@example.test", datetime.now(UTC), 30), cancel)
    assert raised.value.code == CANCELLED
    assert time.monotonic() - started < 2
