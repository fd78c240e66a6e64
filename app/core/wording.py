"""Small wording rules shared by the window and the command line: plurals and durations."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`word` for a count of one, else `many` (by default `word` + "s")."""
    return word if count == 1 else (many if many is not None else word + "s")


def latency_text(latency_ms: float | None, missing: str = "") -> str:
    """A call's latency: milliseconds up to 10 s, then seconds with one decimal."""
    if latency_ms is None:
        return missing
    if latency_ms >= 10_000:
        return f"{latency_ms / 1000:.1f} s"
    return f"{latency_ms:.0f} ms"
