"""`verifydesk`: the window by default, and a scriptable CLI on the same core.

`main` is the console entry point. With no arguments it opens the window before building any parser
(nothing here imports argparse or boto3 on that path); otherwise `parser` reads the command line and
the command's own module runs it: `send`, `verify`, `update-attribute`, `preflight` (`preflight`),
`run` (`suite`) and `history` through `run`,
the sandbox, the Lambda runner and the self-test from their packages. Shared exit codes, variables
and output are in `common`; the connection options become settings in `connection`; sign-in is
`signin`; what the calls share (metadata, checks, printing) is `request`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run `verifydesk ARGV` (default: the process's arguments); the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    if not words:  # the window, as a double-click starts it: no parser to build before it shows
        from app.ui.launch import run_window

        return run_window(sandbox=False)
    from app.cli.parser import parse_words

    args = parse_words(words)
    if args.command is None:
        from app.ui.launch import run_window

        return run_window(sandbox=args.sandbox)
    if args.command == "sandbox":
        from app.sandbox import run_foreground

        return run_foreground(args.host, args.port, args.trigger_endpoint, args.trigger_function, args.smtp)
    if args.command == "lambda-runner":
        from app.sandbox.lambda_runner import run_foreground as run_lambda

        return run_lambda(args.handler, args.host, args.port)
    if args.command == "self-test":
        from app.selftest import run_self_test

        return run_self_test()
    from app.cli.run import run_command

    return run_command(args, stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr)
