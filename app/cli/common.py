"""What every CLI command shares: exit codes, the secrets' variables, bad input, JSON and text output.

Exit codes: 0 success, 1 service error, 2 bad input, 128 + the signal's number when cancelled (130 for
Ctrl+C). Secrets are never accepted as arguments: the password, access token and client secret come
from the environment or standard input.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

from app.core.visible import shown as shown  # noqa: PLC0414 - the text output's escaping, shared with the window

EXIT_OK = 0
EXIT_SERVICE_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_SIGNAL_BASE = 128

PASSWORD_ENV = "VERIFYDESK_PASSWORD"
ACCESS_TOKEN_ENV = "VERIFYDESK_ACCESS_TOKEN"
CLIENT_SECRET_ENV = "VERIFYDESK_CLIENT_SECRET"


class BadInputError(Exception):
    """Input the CLI refuses before sending anything; `field` names the option."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def bad_input_payload(field: str, message: str) -> dict[str, Any]:
    """The `--json` object of bad input: exit 2, `error.field` names the option."""
    return {
        "ok": False,
        "error": {"code": "InvalidInput", "message": message, "field": field,
                  "http_status": None, "request_id": None, "guidance": None},
    }


def emit_json(stream: TextIO, payload: dict[str, Any]) -> None:
    stream.write(json.dumps(payload, ensure_ascii=False) + "\n")


def env_secret(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None
