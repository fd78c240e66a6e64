"""Signed admin clients are created once per arguments and state of the credential sources: the
trigger view asks for a logs client after every send, and each creation is ~60 ms of GIL-holding
work (a boto3 session, its service model) that stalls the window."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.aws_profiles import admin_client
from app.core.error_catalogue import AWS_PROFILE_NOT_FOUND
from app.core.errors import ServiceError

SANDBOX = {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:9", "static_credentials": ("id", "secret")}


@pytest.fixture
def aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    config.write_text("[profile qa]\nregion = eu-west-1\naws_access_key_id = AKIAQA\n"
                      "aws_secret_access_key = qa-secret\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return config


def test_the_same_request_reuses_the_client() -> None:
    first = admin_client("logs", **SANDBOX)  # type: ignore[arg-type]
    assert admin_client("logs", **SANDBOX) is first  # type: ignore[arg-type]
    assert admin_client("cognito-idp", **SANDBOX) is not first  # type: ignore[arg-type]
    other = admin_client("logs", **{**SANDBOX, "static_credentials": ("id2", "secret2")})  # type: ignore[arg-type]
    assert other is not first
    assert other._request_signer._credentials.access_key == "id2"


def test_an_edited_aws_config_gives_a_fresh_client(aws_config: Path) -> None:
    first = admin_client("logs", region="eu-west-1", aws_profile="qa")
    assert admin_client("logs", region="eu-west-1", aws_profile="qa") is first
    aws_config.write_text("[profile qa]\nregion = eu-west-1\naws_access_key_id = AKIAQA2\n"
                          "aws_secret_access_key = qa-secret-2\n", encoding="utf-8")
    stat = aws_config.stat()
    os.utime(aws_config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = admin_client("logs", region="eu-west-1", aws_profile="qa")
    assert second is not first
    assert second._request_signer._credentials.access_key == "AKIAQA2"


def test_a_missing_profile_is_still_a_catalogued_error_every_time(aws_config: Path) -> None:
    for _ in range(2):  # failures are not remembered as clients
        with pytest.raises(ServiceError) as caught:
            admin_client("logs", region="eu-west-1", aws_profile="nope")
        assert caught.value.code == AWS_PROFILE_NOT_FOUND

