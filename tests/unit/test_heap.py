"""Long pauses kept off the window's thread: long-lived objects frozen out of the GC's passes, and a
modular exponentiation that lets other threads take the GIL between its steps."""

from __future__ import annotations

import gc
import random
import threading
import time
from collections.abc import Iterator

import pytest
from pycognito import aws_srp

from app.runtime.heap import long_lived, thaw, yielding_pow
from app.runtime.pycognito_srp import srp_class, srp_module

N = aws_srp.hex_to_long(aws_srp.N_HEX)
G = aws_srp.hex_to_long(aws_srp.G_HEX)


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    thaw()
    if enabled:
        gc.enable()


def test_yielding_pow_equals_pow_for_any_sign_size_and_modulus() -> None:
    rng = random.Random(6)
    for _ in range(400):
        modulus = rng.choice([N, -N, 97, 2**61 - 1, 1, 12_345_678_901_234_567_891])
        base = rng.randrange(-2 * N, 2 * N)
        exp = rng.getrandbits(rng.choice([0, 1, 5, 63, 64, 65, 256, 1024, 1300]))
        assert yielding_pow(base, exp, modulus) == pow(base, exp, modulus), (base, exp, modulus)
    assert yielding_pow(3, 5) == 243 and yielding_pow(2, -1, 7) == pow(2, -1, 7)


def _longest_main_thread_gap_ms(work: object) -> float:
    done = threading.Event()

    def run() -> None:
        for _ in range(3):
            work()  # type: ignore[operator]
        done.set()

    worker = threading.Thread(target=run)
    gaps: list[float] = []
    last = time.perf_counter()
    worker.start()
    while not done.is_set():
        time.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    worker.join()
    return max(gaps) * 1000


def test_srp_sized_exponentiation_lets_another_thread_run_between_steps() -> None:
    exponent = random.Random(1).getrandbits(1300)  # a + u·x in SRP: ~1,280 bits over a 3,072-bit N
    builtin, yielding = [], []
    for _ in range(3):  # best of three each, alternating: other processes add gaps to both
        builtin.append(_longest_main_thread_gap_ms(lambda: pow(G, exponent, N)))
        yielding.append(_longest_main_thread_gap_ms(lambda: yielding_pow(G, exponent, N)))
    # The builtin keeps this thread out for a whole exponentiation (~30 ms idle); the steps of
    # yielding_pow let it in after the interpreter's switch interval (5 ms) plus a step.
    assert min(yielding) < 0.5 * min(builtin), (yielding, builtin)


def test_pycognito_srp_uses_yielding_pow_and_computes_the_same_session_key() -> None:
    module = srp_module()
    assert module.pow is yielding_pow
    assert srp_class() is module.AWSSRP
    srp = module.AWSSRP("alice", "Passw0rd!", "eu-west-1_Example1", "client", client=object())
    server_b = pow(G, 123456789, N)
    salt = "a1b2c3d4"
    key = srp.get_password_authentication_key("alice", "Passw0rd!", server_b, salt)
    # The same derivation with the builtin pow, from pycognito's own helpers.
    u = aws_srp.calculate_u(srp.large_a_value, server_b)
    x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt) + aws_srp.hash_sha256(b"Example1alice:Passw0rd!")))
    s = pow(server_b - srp.val_k * pow(G, x, N), srp.small_a_value + u * x, N)
    expected = aws_srp.compute_hkdf(bytearray.fromhex(aws_srp.pad_hex(s)),
                                    bytearray.fromhex(aws_srp.pad_hex(aws_srp.long_to_hex(u))))
    assert key == expected
    assert srp.large_a_value == pow(G, srp.small_a_value, N)


def test_long_lived_pauses_collection_then_freezes_what_it_built() -> None:
    gc.enable()
    before = gc.get_freeze_count()
    with long_lived():
        assert not gc.isenabled()
        with long_lived():  # nested: still paused
            built = [{"model": i} for i in range(1000)]
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(built)
    thaw()
    assert gc.get_freeze_count() == 0


def test_long_lived_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    with long_lived():
        pass
    assert not gc.isenabled()


SRP_CHILD = """
import json, sys
from app.runtime.pycognito_srp import srp_module
module = srp_module()
srp = module.AWSSRP("alice", "Passw0rd!", "eu-west-1_Example1", "client", client=object())
srp.small_a_value = int(sys.argv[1])
srp.large_a_value = srp.calculate_a()
key = srp.get_password_authentication_key("alice", "Passw0rd!", int(sys.argv[2]), sys.argv[3])
print(json.dumps({"module": module.__name__, "pow": module.pow.__name__, "A": srp.large_a_value,
                  "key": bytes(key).hex(), "loaded": {m: m in sys.modules for m in ("pycognito", "jwt", "cryptography")}}))
"""


def test_srp_loads_without_pycognitos_package_and_computes_the_same_session_key() -> None:
    """pycognito's __init__ imports jwt and cryptography that SRP does not use."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    small_a = random.Random(7).getrandbits(1024)
    server_b, salt = pow(G, 987654321, N), "0f1e2d3c"
    done = subprocess.run([sys.executable, "-c", SRP_CHILD, str(small_a), str(server_b), salt],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    child = json.loads(done.stdout)
    assert child["module"] == "_verifydesk_pycognito.aws_srp" and child["pow"] == "yielding_pow"
    assert child["loaded"] == {"pycognito": False, "jwt": False, "cryptography": False}
    # The same derivation here, with pycognito's helpers and the builtin pow.
    big_a = pow(G, small_a, N)
    u = aws_srp.calculate_u(big_a, server_b)
    x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt) + aws_srp.hash_sha256(b"Example1alice:Passw0rd!")))
    k = aws_srp.hex_to_long(aws_srp.hex_hash("00" + aws_srp.N_HEX + "0" + aws_srp.G_HEX))
    s = pow(server_b - k * pow(G, x, N), small_a + u * x, N)
    expected = aws_srp.compute_hkdf(bytearray.fromhex(aws_srp.pad_hex(s)),
                                    bytearray.fromhex(aws_srp.pad_hex(aws_srp.long_to_hex(u))))
    assert child["A"] == big_a
    assert child["key"] == bytes(expected).hex()
