"""botocore and boto3 load without jmespath and multiprocessing, which they import at their top for
paginators, waiters, resources and s3transfer's process pool; each is imported at its first use,
and what uses them works as shipped. Each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import json, sys
    from app.runtime.botocore_data import boto3_session
    def loaded():
        return sorted({"jmespath", "multiprocessing"} & set(sys.modules))
    client = boto3_session(region_name="us-east-1").client(
        "cognito-idp", endpoint_url="http://127.0.0.1:9", aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="example")
    steps = {"client": loaded()}
    paginator = client.get_paginator("list_users")
    steps["paginator"] = loaded()
    from botocore.paginate import Paginator
    steps["paginator_works"] = isinstance(paginator, Paginator) and paginator.result_keys[0].expression == "Users"
    import s3transfer.processpool
    from multiprocessing.managers import BaseManager
    steps["process_pool_manager"] = issubclass(s3transfer.processpool.TransferMonitorManager, BaseManager)
    steps["after_process_pool"] = loaded()
    print(json.dumps(steps))
""")


def _probe(**env: str) -> dict[str, object]:
    child_env = {k: v for k, v in os.environ.items() if k != "VERIFYDESK_STOCK"} | env
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=child_env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_client_is_made_without_jmespath_and_multiprocessing_which_load_when_first_used() -> None:
    steps = _probe()
    assert steps["client"] == []
    assert steps["paginator"] == ["jmespath"]  # a paginator compiles its expressions when made
    assert steps["paginator_works"] is True
    assert steps["process_pool_manager"] is True  # s3transfer subclasses the deferred BaseManager
    assert steps["after_process_pool"] == ["jmespath", "multiprocessing"]


def test_stock_mode_imports_both_with_the_sdk() -> None:
    steps = _probe(VERIFYDESK_STOCK="1")
    assert steps["client"] == ["jmespath", "multiprocessing"]
    assert steps["process_pool_manager"] is True
