"""Reading a suite's YAML with positions, and finding the line and column of any part of it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.suites.model import Position, Problem

MAX_SUITE_BYTES = 4 * 1024 * 1024
PathPart = str | int


def load_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """The document as ruamel's round-trip nodes (which remember line and column), or problems."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    start = Position(path, 1, 1)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(start, f"cannot read the suite: {exc.strerror or exc}")]
    if len(data) > MAX_SUITE_BYTES:
        return None, [Problem(start, f"the suite is over {MAX_SUITE_BYTES // 1024 // 1024} MB")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(start, f"the suite is not UTF-8 text (byte {exc.start})")]
    try:
        return YAML(typ="rt").load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Position(path, mark.line + 1, mark.column + 1) if mark else start
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        return None, [Problem(where, f"YAML: {what or exc}")]
    except YAMLError as exc:
        return None, [Problem(start, f"YAML: {exc}")]


def position_of(root: Any, path: Sequence[PathPart], file: Path, *, key: bool = False) -> Position:
    """Where the node at `path` starts (with `key`, where its key is written); the nearest
    enclosing node that knows its place when it does not."""
    line, column = 0, 0
    node = root
    for index, part in enumerate(path):
        lc = getattr(node, "lc", None)
        last = index == len(path) - 1
        try:
            if isinstance(node, dict) and part in node:
                if lc is not None:
                    line, column = lc.key(part) if (key and last) else lc.value(part)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                if lc is not None:
                    line, column = lc.item(part)
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    if not path:
        lc = getattr(root, "lc", None)
        if lc is not None:
            line, column = lc.line, lc.col
    return Position(file, line + 1, column + 1)


def dotted(path: Sequence[PathPart]) -> str:
    """`cases[2].expect.message` for the path ("cases", 2, "expect", "message")."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the suite"
