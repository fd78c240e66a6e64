"""The S3 code source (SES receipt rule → S3) against moto's S3, signed with an AWS profile and sent
to moto through AWS_ENDPOINT_URL_S3, as a tester's environment would."""

from __future__ import annotations

import logging
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
from app.core.logs import configure_logging
from app.core.paths import app_paths

from support.dovecot import ses_message
from support.moto_server import FAKE_KEY_ID, FAKE_SECRET, moto_server
from support.secret_scan import files_under, find_secrets

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
_codes_found: list[str] = []


@pytest.fixture(autouse=True)
def nothing_secret_written(verifydesk_home: Path, tmp_path: Path) -> Iterator[None]:
    """botocore logs at DEBUG into VERIFYDESK_HOME while VerifyDesk reads the bucket; afterwards no
    file written holds a code found."""
    configure_logging(app_paths(), level=logging.DEBUG)
    _codes_found.clear()
    yield
    for handler in logging.getLogger().handlers:
        handler.flush()
    found = {f"code {code}": code for code in _codes_found}
    assert find_secrets(files_under(verifydesk_home, tmp_path), found) == []


def _put(s3: Any, key: str, body: bytes) -> None:
    """Store a message as SES would; the test's own upload is kept out of the log (it is not VerifyDesk's)."""
    logging.disable(logging.DEBUG)
    try:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    finally:
        logging.disable(logging.NOTSET)


def _wait(spec: str, to: str, sent: datetime, timeout_s: float = 6.0) -> FoundCode:
    source = open_source(parse_source_spec(spec), CONTEXT)
    found = source.wait(CodeQuery(to, sent, timeout_s), threading.Event())
    _codes_found.append(found.code)
    return found


def test_the_newest_object_for_the_recipient_after_the_send_is_found(s3: Any) -> None:
    _put(s3, "mail/old-1", ses_message("qa@example.test", "101010"))
    time.sleep(1.1)  # S3 dates objects to the second
    sent = datetime.now(UTC)
    _put(s3, "mail/AMAZON_SES_SETUP_NOTIFICATION", b"Setup")
    _put(s3, "mail/other-1", ses_message("someone@example.test", "202020"))
    _put(s3, "elsewhere/x", ses_message("qa@example.test", "303030"))
    _put(s3, "mail/new-1", ses_message("qa@example.test", "404040", cte="base64"))
    found = _wait(f"s3://{BUCKET}/mail/", "qa@example.test", sent)
    assert found.code == "404040"
    assert found.source == f"s3://{BUCKET}/mail/new-1"
    assert found.subject == "Your verification code"


def test_an_object_arriving_during_the_wait_is_found(s3: Any) -> None:
    sent = datetime.now(UTC)
    timer = threading.Timer(2.0, _put, (s3, "late/msg", ses_message("late@example.test", "505050")))
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
    from app.core.error_catalogue import CANCELLED

    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    source = open_source(parse_source_spec(f"s3://{BUCKET}/none/"), CONTEXT)
    started = time.monotonic()
    with pytest.raises(CodeSourceError) as raised:
        source.wait(CodeQuery("nobody@example.test", datetime.now(UTC), 600), cancel)
    assert raised.value.code == CANCELLED
    assert time.monotonic() - started < 60  # cancelled at 0.5 s; the wait itself would last 600 s
