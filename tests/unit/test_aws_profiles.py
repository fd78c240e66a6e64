"""AWS profiles are listed from the files AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE name, SSO marked."""

from __future__ import annotations

import textwrap
from dataclasses import fields
from pathlib import Path

import pytest

from app.core.aws_profiles import AwsProfile, list_aws_profiles

CONFIG = """
[default]
region = eu-west-1

[profile qa-sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Tester
region = eu-central-1

[profile legacy-sso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 210987654321
sso_role_name = Admin

[profile admin-role]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = default

[profile tool]
credential_process = /usr/bin/get-creds --secret-flag

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1

[plugins]
thing = x
"""
CREDENTIALS = """
[default]
aws_access_key_id = AKIADEFAULTKEY000001
aws_secret_access_key = default-secret-access-key-never-shown

[ci]
aws_access_key_id = AKIACIKEY00000000002
aws_secret_access_key = ci-secret-access-key-never-shown
aws_session_token = ci-session-token-never-shown
region = us-west-2
"""


@pytest.fixture
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    config = tmp_path / "aws-config"
    credentials = tmp_path / "aws-credentials"
    config.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    credentials.write_text(textwrap.dedent(CREDENTIALS), encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    return config, credentials


def test_profiles_of_both_files_are_listed_by_name_with_their_kind(aws_files: tuple[Path, Path]) -> None:
    listing = list_aws_profiles()
    assert (listing.config_file, listing.credentials_file) == aws_files
    assert listing.problems == ()
    kinds = {profile.name: profile.kind for profile in listing.profiles}
    assert kinds == {
        "admin-role": "role", "ci": "static", "default": "static", "legacy-sso": "sso",
        "qa-sso": "sso", "tool": "process",
    }
    assert [profile.name for profile in listing.profiles] == sorted(kinds)


def test_sso_profiles_carry_their_start_url_account_and_role(aws_files: tuple[Path, Path]) -> None:
    listing = list_aws_profiles()
    modern = listing.get("qa-sso")
    legacy = listing.get("legacy-sso")
    assert modern is not None and legacy is not None
    assert modern.is_sso and legacy.is_sso
    assert (modern.sso_session, modern.sso_start_url) == ("corp", "https://corp.awsapps.com/start")
    assert legacy.sso_start_url == "https://legacy.awsapps.com/start"
    assert modern.label == "qa-sso (SSO 123456789012/Tester, eu-central-1)"
    assert listing.get("ci") == AwsProfile(
        name="ci", kind="static", region="us-west-2", in_config=False, in_credentials=True
    )
    default = listing.get("default")
    assert default is not None and default.in_config and default.in_credentials
    assert default.region == "eu-west-1"


def test_no_secret_value_reaches_the_listing(aws_files: tuple[Path, Path]) -> None:
    listing = list_aws_profiles()
    text = repr(listing) + " ".join(profile.label for profile in listing.profiles)
    for secret in ("never-shown", "AKIADEFAULTKEY", "AKIACIKEY", "--secret-flag"):
        assert secret not in text
    assert {item.name for item in fields(AwsProfile)}.isdisjoint(
        {"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "credential_process"}
    )


def test_missing_files_mean_no_profiles_and_no_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "nothing"))
    listing = list_aws_profiles()
    assert listing.profiles == ()
    assert listing.problems == ()


def test_the_home_directory_default_is_used_without_the_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_CONFIG_FILE")
    monkeypatch.delenv("AWS_SHARED_CREDENTIALS_FILE")
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[profile home-one]\nregion = sa-east-1\n", encoding="utf-8")
    listing = list_aws_profiles()
    assert listing.config_file == tmp_path / ".aws" / "config"
    assert [p.label for p in listing.profiles] == ["home-one (sa-east-1)"]


@pytest.mark.parametrize(
    "content",
    [b"[profile broken\nregion = x\n", b"no section header\n", b"\xff\xfe bad bytes", b"[profile a]\n  = v\n"],
)
def test_an_unparsable_config_file_is_a_problem_not_a_crash(
    aws_files: tuple[Path, Path], content: bytes
) -> None:
    aws_files[0].write_bytes(content)
    listing = list_aws_profiles()
    assert [p.name for p in listing.profiles] == ["ci", "default"]  # the credentials file still counts
    assert len(listing.problems) == 1
    assert str(aws_files[0]) in listing.problems[0]
