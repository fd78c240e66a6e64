"""A history record as the equivalent AWS CLI command, ready to paste into a POSIX shell.

The access token is never part of it: the command reads `$ACCESS_TOKEN` from the shell. Every other
argument is single-quoted (POSIX `sh` rules), so any quote, `$`, backtick, line break or non-ASCII
character in an attribute name or ClientMetadata reaches the AWS CLI unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from app.core.history import HistoryRecord
from app.core.models import SEND_OPERATION, UPDATE_OPERATION, VERIFY_OPERATION

TOKEN_VARIABLE = "ACCESS_TOKEN"
CODE_VARIABLE = "VERIFICATION_CODE"
_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


class CliCommandError(ValueError):
    """The record cannot be written as a shell command (e.g. a NUL character in an argument)."""


def shell_quote(value: str) -> str:
    """`value` as one POSIX shell word: bare when only safe characters, otherwise single-quoted."""
    if "\x00" in value:
        raise CliCommandError("A NUL character cannot be passed on a command line.")
    if value and _SAFE.fullmatch(value):
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


def client_metadata_json(metadata: Mapping[str, str]) -> str:
    """ClientMetadata as the compact JSON the CLI's --client-metadata takes."""
    return json.dumps(dict(metadata), ensure_ascii=False, separators=(",", ":"))


def send_command(
    *,
    attribute_name: str,
    client_metadata: Mapping[str, str] | None,
    region: str,
    endpoint_url: str | None = None,
) -> str:
    """`aws cognito-idp get-user-attribute-verification-code …` with the token as `"$ACCESS_TOKEN"`."""
    words = [
        "aws", "cognito-idp", "get-user-attribute-verification-code",
        "--access-token", f'"${TOKEN_VARIABLE}"',
        "--attribute-name", shell_quote(attribute_name),
    ]
    if client_metadata:
        words += ["--client-metadata", shell_quote(client_metadata_json(client_metadata))]
    return " ".join(words + _location(region, endpoint_url))


def verify_command(*, attribute_name: str, region: str, endpoint_url: str | None = None) -> str:
    """`aws cognito-idp verify-user-attribute …` with the token and code read from the shell."""
    words = [
        "aws", "cognito-idp", "verify-user-attribute",
        "--access-token", f'"${TOKEN_VARIABLE}"',
        "--attribute-name", shell_quote(attribute_name),
        "--code", f'"${CODE_VARIABLE}"',
    ]
    return " ".join(words + _location(region, endpoint_url))


def update_command(
    *,
    attribute_name: str,
    value: str,
    client_metadata: Mapping[str, str] | None,
    region: str,
    endpoint_url: str | None = None,
) -> str:
    """`aws cognito-idp update-user-attributes …` changing one attribute, the token read from the shell."""
    attributes = json.dumps([{"Name": attribute_name, "Value": value}], ensure_ascii=False,
                            separators=(",", ":"))
    words = [
        "aws", "cognito-idp", "update-user-attributes",
        "--access-token", f'"${TOKEN_VARIABLE}"',
        "--user-attributes", shell_quote(attributes),
    ]
    if client_metadata:
        words += ["--client-metadata", shell_quote(client_metadata_json(client_metadata))]
    return " ".join(words + _location(region, endpoint_url))


def _location(region: str, endpoint_url: str | None) -> list[str]:
    words = ["--region", shell_quote(region)]
    if endpoint_url:
        words += ["--endpoint-url", shell_quote(endpoint_url)]
    return words


def command_for_record(record: HistoryRecord) -> str:
    """The AWS CLI command that repeats `record` (a verify record gives verify-user-attribute, an
    attribute change update-user-attributes).

    Raises CliCommandError when an argument cannot be written on a command line.
    """
    if record.operation == VERIFY_OPERATION:
        return verify_command(
            attribute_name=record.attribute_name, region=record.region, endpoint_url=record.endpoint_url
        )
    if record.operation == UPDATE_OPERATION and record.new_value is not None:
        return update_command(
            attribute_name=record.attribute_name, value=record.new_value,
            client_metadata=record.client_metadata, region=record.region, endpoint_url=record.endpoint_url,
        )
    if record.operation != SEND_OPERATION:
        raise CliCommandError(f"No AWS CLI command for the operation {record.operation!r}.")
    return send_command(
        attribute_name=record.attribute_name,
        client_metadata=record.client_metadata,
        region=record.region,
        endpoint_url=record.endpoint_url,
    )
