"""Suites: the runner's cost per case over a bare boto3 loop making the same calls, and RSS growth
over a 1,000-case suite (one case per data row), and the window's longest stall while its Runs tab
runs a 200-case suite, against the sandbox process."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import Figure, rss_mb

SUITE = """\
version: 1
name: bench
connection: {{endpoint_url: '{endpoint_url}', region: {region}, client_id: {client_id},
             auth_flow: USER_PASSWORD_AUTH}}
users:
  qa: {{username: {username}, password_env: BENCH_PASSWORD}}
defaults: {{max_sends_per_user: 1000}}
cases:
  - name: row
    user: qa
    data: rows.csv
    metadata: {{row: '${{n}}'}}
    expect: {{outcome: delivered, delivery_medium: EMAIL}}
"""


def _write_suite(folder: Path, info: dict[str, Any], user: dict[str, Any], rows: int) -> Path:
    path = folder / "bench.yaml"
    path.write_text(SUITE.format(**info, username=user["username"]), encoding="utf-8")
    (folder / "rows.csv").write_text("n\n" + "".join(f"{i}\n" for i in range(rows)), encoding="utf-8")
    return path


def _suite_case_ms(path: Path, history: Any, env: dict[str, str]) -> list[float]:
    """Each case's time inside the runner (send, checks, two history writes)."""
    from app.core.suites import SuiteRunner, load_suite

    result = SuiteRunner(load_suite(path, environ=env), history, environ=env).run()
    assert all(case.status == "passed" for case in result.cases), result.cases[0].message
    return [case.duration_ms for case in result.cases]


def _bare_call_ms(info: dict[str, Any], user: dict[str, Any], calls: int) -> list[float]:
    """The same sends from a bare boto3 client (created and signed in beforehand)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    client = boto3.client("cognito-idp", region_name=info["region"], endpoint_url=info["endpoint_url"],
                          config=Config(signature_version=UNSIGNED,
                                        retries={"mode": "standard", "total_max_attempts": 1}))
    token = client.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=info["client_id"],
                                 AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]},
                                 )["AuthenticationResult"]["AccessToken"]
    times = []
    for n in range(calls):
        started = time.perf_counter()
        client.get_user_attribute_verification_code(AccessToken=token, AttributeName="email",
                                                    ClientMetadata={"row": str(n)})
        times.append((time.perf_counter() - started) * 1000)
    return times


def run(info: dict[str, Any], *, quick: bool = False) -> tuple[list[Figure], list[str]]:
    from app.sandbox.control import SandboxControl

    control = SandboxControl(info["endpoint_url"])
    rate = control.code_rate()
    control.set_code_rate(None)  # the sandbox's Cognito-like 5 codes an hour would stop a 1,000-case user
    try:
        return _measure(info, control, quick=quick)
    finally:
        control.set_code_rate(rate.get("max_codes"), float(rate.get("window_s") or 3600.0))


def _window_stall(info: dict[str, Any], cases: int) -> tuple[list[Figure], list[str]]:
    """The window's longest GUI-thread stall while the Runs tab runs a suite (bench.runs_child)."""
    from bench.child import gui_child

    stall = gui_child("suite_run", {"info": info, "cases": cases}, module="bench.runs_child")
    figure = Figure(f"longest window stall during a {cases}-case run (Runs tab)", stall["run_ms"], "ms", 50.0,
                    kind="absolute", baseline=stall["idle_ms"], baseline_name="idle, same heartbeat")
    line = (f"- Runs tab, {cases} cases: {stall['seconds']:.1f} s for the run, longest gap between 5 ms "
            f"heartbeats {stall['run_ms']:.1f} ms (idle window {stall['idle_ms']:.1f} ms).")
    return [figure], [line]


def _measure(info: dict[str, Any], control: Any, *, quick: bool) -> tuple[list[Figure], list[str]]:
    from app.core.history import HistoryStore

    batch, rounds, big = (10, 2, 50) if quick else (50, 5, 1000)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        with HistoryStore(home / "history.sqlite3") as history:
            ours: list[float] = []
            bare: list[float] = []
            for _ in range(rounds):  # alternating batches, so load hits both alike
                user = control.create_user()
                env = {"BENCH_PASSWORD": user["password"]}
                ours += _suite_case_ms(_write_suite(home, info, user, batch), history, env)
                bare += _bare_call_ms(info, control.create_user(), batch)
            user = control.create_user()
            env = {"BENCH_PASSWORD": user["password"]}
            _suite_case_ms(_write_suite(home, info, user, 10), history, env)  # warm: imports, caches
            before = rss_mb()
            big_user = control.create_user()
            cases = _suite_case_ms(_write_suite(home, info, big_user, big), history,
                                   {"BENCH_PASSWORD": big_user["password"]})
            growth = rss_mb() - before
    ours_ms, bare_ms = statistics.median(ours), statistics.median(bare)
    figures = [
        Figure("suite runner, one case", ours_ms, "ms", 5.0, kind="delta", baseline=bare_ms,
               baseline_name="bare boto3 send"),
        Figure(f"RSS growth over a {big:,}-case suite", growth, "MB", 20.0, kind="absolute"),
    ]
    lines = [
        f"- Runner per case: median {ours_ms:.2f} ms over {len(ours)} cases (send, expectation checks, "
        f"pending + completed history rows) against {bare_ms:.2f} ms for the bare send ({len(bare)} calls).",
        f"- {big:,}-case suite: {sum(cases) / 1000:.1f} s in cases, median {statistics.median(cases):.2f} ms "
        f"per case, RSS {before:.0f} → {before + growth:.0f} MB.",
    ]
    stall_figures, stall_lines = _window_stall(info, 20 if quick else 200)
    return figures + stall_figures, lines + stall_lines
