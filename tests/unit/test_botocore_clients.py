"""Clients come from botocore sessions: boto3 is never imported for them (issue 6: `import boto3`
adds s3transfer, multiprocessing and its resource modules, +3.9 MB resident), and a session is
configured as boto3's Session would configure it (profile, region, static credentials)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.boto_data import botocore_session

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
from app.core.aws_profiles import admin_client
from app.core.connection import CognitoConnection, ConnectionSettings
conn = CognitoConnection(ConnectionSettings(region="eu-west-1", client_id="abc", endpoint_url="http://127.0.0.1:9"))
client = conn.client
logs = admin_client("logs", region="eu-west-1", endpoint_url="http://127.0.0.1:9", static_credentials=("AKID", "S"))
print(json.dumps({"endpoint": client.meta.endpoint_url, "logs": logs.meta.service_model.service_name,
                  "loaded": {m: m in sys.modules for m in ("boto3", "s3transfer", "multiprocessing")}}))
"""


def test_connection_and_admin_clients_do_not_import_boto3() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    child = json.loads(done.stdout)
    assert child["endpoint"] == "http://127.0.0.1:9"
    assert child["logs"] == "logs"
    assert child["loaded"] == {"boto3": False, "s3transfer": False, "multiprocessing": False}


def test_a_session_takes_its_region_and_static_credentials() -> None:
    session = botocore_session(region_name="ap-south-1", static_credentials=("AKIDEXAMPLE", "secret"))
    credentials = session.get_credentials()
    assert credentials is not None
    assert (credentials.access_key, credentials.secret_key) == ("AKIDEXAMPLE", "secret")
    assert session.get_config_variable("region") == "ap-south-1"
    assert session.create_client("cognito-idp").meta.region_name == "ap-south-1"


def test_a_session_reads_the_named_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text("[profile qa]\nregion = eu-central-1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    session = botocore_session(profile_name="qa")
    assert session.profile == "qa"
    assert session.create_client("logs", aws_access_key_id="a", aws_secret_access_key="b").meta.region_name \
        == "eu-central-1"


def test_an_unknown_profile_fails_when_the_client_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ProfileNotFound

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent"))
    with pytest.raises(ProfileNotFound):
        botocore_session(profile_name="nobody", region_name="eu-west-1").create_client("logs")
