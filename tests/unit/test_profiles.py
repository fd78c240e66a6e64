"""Profiles: round trips, field validation, presets, recovery of unusable files, never a crash."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.connection import ConnectionSettings
from app.core.profile_model import FILE_FORMAT, SCHEMA_VERSION, Profile, ProfileError
from app.core.profiles import ProfileStore
from app.core.validation import MetadataRow

from support.prerequisites import missing

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CORRUPT_NAME = re.compile(r"profiles\.json\.corrupt-\d{8}T\d{6}Z(-\d+)?$")


def _profile(name: str = "staging", **changes: object) -> Profile:
    base = Profile(
        name=name,
        region="eu-west-1",
        client_id="4abc123def456ghi789",
        endpoint_url="http://127.0.0.1:5000",
        user_pool_id="eu-west-1_AbC123",
        has_client_secret=True,
        last_username="alice",
        aws_profile="qa-sso",
        trigger_function="custom-message",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "profiles.json"


def _corrupt_files(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if ".corrupt-" in p.name)


# --- round trips ------------------------------------------------------------------------------------


def test_a_saved_profile_reads_back_equal_from_a_new_store(path: Path) -> None:
    profile = _profile(read_timeout_s=7.5, connect_timeout_s=2, max_attempts=3, sandbox=True)
    ProfileStore(path).save(profile)
    assert ProfileStore(path).get("staging") == profile


def test_the_file_has_a_format_marker_schema_version_and_owner_only_permissions(path: Path) -> None:
    ProfileStore(path).save(_profile())
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == FILE_FORMAT
    assert document["version"] == SCHEMA_VERSION
    assert [entry["name"] for entry in document["profiles"]] == ["staging"]
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_the_file_holds_no_field_for_a_secret(path: Path) -> None:
    ProfileStore(path).save(_profile(has_client_secret=True, remember_password=True))
    keys = set(json.loads(path.read_text(encoding="utf-8"))["profiles"][0])
    assert not {key for key in keys if "secret" in key and key != "has_client_secret"}
    assert not {key for key in keys if "password" in key and key != "remember_password"}
    assert "token" not in " ".join(keys)


def test_list_is_sorted_by_name_regardless_of_case(path: Path) -> None:
    store = ProfileStore(path)
    for name in ("beta", "Alpha", "gamma"):
        store.save(_profile(name))
    assert store.names() == ["Alpha", "beta", "gamma"]


def test_to_settings_carries_every_connection_field_and_the_given_secret() -> None:
    profile = _profile(read_timeout_s=9, connect_timeout_s=1.5, max_attempts=2)
    settings_ = profile.to_settings("s3cret-value")
    assert settings_ == ConnectionSettings(
        region="eu-west-1",
        client_id="4abc123def456ghi789",
        endpoint_url="http://127.0.0.1:5000",
        user_pool_id="eu-west-1_AbC123",
        client_secret="s3cret-value",
        connect_timeout_s=1.5,
        read_timeout_s=9.0,
        max_attempts=2,
        profile_name="staging",
    )
    assert profile.to_settings().client_secret is None


def test_saving_an_existing_name_replaces_that_profile(path: Path) -> None:
    store = ProfileStore(path)
    store.save(_profile())
    store.save(_profile(region="us-east-1"))
    assert [p.region for p in store.list()] == ["us-east-1"]


def test_a_new_profile_may_not_take_an_existing_name_in_any_case(path: Path) -> None:
    store = ProfileStore(path)
    store.save(_profile("Staging"))
    with pytest.raises(ProfileError) as caught:
        store.save(_profile("staging"))
    assert caught.value.field == "name"
    with pytest.raises(ProfileError) as caught:
        store.save(_profile("Staging"), new=True)
    assert caught.value.field == "name"
    assert store.names() == ["Staging"]


def test_delete_removes_the_profile_and_its_presets(path: Path) -> None:
    store = ProfileStore(path)
    store.save(_profile())
    store.save_preset("staging", "locale", [("lang", "fr")])
    assert store.delete("staging") is True
    assert store.delete("staging") is False
    store.save(_profile())
    assert store.get("staging") is not None
    assert store.list_presets("staging") == {}


def test_rename_keeps_the_fields_and_moves_the_presets(path: Path) -> None:
    store = ProfileStore(path)
    store.save(_profile())
    store.save_preset("staging", "locale", [("lang", "fr")])
    renamed = store.rename("staging", "prod")
    assert renamed == _profile("prod")
    assert store.get("staging") is None
    assert store.get("prod") == renamed
    assert store.list_presets("prod") == {"locale": [("lang", "fr")]}
    assert store.list_presets("staging") == {}


def test_rename_refuses_a_taken_name_a_missing_profile_and_a_blank_name(path: Path) -> None:
    store = ProfileStore(path)
    store.save(_profile("a"))
    store.save(_profile("b"))
    for old, new in (("a", "B"), ("missing", "c"), ("a", "  ")):
        with pytest.raises(ProfileError) as caught:
            store.rename(old, new)
        assert caught.value.field == "name"
    assert store.names() == ["a", "b"]


def test_a_case_only_rename_is_allowed(path: Path) -> None:
    store = ProfileStore(path)
    store.save(_profile("qa"))
    store.rename("qa", "QA")
    assert store.names() == ["QA"]


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", " padded"),
        ("name", "x" * 65),
        ("name", "tab\there"),
        ("region", "Europe"),
        ("region", "eu-west"),
        ("region", ""),
        ("client_id", ""),
        ("client_id", "has space"),
        ("client_id", "x" * 129),
        ("client_id", "clïent"),
        ("endpoint_url", "ftp://example.com"),
        ("endpoint_url", "127.0.0.1:5000"),
        ("endpoint_url", "http://"),
        ("endpoint_url", "http://host:99999"),
        ("endpoint_url", "http://exa mple.com"),
        ("user_pool_id", "no-underscore"),
        ("read_timeout_s", 0),
        ("read_timeout_s", 901),
        ("read_timeout_s", float("nan")),
        ("read_timeout_s", True),
        ("connect_timeout_s", -1),
        ("connect_timeout_s", "5"),
        ("max_attempts", 0),
        ("max_attempts", 11),
        ("max_attempts", 2.5),
        ("auth_flow", "CUSTOM_AUTH"),
        ("last_username", ""),
        ("aws_profile", "line\nbreak"),
        ("trigger_function", "arn:aws:lambda:us-east-1:1:function:f"),
        ("sandbox", "yes"),
    ],
)
def test_each_invalid_field_is_refused_naming_that_field(path: Path, field: str, value: object) -> None:
    store = ProfileStore(path)
    store.save(_profile())
    before = path.read_bytes()
    bad = replace(_profile(), **{field: value})  # type: ignore[arg-type]
    assert [problem.field for problem in bad.problems()] == [field]
    with pytest.raises(ProfileError) as caught:
        store.save(bad)
    assert caught.value.field == field
    assert caught.value.message
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "changes",
    [
        {"region": "us-gov-west-1"},
        {"region": "ap-southeast-4"},
        {"client_id": "a+b_C9"},
        {"endpoint_url": "https://cognito-idp.eu-west-1.amazonaws.com"},
        {"endpoint_url": None, "user_pool_id": None, "aws_profile": None, "trigger_function": None},
        {"read_timeout_s": 900, "connect_timeout_s": 0.1, "max_attempts": 10},
        {"auth_flow": "USER_PASSWORD_AUTH"},
        {"name": "Équipe QA — staging"},
    ],
)
def test_valid_values_at_the_edges_are_accepted(changes: dict[str, object]) -> None:
    assert replace(_profile(), **changes).problems() == []  # type: ignore[arg-type]


def test_problems_lists_every_invalid_field_at_once() -> None:
    bad = replace(_profile(), name="", region="nowhere", max_attempts=0)
    assert {problem.field for problem in bad.problems()} == {"name", "region", "max_attempts"}


# --- presets ------------------------------------------------------------------------------------


def test_presets_round_trip_from_tuples_and_metadata_rows(path: Path) -> None:
    store = ProfileStore(path)
    store.save(_profile())
    store.save_preset("staging", "b-rows", [MetadataRow("k", ""), MetadataRow("", "v")])
    store.save_preset("staging", "a-tuples", [("lang", "fr"), ("emoji", "✓")])
    presets = ProfileStore(path).list_presets("staging")
    assert list(presets) == ["a-tuples", "b-rows"]
    assert presets["a-tuples"] == [("lang", "fr"), ("emoji", "✓")]
    assert presets["b-rows"] == [("k", ""), ("", "v")]
    assert store.delete_preset("staging", "b-rows") is True
    assert store.delete_preset("staging", "b-rows") is False
    assert list(store.list_presets("staging")) == ["a-tuples"]


def test_presets_need_a_saved_profile_a_name_and_text_rows(path: Path) -> None:
    store = ProfileStore(path)
    with pytest.raises(ProfileError) as caught:
        store.save_preset("nobody", "p", [("k", "v")])
    assert caught.value.field == "profile"
    store.save(_profile())
    with pytest.raises(ProfileError) as caught:
        store.save_preset("staging", "", [("k", "v")])
    assert caught.value.field == "preset_name"
    with pytest.raises(ProfileError) as caught:
        store.save_preset("staging", "p", [("k", 1)])  # type: ignore[list-item]
    assert caught.value.field == "preset"
    with pytest.raises(ProfileError) as caught:
        store.save_preset("staging", "p", [("k", "v\ud800")])
    assert caught.value.field == "preset"
    with pytest.raises(ProfileError) as caught:
        store.save_preset("staging", "p", [("k", "v")] * 1001)
    assert caught.value.field == "preset"
    assert store.list_presets("staging") == {}


# --- unusable files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[" * 100_000,
        b'{"profiles": []}',
        b'{"format": "verifydesk.profiles", "version": "one", "profiles": []}',
        b'{"format": "verifydesk.profiles", "version": 1, "profiles": {"a": 1}}',
        b'{"format": "verifydesk.profiles", "version": 1, "profiles": [], "x": NaN}',
        b"\x00" * 64,
    ],
)
def test_an_unusable_file_is_moved_aside_and_a_fresh_store_starts(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    store = ProfileStore(path)
    assert store.list() == []
    assert store.recovered_from is not None
    assert CORRUPT_NAME.search(store.recovered_from.name)
    assert store.recovered_from.read_bytes() == content
    assert store.notice is not None
    assert str(store.recovered_from) in store.notice
    assert not path.exists()
    store.save(_profile())
    assert ProfileStore(path).recovered_from is None
    assert ProfileStore(path).names() == ["staging"]


def test_a_directory_where_the_file_should_be_is_moved_aside(path: Path) -> None:
    path.mkdir(parents=True)
    (path / "inside").write_text("x", encoding="utf-8")
    store = ProfileStore(path)
    assert store.recovered_from is not None
    assert (store.recovered_from / "inside").exists()
    store.save(_profile())
    assert store.names() == ["staging"]


def test_an_unreadable_file_is_moved_aside(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ProfileStore(path).save(_profile())
    real_read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    store = ProfileStore(path)
    assert store.recovered_from is not None
    assert "could not be read (Permission denied)" in (store.notice or "")
    monkeypatch.undo()
    assert ProfileStore(store.recovered_from).names() == ["staging"]


def test_a_config_folder_that_cannot_exist_gives_a_notice_and_saves_fail_on_the_file_field(tmp_path: Path) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    store = ProfileStore(blocker / "profiles.json")
    assert store.list() == []
    assert store.notice is not None
    with pytest.raises(ProfileError) as caught:
        store.save(_profile())
    assert caught.value.field == "file"
    assert str(blocker) in caught.value.message


def test_two_recoveries_in_the_same_second_keep_both_old_files(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"first")
    ProfileStore(path)
    path.write_bytes(b"second")
    ProfileStore(path)
    assert sorted(p.read_bytes() for p in _corrupt_files(path)) == [b"first", b"second"]


def test_an_empty_file_is_an_empty_store_not_a_recovery(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"  \n")
    store = ProfileStore(path)
    assert store.list() == []
    assert store.recovered_from is None
    assert store.notice is None


def test_bad_entries_are_dropped_with_the_field_named_and_good_ones_kept(path: Path) -> None:
    good = _profile("good").to_json()
    document = {
        "format": FILE_FORMAT,
        "version": 1,
        "profiles": [good, {**good, "name": "bad", "region": 42}, "oops", {**good, "name": "GOOD"}],
        "presets": {
            "good": {"p": [["k", "v"]], "broken": "rows", "lone": [["k", "\ud83d"]]},
            "ghost": {"p": []},
        },
    }
    original = json.dumps(document).encode()
    path.parent.mkdir(parents=True)
    path.write_bytes(original)
    store = ProfileStore(path)
    assert store.names() == ["good"]
    assert store.list_presets("good") == {"p": [("k", "v")]}
    assert store.recovered_from is not None
    assert store.recovered_from.read_bytes() == original
    problems = " | ".join(store.recovery_problems)
    assert "profile #2: region" in problems
    assert "profile #3" in problems
    assert "'GOOD' appears twice" in problems
    assert "broken" in problems
    assert "U+D83D" in problems
    assert "ghost" in problems
    # The salvaged file is clean: a second store sees no problem.
    again = ProfileStore(path)
    assert again.recovered_from is None
    assert again.names() == ["good"]


def test_a_file_from_a_newer_version_is_read_but_never_rewritten(path: Path) -> None:
    entry = {**_profile().to_json(), "colour": "teal"}
    odd = {**_profile("odd").to_json(), "region": "mars-base-1x"}
    content = json.dumps(
        {"format": FILE_FORMAT, "version": SCHEMA_VERSION + 1, "profiles": [entry, odd]}
    ).encode()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    store = ProfileStore(path)
    assert store.names() == ["staging"]
    assert store.recovered_from is None
    with pytest.raises(ProfileError) as caught:
        store.save(_profile("new"))
    assert caught.value.field == "file"
    assert "newer VerifyDesk" in caught.value.message
    assert path.read_bytes() == content
    assert _corrupt_files(path) == []


# sysfs has no "create" operation: opening a new file in it is EACCES for every user, root included
# (a chmod 0o500 folder stops everyone but root).
UNWRITABLE_DIR = Path("/sys/kernel")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sysfs is Linux's")
def test_an_unwritable_directory_makes_save_fail_on_the_file_field() -> None:
    if not UNWRITABLE_DIR.is_dir():
        missing(f"needs sysfs mounted at /sys ({UNWRITABLE_DIR} is not a directory)")
    path = UNWRITABLE_DIR / "verifydesk-profiles.json"
    with pytest.raises(ProfileError) as caught:
        ProfileStore(path).save(_profile())
    assert caught.value.field == "file"
    assert caught.value.message == f"Cannot use the profiles folder {UNWRITABLE_DIR} (Permission denied)."
    assert isinstance(caught.value.__cause__, PermissionError)
    assert not path.exists()


def test_a_lock_held_elsewhere_times_out_as_a_file_error(path: Path) -> None:
    from app.core.file_lock import exclusive_lock

    store = ProfileStore(path, lock_timeout_s=0.2)
    with exclusive_lock(store.lock_path), pytest.raises(ProfileError) as caught:
        store.save(_profile())
    assert caught.value.field == "file"
    assert not path.exists()


# --- arbitrary contents: never an unhandled exception ---------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
_field_values = st.one_of(
    _json_values,
    st.sampled_from(["eu-west-1", "abc_123", "http://127.0.0.1:5000", "USER_PASSWORD_AUTH", "x", ""]),
    st.floats(min_value=-10, max_value=1000),
)
_profile_entries = st.dictionaries(
    st.sampled_from([item.name for item in fields(Profile)] + ["extra"]), _field_values, max_size=16
)
_documents = st.fixed_dictionaries(
    {"format": st.sampled_from([FILE_FORMAT, "other"]), "version": st.one_of(st.just(1), _json_values)},
    optional={
        "profiles": st.one_of(st.lists(_profile_entries, max_size=5), _json_values),
        "presets": st.one_of(
            st.dictionaries(st.text(max_size=5), st.dictionaries(st.text(max_size=5), _json_values)),
            _json_values,
        ),
    },
)
_contents = st.one_of(
    st.binary(max_size=300),
    _json_values.map(lambda value: json.dumps(value).encode()),
    _documents.map(lambda value: json.dumps(value).encode()),
    st.integers(min_value=1, max_value=50_000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.text(max_size=100).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


def _fresh(directory: Path) -> Path:
    for child in list(directory.iterdir()) if directory.exists() else []:
        child.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    return directory / "profiles.json"


@SETTINGS
@given(content=_contents)
def test_any_file_content_opens_without_an_unhandled_exception(tmp_path: Path, content: bytes) -> None:
    path = _fresh(tmp_path / "fuzz")
    path.write_bytes(content)
    store = ProfileStore(path)
    profiles = store.list()
    assert all(not profile.problems() for profile in profiles)
    for profile in profiles:
        store.list_presets(profile.name)
    assert store.problem is None
    # Whatever was there, the store can be written and read back afterwards, except a file from a
    # newer VerifyDesk: that one is refused by name and left as it was.
    try:
        store.save(_profile("after-fuzz"))
    except ProfileError as exc:
        assert exc.field == "file"
        assert "written by a newer VerifyDesk" in exc.message
        assert path.read_bytes() == content
        return
    assert "after-fuzz" in ProfileStore(path).names()
    moved = store.recovered_from
    assert moved is None or moved.read_bytes() == content


@SETTINGS
@given(entry=_profile_entries)
def test_any_profile_entry_is_either_a_valid_profile_or_a_named_field_error(entry: dict[str, object]) -> None:
    try:
        profile = Profile.from_json(entry)
    except ProfileError as exc:
        assert exc.field in {item.name for item in fields(Profile)} | {"profile"}
        assert exc.message
    else:
        assert profile.problems() == []


def test_from_json_round_trips_and_ignores_keys_it_does_not_know() -> None:
    assert Profile.from_json({**_profile().to_json(), "future_field": [1, 2]}) == _profile()
    with pytest.raises(ProfileError) as caught:
        Profile.from_json({"name": "x", "region": "eu-west-1"})
    assert caught.value.field == "client_id"
