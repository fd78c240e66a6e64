"""What every CLI command shares: exit codes, the secrets' variables, bad input, JSON and text output.

Exit codes: 0 success, 1 service error, 2 bad input, 128 + the signal's number when cancelled (130 for
Ctrl+C). Secrets are never accepted as arguments: the password, access token and client secret come
from the environment or standard input.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, TextIO

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


# C0 and C1 controls, DEL, line/paragraph separators, the bidirectional overrides and isolates, and lone
# surrogates: what a terminal acts on (new lines, cursor moves, titles via OSC), what reorders the text
# shown, and what cannot be encoded at all.
_TERMINAL_ACTIVE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def shown(value: object) -> str:
    """`value` as text safe to print on a terminal: control characters appear escaped (`\\n`, `\\e`,
    `\\x07`, `\\u202e`) so a server's or a file's text can neither forge lines nor send escape codes."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = str(value)
        except ValueError:  # an integer too long to convert (sys.get_int_max_str_digits)
            text = f"<{type(value).__name__} too long to show>"
    return _TERMINAL_ACTIVE.sub(_escape, text)
