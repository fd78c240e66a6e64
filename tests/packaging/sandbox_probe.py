"""Run the sandbox through what the bundled one must serve, then print the moto packages it loaded.

Used by test_bundle_recipe.py (in a fresh interpreter, so earlier imports do not count): the
self-test's round trip (sign-in, GetUser, send, verify) plus the trigger log lines the sandbox
writes to CloudWatch Logs and a logs client reading them back.
"""

from __future__ import annotations

import io
import json
import sys


def main() -> int:
    import boto3

    from app.sandbox import Sandbox
    from app.sandbox.cloudwatch import write_lines
    from app.selftest import run_self_test

    with Sandbox() as pool:
        info = pool.info
        report = io.StringIO()
        rc = run_self_test(endpoint_url=info.endpoint_url, out=report)
        if rc != 0:
            print(report.getvalue(), file=sys.stderr)
            return rc
        write_lines("123456789012", info.region, "probe-fn", ["START probe", "END probe"])
        logs = boto3.client("logs", endpoint_url=info.endpoint_url, region_name=info.region,
                            aws_access_key_id="probe", aws_secret_access_key="probe")
        logs.filter_log_events(logGroupName="/aws/lambda/probe-fn")
        pool.control.inbox()
    loaded = sorted({name.split(".")[1] for name in sys.modules if name.startswith("moto.")})
    print(json.dumps(loaded))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
