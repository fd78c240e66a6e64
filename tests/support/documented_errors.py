"""The errors documented for GetUserAttributeVerificationCode, with what to expect of each from sources
other than VerifyDesk's catalogue: the HTTP status the API reference gives, the codes botocore's
service model lists for the operation, and the CLI run in-process over real HTTP.

`documented_errors()` reads tests/data/seed_error_codes.txt, so a new line there is a new case in every
table-driven test over it; a code without a status below fails those cases, asking for one.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from app.core.error_catalogue import CATALOGUE, UNKNOWN_ERROR

ERROR_LIST = Path(__file__).resolve().parents[1] / "data" / "seed_error_codes.txt"
OPERATION = "GetUserAttributeVerificationCode"

# "HTTP Status Code" of each error on the API reference page of GetUserAttributeVerificationCode:
# every error is a client error except Cognito's internal error. botocore's model carries no status
# for these shapes, so the page is the source; keep this table in step with it, not with the catalogue.
API_REFERENCE_STATUS: dict[str, int] = {
    "CodeDeliveryFailureException": 400,
    "InternalErrorException": 500,
    "InvalidEmailRoleAccessPolicyException": 400,
    "InvalidLambdaResponseException": 400,
    "InvalidParameterException": 400,
    "InvalidSmsRoleAccessPolicyException": 400,
    "InvalidSmsRoleTrustRelationshipException": 400,
    "LimitExceededException": 400,
    "NotAuthorizedException": 400,
    "PasswordResetRequiredException": 400,
    "ResourceNotFoundException": 400,
    "TooManyRequestsException": 400,
    "UnexpectedLambdaException": 400,
    "UserLambdaValidationException": 400,
    "UserNotConfirmedException": 400,
    "UserNotFoundException": 400,
}


def documented_errors() -> list[str]:
    """The error codes in the list file, in file order (comments and blank lines skipped)."""
    lines = ERROR_LIST.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def documented_status(code: str) -> int:
    """The API reference's HTTP status for `code` (fails naming the table when it has none)."""
    assert code in API_REFERENCE_STATUS, (
        f"{code} is in {ERROR_LIST.name} but not in API_REFERENCE_STATUS ({__name__}): add the HTTP "
        "status the API reference gives for it")
    return API_REFERENCE_STATUS[code]


@cache
def model_error_codes(operation: str = OPERATION) -> frozenset[str]:
    """The error shapes botocore's cognito-idp model lists for `operation`."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("cognito-idp")
    return frozenset(shape.name for shape in model.operation_model(operation).error_shapes)


def unknown_guidance() -> str:
    """What VerifyDesk says about a code it does not know (the fallback a documented code must not get)."""
    return CATALOGUE[UNKNOWN_ERROR].guidance


def connection_args(info: Any, *, client_id: str | None = None) -> list[str]:
    """The CLI's connection options for the sandbox (its public client unless given)."""
    return [
        "--endpoint-url", info.endpoint_url, "--region", info.region,
        "--client-id", client_id or info.client_id, "--user-pool-id", info.user_pool_id,
    ]


def run_cli(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """The CLI's command run in-process with captured streams: exit code, stdout, stderr."""
    from app.cli.parser import build_parser
    from app.cli.run import run_command

    args = build_parser().parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    code = run_command(args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()
