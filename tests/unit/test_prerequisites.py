"""A missing test prerequisite skips on a developer machine and fails under CI."""

from __future__ import annotations

import pytest

from support.prerequisites import missing, require_commands, under_ci

ABSENT = "verifydesk-no-such-command-on-path"


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE"])
def test_a_missing_command_fails_the_test_when_ci_is_set(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=f"needs {ABSENT}.*CI is set"):
        require_commands(ABSENT, install="apt-get install nothing")


@pytest.mark.parametrize("value", [None, "", "0", "false", "no"])
def test_a_missing_command_skips_the_test_without_ci(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert not under_ci()
    with pytest.raises(pytest.skip.Exception, match=rf"needs {ABSENT} \(apt-get install nothing\)"):
        require_commands(ABSENT, install="apt-get install nothing")


def test_present_commands_neither_skip_nor_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require_commands("sh", install="always there")


def test_missing_names_every_absent_command_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as caught:
        require_commands("sh", ABSENT, ABSENT + "-2", install="x")
    assert str(caught.value.msg) == f"needs {ABSENT}, {ABSENT}-2 (x)"
    with pytest.raises(pytest.skip.Exception, match=r"^plain$"):
        missing("plain")
