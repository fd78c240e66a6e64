"""The Runs tab: open a suite, run it (or one case) with live per-case status, cancel, save the
current request as a case."""
