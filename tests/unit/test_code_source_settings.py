"""The code source saved with a profile: its fields checked one by one, the spec they describe, its
round trip through the profiles file (never with a password), and the connection test against the
sandbox over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.code_source_settings import (
    IMAP_KIND,
    IMAPS_KIND,
    S3_KIND,
    SavedCodeSource,
    open_saved_source,
    probe_source,
    sandbox_default,
)
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore


@pytest.mark.parametrize(("source", "field", "says"), [
    (SavedCodeSource(kind="pop3"), "kind", "must be one of sandbox, imap, imaps, s3"),
    (SavedCodeSource(kind=IMAP_KIND, user="qa"), "host", "Enter the mail server's host name"),
    (SavedCodeSource(kind=IMAP_KIND, host="mail example", user="qa"), "host", "no spaces"),
    (SavedCodeSource(kind=IMAPS_KIND, host="mail", user="qa", port=70000), "port", "1 to 65535"),
    (SavedCodeSource(kind=IMAP_KIND, host="mail"), "user", "Enter the mailbox user"),
    (SavedCodeSource(kind=S3_KIND, bucket="Not_A_Bucket"), "bucket", "is not an S3 bucket name"),
    (SavedCodeSource(pattern="(a)(b)"), "pattern", "it needs exactly one"),
    (SavedCodeSource(pattern="(unclosed"), "pattern", "is not a regular expression"),
    (SavedCodeSource(wait_s=0.5), "wait_s", "between 1 and 1800"),
])
def test_each_bad_field_is_named_with_what_is_wrong(source: SavedCodeSource, field: str, says: str) -> None:
    problems = dict(source.problems())
    assert field in problems, problems
    assert says in problems[field]


def test_the_fields_describe_the_same_spec_a_command_line_would_name() -> None:
    imaps = SavedCodeSource(kind=IMAPS_KIND, host="imap.example.com", user="qa@example.com")
    assert imaps.problems() == []
    assert str(imaps.spec()) == "imaps://qa%40example.com@imap.example.com/INBOX"
    plain = SavedCodeSource(kind=IMAP_KIND, host="127.0.0.1", port=1430, user="qa", mailbox="Codes")
    assert str(plain.spec()) == "imap://qa@127.0.0.1:1430/Codes"
    assert str(SavedCodeSource(kind=S3_KIND, bucket="mail-in", prefix="codes/").spec()) == "s3://mail-in/codes/"
    assert str(SavedCodeSource().spec()) == "sandbox"
    assert sandbox_default(True) == SavedCodeSource() and sandbox_default(False) is None


def test_a_profile_keeps_its_source_in_the_file_without_any_password(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    source = SavedCodeSource(kind=IMAP_KIND, host="127.0.0.1", port=1430, user="qa", ca_file="/etc/ca.pem",
                             pattern=r"code: ([0-9]{8})", wait_s=30.0, has_password=True)
    store.save(Profile(name="Mail", region="eu-west-1", client_id="1example23456789", code_source=source))
    assert store.get("Mail") == Profile(name="Mail", region="eu-west-1", client_id="1example23456789",
                                        code_source=source)
    entry = json.loads((tmp_path / "profiles.json").read_text())["profiles"][0]
    assert entry["code_source"]["has_password"] is True
    assert set(entry["code_source"]) == {"kind", "host", "port", "user", "mailbox", "ca_file", "pattern", "bucket",
                                         "prefix", "wait_s", "has_password"}


def test_a_saved_source_with_a_bad_field_drops_the_entry_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    bad = {"name": "Broken", "region": "eu-west-1", "client_id": "1example23456789",
           "code_source": {"kind": "imap", "host": "", "user": "qa"}}
    good = {"name": "Fine", "region": "eu-west-1", "client_id": "1example23456789", "code_source": None}
    path.write_text(json.dumps({"format": "verifydesk.profiles", "version": 1, "profiles": [bad, good]}))
    store = ProfileStore(path)
    assert store.names() == ["Fine"]
    assert store.notice is not None and "code_source: host: Enter the mail server's host name" in store.notice


def test_the_connection_test_says_the_sandbox_inbox_answered_or_why_not(sandbox_info: Any) -> None:
    opened = open_saved_source(SavedCodeSource(), profile_name=None, endpoint_url=sandbox_info.endpoint_url,
                               region=sandbox_info.region)
    works = probe_source(opened)
    assert works.ok and works.message == (f"Connected to sandbox {sandbox_info.endpoint_url} and searched "
                                          "the sandbox inbox: it works.")
    unreachable = open_saved_source(SavedCodeSource(), profile_name=None, endpoint_url="http://127.0.0.1:9",
                                    region="us-east-1")
    refused = probe_source(unreachable)
    assert not refused.ok and refused.code == "CodeSourceError"
