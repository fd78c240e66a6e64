"""Client-side checks of a request, with messages that name the field they are about.

AttributeName, AccessToken and ClientMetadata follow the shapes of botocore's cognito-idp model
(`app.core.field_rules`, which also words their checks); a new attribute value (UpdateUserAttributes)
is at most 2048 characters, an email looks like one and a phone number is E.164. A tester can still
send a request that fails these checks ("send anyway") to see the server's own validation, so nothing
here raises on a bad request: it reports. `request_warnings` names what is sent but may be refused.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# The field-shape checks are worded in field_rules and offered here with the others.
from app.core.field_rules import (
    access_token_problem,
    attribute_name_problem,
    attribute_name_warning,
    metadata_warnings,
)

ACCESS_TOKEN_FIELD = "AccessToken"
ATTRIBUTE_NAME_FIELD = "AttributeName"
CLIENT_METADATA_FIELD = "ClientMetadata"
CODE_FIELD = "Code"
ATTRIBUTE_VALUE_FIELD = "Value"
REGION_FIELD = "region"
ENDPOINT_URL_FIELD = "endpoint_url"

_CODE_PATTERN = re.compile(r"[\S]+")
CODE_MAX = 2048
REGION_MAX = 32
METADATA_FILE_MAX_BYTES = 5 * 1024 * 1024
ENDPOINT_URL_MAX = 2048
ATTRIBUTE_VALUE_MAX = 2048
_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.][^@\s]*\.[^@\s.]+")
_E164_PATTERN = re.compile(r"\+[1-9][0-9]{1,14}")


def is_e164(number: str) -> bool:
    """True when `number` is an E.164 phone number: + then 2 to 15 digits, no leading zero."""
    return _E164_PATTERN.fullmatch(number) is not None
_REGION_PATTERN = re.compile(r"[a-z]{2,}(-[a-z0-9]+)*-[0-9]{1,2}", re.ASCII)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a request, in words a tester understands."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class MetadataRow:
    """One row of the ClientMetadata grid, exactly as typed."""

    key: str
    value: str


@dataclass(frozen=True)
class RowProblem:
    """A problem with one cell of the ClientMetadata grid (`column` is "key" or "value")."""

    row: int
    column: str
    message: str


class MetadataImportError(ValueError):
    """Text or a file could not be read as ClientMetadata; `keys` names the offending keys."""

    def __init__(self, message: str, keys: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.keys = tuple(keys)


def code_problem(code: str) -> str | None:
    """Why `code` cannot be a verification code, or None when it can."""
    if not code:
        return "Enter the code that was delivered."
    if len(code) > CODE_MAX or not _CODE_PATTERN.fullmatch(code):
        return "A code has no spaces and at most 2048 characters."
    return None


def attribute_value_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be the new value of attribute `name`, or None when it can."""
    if not value:
        return "Enter the new value (a blank value would delete the attribute)."
    if len(value) > ATTRIBUTE_VALUE_MAX:
        return f"At most {ATTRIBUTE_VALUE_MAX} characters; this one has {len(value)}."
    if name == "email" and not _EMAIL_PATTERN.fullmatch(value):
        return "This does not look like an email address (name@example.com)."
    if name == "phone_number" and not is_e164(value):
        return "A phone number is E.164: + then the country code and number, digits only (+15555550100)."
    return None


def validate_update(
    access_token: str,
    attribute_name: str,
    value: str,
    rows: Sequence[MetadataRow] = (),
    *,
    pool_attributes: Iterable[str] | None = None,
) -> list[FieldError]:
    """All the problems of one UpdateUserAttributes request changing one attribute; with the pool's
    schema (`pool_attributes`, from DescribeUserPool) an attribute the pool lacks is named too."""
    errors = validate_send(access_token, attribute_name, rows)
    known = None if pool_attributes is None else set(pool_attributes)
    if known is not None and attribute_name and attribute_name not in known:
        errors.append(FieldError(ATTRIBUTE_NAME_FIELD, f"The pool has no attribute {attribute_name!r}; "
                                 "custom attributes are named custom:name."))
    if problem := attribute_value_problem(attribute_name, value):
        errors.append(FieldError(ATTRIBUTE_VALUE_FIELD, problem))
    return errors


def region_problem(region: object) -> str | None:
    """Why `region` is not an AWS region name such as us-east-1, or None when it is."""
    if not isinstance(region, str):
        return "The region must be text."
    if not region:
        return "Enter an AWS region, e.g. us-east-1."
    if len(region) > REGION_MAX:
        return f"At most {REGION_MAX} characters; this one has {len(region)}."
    if not _REGION_PATTERN.fullmatch(region):
        return "This does not look like an AWS region (e.g. us-east-1)."
    return None


