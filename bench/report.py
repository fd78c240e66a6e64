"""Figures, budgets and the one table `make bench` prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Kind = Literal["ratio", "delta", "absolute"]


@dataclass(frozen=True)
class Figure:
    """One measured figure with its same-run baseline and its budget.

    `kind` says how the budget reads: "ratio" (value / baseline ≤ budget), "delta" (value − baseline
    ≤ budget, in the figure's unit) or "absolute" (value ≤ budget; a baseline, when given, is shown
    for context only, e.g. the idle heartbeat beside a stall).
    """

    name: str
    value: float
    unit: str
    budget: float
    kind: Kind = "ratio"
    baseline: float | None = None
    baseline_name: str = ""

    @property
    def score(self) -> float:
        if self.kind == "ratio":
            if not self.baseline:
                raise ValueError(f"{self.name}: a ratio needs a non-zero baseline")
            return self.value / self.baseline
        if self.kind == "delta":
            if self.baseline is None:
                raise ValueError(f"{self.name}: a delta needs a baseline")
            return self.value - self.baseline
        return self.value

    @property
    def within_budget(self) -> bool:
        return self.score <= self.budget

    @property
    def verdict(self) -> str:
        return "PASS" if self.within_budget else "MISS"

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
        return "—"


def _amount(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if value >= 1000 else f"{value:.1f} {unit}"


def render_table(figures: list[Figure]) -> str:
    """A Markdown table: figure, value, baseline, ratio/delta, budget, PASS/MISS."""
    lines = [
        "| figure | value | baseline (same run) | ratio / delta | budget | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for fig in figures:
        baseline = "—"
        if fig.baseline is not None:
            baseline = f"{_amount(fig.baseline, fig.unit)} ({fig.baseline_name})"
        verdict = "PASS" if fig.within_budget else "**MISS**"
        lines.append(
            f"| {fig.name} | {_amount(fig.value, fig.unit)} | {baseline} | {fig.score_text()} "
            f"| {fig.budget_text()} | {verdict} |"
        )
    return "\n".join(lines)


def interleaved_medians(
    first: Callable[[], float], second: Callable[[], float], *, repeat: int
) -> tuple[float, float]:
    """Medians of two measurements taken alternately, so machine noise hits both alike."""
    a_samples, b_samples = [], []
    for _ in range(repeat):
        a_samples.append(first())
        b_samples.append(second())
    import statistics  # here, not at the top: the measured child processes never load it

    return statistics.median(a_samples), statistics.median(b_samples)


def rss_mb() -> float:
    """This process's resident set size in MB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")
