"""Every runtime patch is applied only to the library it was written for: outside the tested version
range, or with a changed shape, it falls back to the stock behaviour and one log line says why;
`VERIFYDESK_STOCK=1` turns them all off. The version ranges are the ones pyproject.toml declares."""

from __future__ import annotations

import logging
import re
import tomllib
from itertools import count
from pathlib import Path

import pytest

from app.runtime import botocore_data, guard, pycognito_srp

ROOT = Path(__file__).resolve().parents[2]
_names = count()


def _patch_name() -> str:
    return f"test patch {next(_names)}"  # decisions are kept per process: a new name each time


@pytest.mark.parametrize(("value", "stock"), [("1", True), ("yes", True), ("", False), ("0", False), (None, False)])
def test_verifydesk_stock_is_on_for_any_value_but_empty_or_zero(
    monkeypatch: pytest.MonkeyPatch, value: str | None, stock: bool
) -> None:
    if value is None:
        monkeypatch.delenv(guard.STOCK_ENV, raising=False)
    else:
        monkeypatch.setenv(guard.STOCK_ENV, value)
    assert guard.stock_mode() is stock


def test_a_fitting_library_gets_the_patch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(guard.STOCK_ENV, raising=False)
    name = _patch_name()
    assert guard.enabled(name, lambda: None) is True
    assert guard.status()[name] == "applied"


def test_a_changed_library_gets_the_stock_behaviour_and_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(guard.STOCK_ENV, raising=False)
    name, checks = _patch_name(), []

    def check() -> str:
        checks.append(1)
        return "Loader has no _cache"

    with caplog.at_level(logging.INFO, logger="app.runtime"):
        assert guard.enabled(name, check) is False
        assert guard.enabled(name, check) is False
    assert len(checks) == 1
    lines = [r for r in caplog.records if name in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert lines[0].getMessage() == (
        f"runtime patch {name!r} not applied, Loader has no _cache: the library runs as shipped")
    assert guard.status()[name] == "stock (Loader has no _cache)"


def test_a_check_that_raises_counts_as_a_changed_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(guard.STOCK_ENV, raising=False)
    name = _patch_name()

    def check() -> str | None:
        raise AttributeError("no such thing")

    assert guard.enabled(name, check) is False
    assert guard.status()[name] == "stock (its check failed (AttributeError: no such thing))"


def test_stock_mode_applies_nothing_and_runs_no_check(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(guard.STOCK_ENV, "1")
    name = _patch_name()

    def check() -> str | None:
        raise AssertionError("checked in stock mode")

    with caplog.at_level(logging.INFO, logger="app.runtime"):
        assert guard.enabled(name, check) is False
    assert guard.status()[name] == "stock (VERIFYDESK_STOCK=1)"
    assert [r.levelno for r in caplog.records if name in r.getMessage()] == [logging.INFO]


@pytest.mark.parametrize(("version", "misfit"), [
    ("1.40.0", False), ("1.44.8", False), ("1.45.0", True), ("1.39.9", True), ("2.0", True),
    ("1.44.0rc1", False), (None, False),
])
def test_a_version_outside_the_tested_range_is_a_misfit(version: str | None, misfit: bool) -> None:
    problem = guard.version_misfit("botocore", version, ((1, 40), (1, 45)))
    assert (problem is not None) is misfit
    if problem:
        assert problem == f"botocore {version} is not in the tested range 1.40 to below 1.45"


def test_release_reads_the_leading_numbers() -> None:
    assert guard.release("2024.5.1") == (2024, 5, 1)
    assert guard.release("6.11.3a1") == (6, 11, 3)
    assert guard.release("1.44.post2") == (1, 44)


def _bounds(distribution: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    spec = next(d for d in dependencies if re.match(rf"{distribution}\b", d, re.IGNORECASE))
    low = re.search(r">=([\d.]+)", spec)
    below = re.search(r"<([\d.]+)", spec)
    assert low and below, f"{spec!r} needs a lower and an upper bound"
    return guard.release(low.group(1)), guard.release(below.group(1))


def test_pyproject_bounds_botocore_and_pycognito_to_the_ranges_their_patches_were_tested_with() -> None:
    assert _bounds("botocore")[1] == botocore_data.TESTED[1]
    assert _bounds("pycognito")[1] == pycognito_srp.TESTED[1]
    assert _bounds("botocore")[0] >= botocore_data.TESTED[0]
    assert _bounds("pycognito")[0] >= pycognito_srp.TESTED[0]