_POOL_REGION = re.compile(r"([a-z]{2}(?:-[a-z]+)+-\d+)_")
_ENDPOINT_REGION = re.compile(r"(?:^|\.)cognito-idp(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.")


def region_mismatch_warning(region: str, user_pool_id: str | None, endpoint_url: str | None) -> str | None:
    """A warning (not a refusal) when the pool id's region prefix, or the region an AWS endpoint URL
    names, differs from `region`: every call would then fail with ResourceNotFound or a bad token."""
    region = region.strip()
    pool_region = None
    if user_pool_id and (match := _POOL_REGION.match(user_pool_id.strip())):
        pool_region = match.group(1)
    endpoint_region = None
    if endpoint_url:
        try:
            host = urlsplit(endpoint_url.strip()).hostname or ""
        except ValueError:
            host = ""
        if match := _ENDPOINT_REGION.search(host):
            endpoint_region = match.group(1)
    found: list[str] = []
    if pool_region and pool_region != region:
        found.append(f"the user pool id is in {pool_region}")
    if endpoint_region and endpoint_region != region:
        found.append(f"the endpoint URL is in {endpoint_region}")
    if not region or not found:
        return None
    return f"The region is {region}, but {' and '.join(found)}: calls to this pool will fail."


def endpoint_url_problem(url: object) -> str | None:
    """Why `url` cannot be a Cognito endpoint (http or https, with a host), or None when it can."""
    if not isinstance(url, str):
        return "The endpoint URL must be text."
    if len(url) > ENDPOINT_URL_MAX:
        return f"At most {ENDPOINT_URL_MAX} characters."
    if any(char.isspace() or unicodedata.category(char) in {"Cc", "Cs"} for char in url):
        return "The endpoint URL must not contain spaces or control characters."
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as exc:
        return f"This is not a valid URL ({exc})."
    problem = None
    if parts.scheme not in {"http", "https"}:
        problem = "The endpoint URL must start with http:// or https://."
    elif not parts.hostname:
        problem = "The endpoint URL needs a host, e.g. http://127.0.0.1:5000."
    elif not port_ok:
        problem = "The endpoint URL's port must be between 1 and 65535."
    return problem


def metadata_row_problems(rows: Sequence[MetadataRow]) -> list[RowProblem]:
    """Empty and duplicate keys in the grid; a fully empty row is ignored, not an error."""
    problems: list[RowProblem] = []
    first_row_of_key: dict[str, int] = {}
    for index, row in enumerate(rows):
        if not row.key and not row.value:
            continue
        if not row.key:
            problems.append(RowProblem(index, "key", "Key is empty; give this value a key."))
            continue
        if row.key in first_row_of_key:
            first = first_row_of_key[row.key] + 1
            message = f"Duplicate key {row.key!r} (also row {first})."
            problems.append(RowProblem(index, "key", message))
            continue
        first_row_of_key[row.key] = index
    return problems


def metadata_from_rows(rows: Sequence[MetadataRow]) -> dict[str, str]:
    """The ClientMetadata map of the grid (blank rows dropped; the first of duplicates wins)."""
    metadata: dict[str, str] = {}
    for row in rows:
        if row.key and row.key not in metadata:
            metadata[row.key] = row.value
    return metadata


def metadata_sent_anyway(rows: Sequence[MetadataRow]) -> tuple[dict[str, str], list[str]]:
    """What "Send anyway" sends: every row with a key or a value, an empty key included, so the
    server sees the bad input. A JSON object cannot carry a key twice: a repeated key's later rows
    are dropped, and the second list says so ("row 2 dropped: duplicate key 'source' (row 1 is sent)")."""
    metadata: dict[str, str] = {}
    first_row: dict[str, int] = {}
    dropped: list[str] = []
    for index, row in enumerate(rows):
        if not row.key and not row.value:
            continue
        if row.key in first_row:
            first = first_row[row.key] + 1
            dropped.append(f"row {index + 1} dropped: duplicate key {row.key!r} (row {first} is sent)")
            continue
        first_row[row.key] = index
        metadata[row.key] = row.value
    return metadata, dropped


def validate_send(
    access_token: str, attribute_name: str, rows: Sequence[MetadataRow] = ()
) -> list[FieldError]:
    """All the problems of one GetUserAttributeVerificationCode request, each naming its field."""
    errors: list[FieldError] = []
    if problem := access_token_problem(access_token):
        errors.append(FieldError(ACCESS_TOKEN_FIELD, problem))
    if problem := attribute_name_problem(attribute_name):
        errors.append(FieldError(ATTRIBUTE_NAME_FIELD, problem))
    for row_problem in metadata_row_problems(rows):
        where = f"row {row_problem.row + 1} {row_problem.column}"
        errors.append(FieldError(CLIENT_METADATA_FIELD, f"{where}: {row_problem.message}"))
    return errors


