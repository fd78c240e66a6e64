"""The workbench, the window's state without widgets: one path that saves a profile and keeps the
current copy (and everyone listening) up to date; choosing a profile connects the session."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.core.history import HistoryStore
from app.core.paths import app_paths
from app.core.profile_model import Profile
from app.core.profiles import ProfileStore
from app.core.secrets import MemorySecretStore, SecretKind
from app.ui.workbench import ProfileSaveError, Workbench

pytestmark = pytest.mark.gui


@pytest.fixture
def bench(qapp: QApplication, tmp_path: Path) -> Workbench:
    profiles = ProfileStore(tmp_path / "profiles.json")
    profiles.save(Profile(name="pool", region="eu-west-1", client_id="1example23456789"))
    profiles.save(Profile(name="other", region="us-east-1", client_id="2example23456789",
                          has_client_secret=True))
    return Workbench(app_paths().ensure(), profiles=profiles, secrets=MemorySecretStore(),
                     history=HistoryStore(tmp_path / "history.sqlite3"))


def test_update_profile_saves_refreshes_the_current_profile_and_says_so_once(bench: Workbench) -> None:
    seen: list[Profile | None] = []
    bench.profile_changed.connect(seen.append)
    pool = bench.profiles.get("pool")
    assert pool is not None
    assert asyncio.run(bench.open_profile(pool)) is False  # no client secret needed
    assert bench.session.connection is not None and bench.profile == pool

    saved = bench.update_profile("pool", last_username="alice")
    assert saved is not None and saved.last_username == "alice"
    assert bench.profiles.get("pool") == saved
    assert bench.profile == saved
    assert seen == [pool, saved]

    bench.update_profile("pool", last_username="alice")  # nothing changed: no signal
    bench.update_profile("other", aws_profile="dev")  # not the current profile: none either
    assert seen == [pool, saved]
    other = bench.profiles.get("other")
    assert other is not None and other.aws_profile == "dev"


def test_a_refused_save_raises_one_error_and_changes_nothing(bench: Workbench) -> None:
    before = bench.profiles.get("pool")
    with pytest.raises(ProfileSaveError, match="timeout"):
        bench.update_profile("pool", read_timeout_s=-1.0)
    assert bench.profiles.get("pool") == before
    assert bench.update_profile("gone", last_username="x") is None  # deleted meanwhile: nothing to save


def test_choosing_a_profile_reports_a_missing_client_secret_and_dropping_it_signs_out(bench: Workbench) -> None:
    other = bench.profiles.get("other")
    assert other is not None
    assert asyncio.run(bench.open_profile(other)) is True  # has_client_secret, none in the store
    bench.secrets.set(SecretKind.CLIENT_SECRET, "other", "s3cret")
    assert asyncio.run(bench.open_profile(other)) is False
    assert not bench.drop_profile("pool")  # not the current one
    assert bench.drop_profile("other")
    assert bench.profile is None and bench.session.connection is None
