"""A case written once, run per data row: the CSV, ${column} substitution, and regex checks."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.suites.model import Case, Expect, Position, Problem, User
from app.core.suites.positions import PathPart, position_of

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_REGEX_FIELDS = ("destination", "message")
MAX_DATA_ROWS = 10_000


@dataclass(frozen=True)
class CaseTemplate:
    """One entry of `cases`, with defaults applied; `raw` is its node in the document."""

    index: int
    raw: Any
    expect: dict[str, Any]
    metadata: dict[str, str]
    attribute: str
    send_anyway: bool


@dataclass(frozen=True)
class DataRows:
    """A CSV's columns and rows, each row with the line it starts on."""

    file: Path
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def read_rows(file: Path, where: Position) -> tuple[DataRows | None, list[Problem]]:
    """The CSV at `file` (header line first); problems point at the CSV's line, or at `where`
    (the `data:` value) when the file cannot be read at all."""
    try:
        handle = file.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        return None, [Problem(where, f"data: cannot read {file}: {exc.strerror or exc}")]
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, str]]] = []
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                return None, [Problem(Position(file, 1, 1), "the first line must name the columns")]
            columns = [h.strip() for h in header]
            seen = {c for c in columns if columns.count(c) > 1 or not c}
            if seen:
                return None, [Problem(Position(file, 1, 1),
                                      f"column names must be unique and not empty: {sorted(seen)}")]
            start = reader.line_num + 1
            for row in reader:
                line = start
                start = reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    problems.append(Problem(Position(file, line, 1),
                                            f"{len(row)} fields, but the header has {len(columns)}"))
                    continue
                rows.append((line, dict(zip(columns, row, strict=True))))
                if len(rows) > MAX_DATA_ROWS:
                    return None, [Problem(Position(file, line, 1), f"over {MAX_DATA_ROWS:,} rows")]
        except (csv.Error, UnicodeDecodeError) as exc:
            return None, [Problem(Position(file, max(reader.line_num, 1), 1), f"CSV: {exc}")]
    if not rows and not problems:
        problems.append(Problem(where, f"data: {file.name} has no data rows"))
    return DataRows(file, columns, rows), problems


class _Substituter:
    """Fills ${column} in a template's strings from one row, reporting undefined columns once."""

    def __init__(self, doc: Any, file: Path, index: int, data: DataRows | None) -> None:
        self.doc, self.file, self.index, self.data = doc, file, index, data
        self.row: dict[str, str] = {}
        self.problems: list[Problem] = []
        self._reported: set[tuple[PathPart, ...]] = set()

    def __call__(self, value: str, *path: PathPart) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.row:
                return self.row[name]
            full = ("cases", self.index, *path)
            if full not in self._reported:
                self._reported.add(full)
                if self.data is None:
                    why = "this case has no data file, so it has no columns"
                else:
                    why = f"{self.data.file.name} has the columns {', '.join(self.data.columns)}"
                self.problems.append(Problem(position_of(self.doc, list(full), self.file),
                                             f"{_where(full)}: undefined ${{{name}}} ({why})"))
            return match.group(0)

        return _PLACEHOLDER.sub(fill, value) if "${" in value else value


def _where(path: tuple[PathPart, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                   for i, p in enumerate(path))


def _build(template: CaseTemplate, fill: Callable[..., str], name: str, position: Position,
           user: User) -> Case:
    raw = template.raw
    metadata = {fill(str(k), "metadata", k): fill(str(v), "metadata", k)
                for k, v in template.metadata.items()}
    expect: dict[str, Any] = {key: fill(value, "expect", key) if isinstance(value, str) else value
                              for key, value in template.expect.items()}
    update = raw.get("update")
    return Case(
        name=name, user=user.key, attribute=fill(template.attribute, "attribute"), metadata=metadata,
        expect=Expect(**expect), position=position, send_anyway=template.send_anyway,
        update_value=fill(str(update["value"]), "update", "value") if update else None,
        verify_code_from=(raw.get("verify") or {}).get("code_from"), source_name=str(raw["name"]),
    )


def _regex_problems(case: Case, template: CaseTemplate, doc: Any, file: Path, row: str) -> list[Problem]:
    found = []
    for key in _REGEX_FIELDS:
        pattern = getattr(case.expect, key)
        if pattern is None:
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            at = position_of(doc, ["cases", template.index, "expect", key], file)
            found.append(Problem(at, f"cases[{template.index}].expect.{key}: not a valid regex{row}: {exc}"))
    return found


def expand_case(
    template: CaseTemplate, doc: Any, file: Path, users: dict[str, User]
) -> tuple[list[Case], list[Problem]]:
    """The template's cases (one per data row, else one) and the problems found building them."""
    raw = template.raw
    position = position_of(doc, ["cases", template.index], file)
    user = users[raw["user"]]
    data: DataRows | None = None
    problems: list[Problem] = []
    if raw.get("data"):
        where = position_of(doc, ["cases", template.index, "data"], file)
        data, problems = read_rows((file.parent / str(raw["data"])).resolve(), where)
        if data is None:
            return [], problems
    fill = _Substituter(doc, file, template.index, data)
    cases: list[Case] = []
    rows: list[tuple[int, dict[str, str]]] = data.rows if data else [(0, {})]
    for line, row in rows:
        fill.row = row
        name = str(raw["name"])
        if data is not None:
            first = data.columns[0]
            name = fill(name, "name") if "${" in name else f"{name} [{first}={row[first]}]"
        case = _build(template, fill, name, position, user)
        shown = f" (in row {data.file.name}:{line})" if data is not None else ""
        problems.extend(_regex_problems(case, template, doc, file, shown))
        cases.append(case)
        if fill.problems:
            break  # an undefined column is undefined in every row
    problems.extend(fill.problems)
    names = [c.name for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(Problem(position, f"cases[{template.index}]: rows give the same case name "
                                          f"{duplicates[0]!r}; use ${{column}} in the name"))
    return cases, problems
