"""`python -m app` runs the same entry point as the `verifydesk` script.

A frozen build also serves as the sandbox's handler host (`app.sandbox.lambda_invoke.HOST_FLAG`) when the
machine has no Python of its own to run a trigger file with.
"""

import sys

if sys.argv[1:2] == ["--verifydesk-handler-host"]:
    from app.sandbox.handler_host import main as host_main

    sys.exit(host_main([sys.argv[0], *sys.argv[2:]]))

from app.cli import main

sys.exit(main())
