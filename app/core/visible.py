"""Text from a server or a file made safe to show, on a terminal or in a window: every character that
could act instead of being read appears as a visible escape.

The characters escaped: C0 and C1 controls, DEL, the line and paragraph separators, the bidirectional
marks, overrides and isolates, and lone surrogates. They are what a terminal acts on (new lines,
cursor moves, titles via OSC), what reorders the text shown, and what cannot be encoded at all.
"""

from __future__ import annotations

import re

ACTIVE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def shown(value: object) -> str:
    """`value` as one line safe to show: control characters appear escaped (`\\n`, `\\e`, `\\x07`,
    `\\u202e`) so a server's or a file's text can neither forge lines, send escape codes nor reorder
    what is shown."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = str(value)
        except ValueError:  # an integer too long to convert (sys.get_int_max_str_digits)
            text = f"<{type(value).__name__} too long to show>"
    return ACTIVE.sub(_escape, text)


def shown_lines(text: str) -> str:
    """Text that legitimately holds lines (a log, indented JSON): its `\\n` line breaks kept, every
    other active character of each line escaped as `shown` does (a `\\r` before a break too)."""
    return "\n".join(shown(line) for line in text.split("\n"))
