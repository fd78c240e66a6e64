"""Clients are boto3 clients from boto3 sessions built on `botocore_session()`, which share one
data loader per process, and a session is configured as boto3 configures one (profile,
region, static credentials)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.runtime.botocore_data import boto3_session, botocore_session

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
from app.core.aws_profiles import admin_client
from app.core.connection import CognitoConnection, ConnectionSettings
conn = CognitoConnection(ConnectionSettings(region="eu-west-1", client_id="abc", endpoint_url="http://127.0.0.1:9"))
client = conn.client
logs = admin_client("logs", region="eu-west-1", endpoint_url="http://127.0.0.1:9", static_credentials=("AKID", "S"))
loaders = {id(c._loader) for c in (client, logs)}
print(json.dumps({"endpoint": client.meta.endpoint_url, "logs": logs.meta.service_model.service_name,
                  "boto3": "boto3" in sys.modules, "loaders": len(loaders)}))
"""


def test_connection_and_admin_clients_are_boto3_clients_over_one_data_loader() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    child = json.loads(done.stdout)
    assert child["endpoint"] == "http://127.0.0.1:9"
    assert child["logs"] == "logs"
    assert child["boto3"] is True
    assert child["loaders"] == 1


def test_boto3_sessions_do_not_grow_the_shared_loaders_search_paths() -> None:
    first = boto3_session(region_name="eu-west-1")
    paths = list(first._loader.search_paths)
    for _ in range(3):
        boto3_session(region_name="eu-west-1")
    assert first._loader.search_paths == paths
    assert len(set(paths)) == len(paths)


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
