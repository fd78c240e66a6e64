"""Figures, budgets and the table `make bench` prints."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure with its baseline and budget.

    `kind` says how the budget reads: "ratio" (value / baseline ≤ budget), "delta" (value − baseline
    ≤ budget, in the figure's unit) or "absolute" (value ≤ budget).
    """

    name: str
    value: float
    unit: str
    budget: float
    kind: str = "ratio"
    baseline: float | None = None
    baseline_name: str = ""
    note: str = ""

    @property
    def score(self) -> float:
        if self.kind == "ratio":
            assert self.baseline
            return self.value / self.baseline
        if self.kind == "delta":
            assert self.baseline is not None
            return self.value - self.baseline
        return self.value

    @property
    def within_budget(self) -> bool:
        return self.score <= self.budget

    def budget_text(self) -> str:
        if self.kind == "ratio":
            return f"≤ {self.budget:g}×"
        if self.kind == "delta":
            return f"≤ +{self.budget:g} {self.unit}"
        return f"≤ {self.budget:g} {self.unit}"

    def score_text(self) -> str:
        if self.kind == "ratio":
            return f"{self.score:.2f}×"
        if self.kind == "delta":
            return f"{self.score:+.1f} {self.unit}"
        return f"{self.score:.1f} {self.unit}"


def render_table(figures: list[Figure]) -> str:
    """A Markdown table: figure, measured, baseline, score, budget, verdict."""
    lines = [
        "| figure | measured | baseline (same run) | score | budget | ok |",
        "|---|---|---|---|---|---|",
    ]
    for fig in figures:
        baseline = (
            f"{fig.baseline:.1f} {fig.unit} ({fig.baseline_name})" if fig.baseline is not None else "—"
        )
        verdict = "yes" if fig.within_budget else "**NO**"
        note = f" {fig.note}" if fig.note else ""
        lines.append(
            f"| {fig.name}{note} | {fig.value:.1f} {fig.unit} | {baseline} | {fig.score_text()} "
            f"| {fig.budget_text()} | {verdict} |"
        )
    return "\n".join(lines)


def median_ms(fn: Callable[[], object], *, repeat: int, warmup: int = 1) -> float:
    """Median wall time of `fn` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def interleaved_medians(
    first: Callable[[], float], second: Callable[[], float], *, repeat: int
) -> tuple[float, float]:
    """Medians of two measurements taken alternately, so machine noise hits both alike."""
    a_samples, b_samples = [], []
    for _ in range(repeat):
        a_samples.append(first())
        b_samples.append(second())
    return statistics.median(a_samples), statistics.median(b_samples)
