"""SRP sign-in loads pycognito's `aws_srp` without importing requests or boto3 (`AWSSRP` needs
neither when given a client). Each check runs in a fresh interpreter: this one may have imported
both already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
from app.runtime.pycognito_srp import srp_module
module = srp_module()
srp = module.AWSSRP("alice", "Passw0rd!", "eu-west-1_Example1", "client", client=object())
params = srp.get_auth_params()
loaded = {m: m in sys.modules for m in ("requests", "boto3", "charset_normalizer")}
import requests
print(json.dumps({"loaded": loaded, "params": sorted(params), "post_is_real": module.requests.post is requests.post,
                  "again": srp_module() is module}))
"""


def _child(code: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_srp_sign_in_parameters_need_neither_requests_nor_boto3() -> None:
    child = _child(CHILD)
    assert child["loaded"] == {"requests": False, "boto3": False, "charset_normalizer": False}
    assert child["params"] == ["SRP_A", "USERNAME"]
    assert child["again"] is True


def test_a_deferred_module_is_the_real_one_at_its_first_use() -> None:
    assert _child(CHILD)["post_is_real"] is True


def test_an_already_imported_requests_is_used_directly() -> None:
    child = _child("""
import json, requests
from app.runtime.pycognito_srp import srp_module
print(json.dumps({"same": srp_module().requests is requests}))
""")
    assert child == {"same": True}
