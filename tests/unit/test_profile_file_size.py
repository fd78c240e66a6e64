"""Saving presets never makes the profiles file too large to read: such a save is refused first."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.profile_model import MAX_FILE_BYTES, PRESET_CHARS_MAX, Profile, ProfileError
from app.core.profiles import ProfileStore

# One legal row: under the per-preset limit in characters, but every control character is written
# as a six-byte JSON escape, so each such preset takes about 1.5 MB of the file.
BIG_VALUE = "\x01" * (PRESET_CHARS_MAX - 16)


def _profile(name: str) -> Profile:
    return Profile(name=name, region="eu-west-1", client_id="4abc123def456ghi789")


def test_a_preset_save_that_would_outgrow_the_file_is_refused_and_nothing_saved_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    store = ProfileStore(path)
    store.save(_profile("staging"))
    store.save(_profile("unrelated"))
    saved: list[str] = []
    refused: ProfileError | None = None
    for index in range(5):
        try:
            store.save_preset("staging", f"big-{index}", [("payload", BIG_VALUE)])
        except ProfileError as exc:
            refused = exc
            break
        saved.append(f"big-{index}")
        reread = ProfileStore(path)  # what was saved can be read back, every time
        assert reread.recovered_from is None and reread.notice is None
        assert sorted(reread.list_presets("staging")) == saved
    assert refused is not None, "the file should have reached its limit"
    assert refused.field == "preset"
    assert f"{MAX_FILE_BYTES:,}" in refused.message
    assert "before adding presets" not in refused.message
    assert path.stat().st_size <= MAX_FILE_BYTES
    after = ProfileStore(path)
    assert after.notice is None
    assert after.names() == ["staging", "unrelated"]
    assert sorted(after.list_presets("staging")) == saved
    assert not list(tmp_path.glob("profiles.json.corrupt-*"))


def test_a_small_preset_still_saves_next_to_big_ones(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.save(_profile("staging"))
    store.save_preset("staging", "big", [("payload", BIG_VALUE)])
    store.save_preset("staging", "small", [("lang", "fr")])
    assert ProfileStore(tmp_path / "profiles.json").list_presets("staging")["small"] == [("lang", "fr")]


def test_a_profile_save_is_refused_too_when_the_file_is_at_its_limit(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.save(_profile("staging"))
    store.save_preset("staging", "big-0", [("payload", BIG_VALUE)])
    store.save_preset("staging", "big-1", [("payload", BIG_VALUE)])
    with pytest.raises(ProfileError):
        store.save_preset("staging", "big-2", [("payload", BIG_VALUE)])
    store.save(_profile("another"))  # a small change still fits
    assert ProfileStore(tmp_path / "profiles.json").names() == ["another", "staging"]
