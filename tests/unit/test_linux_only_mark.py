"""The `linux_only` mark: helpers that need Linux refuse a test without it, marked tests are skipped
off Linux, and outside pytest (the benchmarks) the helpers run unchecked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from support import linux_only
from support.dovecot import dovecot_server
from support.small_disk import small_disk


def test_dovecot_and_a_tmpfs_fail_a_test_that_is_not_marked_linux_only(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"Dovecot needs Linux: mark the test .*linux_only"), \
            dovecot_server(("qa",)):
        pass
    with pytest.raises(pytest.fail.Exception, match=r"A tmpfs mount needs Linux"), small_disk(tmp_path / "disk"):
        pass
    assert not (tmp_path / "disk").exists()  # refused before anything was made


@pytest.mark.linux_only
def test_a_test_marked_linux_only_may_use_them() -> None:
    linux_only.require("Dovecot")


def test_outside_a_pytest_run_the_helpers_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linux_only, "_current_marked", None)
    linux_only.require("Dovecot")


@pytest.mark.parametrize(("platform", "skipped"), [("linux", False), ("win32", True), ("darwin", True)])
def test_a_marked_test_is_skipped_off_linux_and_an_unmarked_one_never(
    monkeypatch: pytest.MonkeyPatch, platform: str, skipped: bool
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(linux_only, "_current_marked", False)  # restored for this test afterwards
    reason = linux_only.starting(True)
    assert (reason is not None) == skipped
    if reason:
        assert "linux_only" in reason and platform in reason
    assert linux_only.starting(False) is None
