"""Each runtime patch, seen from outside in a fresh interpreter: applied by default; with
VERIFYDESK_STOCK=1, or when the library is outside the tested range, every library behaves as shipped
(own loader per botocore session, pycognito imported whole with the builtin pow, SecretStorage with
cryptography, nothing frozen, PySide6's source scan in place) and the log says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import gc, json, logging, sys
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    from app.runtime import botocore_data, botocore_imports, guard, pycognito_srp, qt
    if sys.argv[1] == "untested":  # pretend every library is a release the patches were not tested with
        for module in (botocore_data, pycognito_srp, qt):
            module.TESTED = ((0,), (0, 1))
        botocore_imports.TESTED = dict.fromkeys(botocore_imports.TESTED, ((0,), (0, 1)))
        from app.runtime import secretstorage_crypto
        secretstorage_crypto.TESTED = ((0,), (0, 1))
    from app.runtime.heap import long_lived
    from app.runtime.secretstorage_crypto import defer_secretstorage_cryptography

    first, second = botocore_data.botocore_session(), botocore_data.botocore_session()
    client = botocore_data.boto3_session(region_name="us-east-1").client("logs", endpoint_url="http://127.0.0.1:9")
    loaders = [s.get_component("data_loader") for s in (first, second)]
    module = pycognito_srp.srp_module()
    gc.unfreeze()
    with long_lived():
        kept = [object()]
    frozen = gc.get_freeze_count()
    defer_secretstorage_cryptography()
    import secretstorage.item
    import app.ui
    feature = sys.modules["shibokensupport.feature"]
    print(json.dumps({
        "shared_loader": loaders[0] is loaders[1],
        "loader_class": type(loaders[0]).__name__,
        "srp_module": module.__name__,
        "pow": getattr(vars(module).get("pow"), "__name__", "builtin"),
        "pycognito_package_ran": "jwt" in sys.modules,
        "frozen": frozen > 0,
        "cryptography_with_secretstorage": "cryptography" in sys.modules,
        "feature_scan": feature._mod_uses_pyside.__name__,
        "jmespath_or_multiprocessing": sorted({"jmespath", "multiprocessing"} & set(sys.modules)),
        "status": guard.status(),
    }))
""")

PATCHES = [
    "botocore shared lean data loader", "pycognito.aws_srp without its package",
    "pycognito.aws_srp yielding pow", "gc.freeze long-lived objects",
    "secretstorage without cryptography until used", "PySide6 import hook without the source scan",
    "botocore and boto3 without jmespath and multiprocessing until used",
]


def _probe(mode: str, **env: str) -> tuple[dict[str, object], str]:
    child_env = {k: v for k, v in os.environ.items() if k != "VERIFYDESK_STOCK"} | env
    done = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=ROOT, env=child_env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result, done.stderr


def test_every_patch_is_applied_by_default() -> None:
    result, _ = _probe("tested")
    assert result["status"] == dict.fromkeys(PATCHES, "applied")
    assert result["shared_loader"] is True
    assert result["loader_class"] == "TrimmedEndpointsLoader"
    assert result["srp_module"] == "_verifydesk_pycognito.aws_srp"
    assert result["pow"] == "yielding_pow"
    assert result["pycognito_package_ran"] is False
    assert result["frozen"] is True
    assert result["cryptography_with_secretstorage"] is False
    assert result["feature_scan"] == "_never_uses_features"
    assert result["jmespath_or_multiprocessing"] == []


def _assert_stock(result: dict[str, object], *, frozen: bool = False) -> None:
    assert result["shared_loader"] is False
    assert result["loader_class"] == "Loader"
    assert result["srp_module"] == "pycognito.aws_srp"
    assert result["pow"] == "builtin"
    assert result["pycognito_package_ran"] is True
    assert result["frozen"] is frozen
    assert result["cryptography_with_secretstorage"] is True
    assert result["feature_scan"] == "_mod_uses_pyside"
    assert result["jmespath_or_multiprocessing"] == ["jmespath", "multiprocessing"]


def test_verifydesk_stock_leaves_every_library_as_shipped() -> None:
    result, log = _probe("tested", VERIFYDESK_STOCK="1")
    _assert_stock(result)
    assert result["status"] == dict.fromkeys(PATCHES, "stock (VERIFYDESK_STOCK=1)")
    for patch in PATCHES:
        assert log.count(f"app.runtime INFO runtime patch {patch!r} not applied") == 1, log


def test_untested_releases_get_the_stock_behaviour_with_a_warning_each() -> None:
    result, log = _probe("untested")
    _assert_stock(result, frozen=True)  # gc.freeze depends on Python alone
    warned = [line for line in log.splitlines() if line.startswith("app.runtime WARNING")]
    assert len(warned) == len(PATCHES) - 1, log
    for library in ("botocore", "pycognito", "PySide6", "secretstorage"):
        assert any(f"{library} " in line and "is not in the tested range 0 to below 0.1" in line
                   for line in warned), (library, log)