def request_warnings(attribute_name: str, metadata: Mapping[str, str] | None = None) -> list[FieldError]:
    """What is sent as it is but may be refused: an AttributeName whose code-point and UTF-16 counts
    straddle the limit, a ClientMetadata key or value over the model's string limit."""
    found = [FieldError(ATTRIBUTE_NAME_FIELD, w) for w in [attribute_name_warning(attribute_name)] if w]
    return found + [FieldError(CLIENT_METADATA_FIELD, w) for w in metadata_warnings((metadata or {}).items())]


def validate_verify(access_token: str, attribute_name: str, code: str) -> list[FieldError]:
    """All the problems of one VerifyUserAttribute request."""
    errors = validate_send(access_token, attribute_name)
    if problem := code_problem(code):
        errors.append(FieldError(CODE_FIELD, problem))
    return errors


def parse_metadata_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (split at the first `=`; empty values allowed) into a map.

    Raises MetadataImportError naming the offending assignment or duplicate key.
    """
    metadata: dict[str, str] = {}
    duplicates: list[str] = []
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise MetadataImportError(f"{assignment!r} is not KEY=VALUE.", [assignment])
        if not key:
            raise MetadataImportError(f"{assignment!r} has an empty key.", [assignment])
        if key in metadata:
            duplicates.append(key)
        metadata[key] = value
    if duplicates:
        names = ", ".join(repr(k) for k in dict.fromkeys(duplicates))
        raise MetadataImportError(f"Duplicate keys: {names}.", list(dict.fromkeys(duplicates)))
    return metadata


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    duplicates = [key for key, count in Counter(key for key, _ in pairs).items() if count > 1]
    if duplicates:
        names = ", ".join(repr(k) for k in duplicates)
        raise MetadataImportError(f"Duplicate keys: {names}.", duplicates)
    return dict(pairs)


def json_int(digits: str) -> int | float:
    """`parse_int` for json.loads: an integer; one too long for int() reads as infinity, so the value
    holding it is refused (by its key or field) instead of the whole file failing with a ValueError."""
    try:
        return int(digits)
    except ValueError:
        return math.inf


def parse_metadata_json(text: str) -> dict[str, str]:
    """A JSON object of string values into a map; anything else is refused, naming the keys."""
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicate_keys, parse_int=json_int)
    except MetadataImportError:
        raise
    except json.JSONDecodeError as exc:
        raise MetadataImportError(
            f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except RecursionError:
        raise MetadataImportError("Not usable JSON: nested too deeply.") from None
    if not isinstance(data, dict):
        raise MetadataImportError(
            f"Expected a JSON object of string values, got {type(data).__name__}."
        )
    bad_keys = [key for key, value in data.items() if not isinstance(value, str)]
    if bad_keys:
        names = ", ".join(repr(k) for k in bad_keys[:10]) + (" …" if len(bad_keys) > 10 else "")
        raise MetadataImportError(
            f"ClientMetadata values must be strings; not strings: {names}.", bad_keys
        )
    if "" in data:
        raise MetadataImportError("A key is empty; every value needs a key.", [""])
    return {str(key): str(value) for key, value in data.items()}


def parse_metadata_bytes(raw: bytes) -> dict[str, str]:
    """A JSON file's bytes (UTF-8, optional BOM) into a map."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetadataImportError(f"Not UTF-8 text (byte {exc.start} is invalid).") from None
    return parse_metadata_json(text)


def read_metadata_file(path: Path) -> dict[str, str]:
    """A ClientMetadata JSON file of at most METADATA_FILE_MAX_BYTES; MetadataImportError says why not."""
    try:
        # Opened without blocking and checked before reading: a FIFO or a device is refused at once.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise MetadataImportError(f"{path} is not a regular file; give a JSON file.")
            raw = handle.read(METADATA_FILE_MAX_BYTES + 1)  # bounded: a 10 GB file is refused, not loaded
    except OSError as exc:
        raise MetadataImportError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if len(raw) > METADATA_FILE_MAX_BYTES:
        limit = METADATA_FILE_MAX_BYTES // (1024 * 1024)
        raise MetadataImportError(f"{path} is larger than {limit} MB; a ClientMetadata file is smaller.")
    return parse_metadata_bytes(raw)


def parse_metadata_text(text: str) -> dict[str, str]:
    """Pasted text: a JSON object, or `key=value` lines (blank lines ignored, spaces kept)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return parse_metadata_json(stripped)
    lines = [line for line in text.splitlines() if line.strip()]  # each line exactly as typed
    if not lines:
        raise MetadataImportError("Nothing to paste: the text is empty.")
    return parse_metadata_assignments(line.rstrip("\r") for line in lines)
