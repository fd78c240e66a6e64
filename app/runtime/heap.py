"""Keep long pauses off the window's thread: what a worker thread does while holding the GIL stalls
the GUI thread as surely as work on the GUI thread itself. Two causes: the cyclic garbage collector's
full passes over a heap full of long-lived objects (botocore's service models, the window's widgets),
and long single C calls (a big modular exponentiation in SRP).

- `long_lived()` wraps the creation of things that live as long as the process (a boto3 client, the
  window): no collection while they are built, and `gc.freeze()` afterwards, so later passes skip
  them. Use it for one-off creations only; objects frozen are never examined again. A plain block in
  stock mode (`VERIFYDESK_STOCK=1`).
- `thaw()` hands everything back to the collector (the window calls it when it closes).
- `yielding_pow()` is `pow(base, exp, mod)` computed a few exponent bits per C call, so another
  thread can take the GIL between steps (`app.runtime.pycognito_srp` gives it to pycognito).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from app.runtime.guard import enabled

GC_FREEZE = "gc.freeze long-lived objects"

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def long_lived() -> Iterator[None]:
    """Build long-lived objects without a collection in the middle, then freeze them (and what else
    is alive now) out of the collector's reach. Nesting and concurrent use from threads are fine."""
    global _depth, _was_enabled  # noqa: PLW0603 - one collector per process
    if not enabled(GC_FREEZE, _gc_misfit):
        yield
        return
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            gc.freeze()
            if _depth == 0 and _was_enabled:
                gc.enable()


def _gc_misfit() -> str | None:
    if callable(getattr(gc, "freeze", None)) and callable(getattr(gc, "unfreeze", None)):
        return None
    return "this Python has no gc.freeze"


def thaw() -> None:
    """Give every frozen object back to the collector (e.g. when the window that froze them closes)."""
    gc.unfreeze()


_WINDOW_BITS = 5  # exponent bits per step: one small table, a handful of squarings per C call


def yielding_pow(base: int, exp: int, mod: int | None = None) -> int:
    """`pow(base, exp, mod)`, as a left-to-right 5-bit window exponentiation whose steps are separate
    C calls. Same result and about the same time as the builtin, but the GIL is never held for more
    than a few big-number multiplications, where the builtin holds it for the whole exponentiation."""
    if mod is None or exp < 0 or exp.bit_length() <= 64 or mod in (1, -1):
        return pow(base, exp, mod)
    base %= mod
    table = [1, base]
    for _ in range(2, 1 << _WINDOW_BITS):
        table.append(table[-1] * base % mod)
    result = 1
    top = -(-exp.bit_length() // _WINDOW_BITS) * _WINDOW_BITS
    mask = (1 << _WINDOW_BITS) - 1
    for shift in range(top - _WINDOW_BITS, -1, -_WINDOW_BITS):
        result = pow(result, 1 << _WINDOW_BITS, mod)
        digit = (exp >> shift) & mask
        if digit:
            result = result * table[digit] % mod
    return result % mod
