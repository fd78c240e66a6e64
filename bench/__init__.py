"""Benchmarks with budgets: each figure is a ratio or difference against a baseline from the same run."""
