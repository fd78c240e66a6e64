"""Process-wide adjustments to third-party libraries, kept out of the domain code.

Each module here patches one library where its stock behaviour costs VerifyDesk memory or a stalled
window (the figures are in bench/RESULTS.md), and exposes a plain function the rest of the app calls
(`boto3_session()`, `srp_class()`, `long_lived()`, ...). Every patch goes through `app.runtime.guard`:
it is applied only when the library still looks the way the patch expects, and
`VERIFYDESK_STOCK=1` turns them all off, so the stock behaviour is always one variable away.

This package imports no other part of the app; only `app.runtime.qt` imports Qt.
"""
