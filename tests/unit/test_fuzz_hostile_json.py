"""Random typed JSON, as a hostile server could answer, never raises an unhandled exception.

The result parsers either read a value or raise UnexpectedAnswerError; the answer check before
botocore's parser lets through only what botocore can parse; the history store records any
completion and reads it back as JSON-safe data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.core.answers import UnexpectedAnswerError, shape_problem
from app.core.connection import _inspect_response_body
from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
from app.core.models import CodeDeliveryDetails, ConnectionInfo, Outcome
from app.core.tokens import Tokens

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OPERATIONS = ("GetUserAttributeVerificationCode", "InitiateAuth", "RespondToAuthChallenge", "GetUser",
              "VerifyUserAttribute")

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
# Answers shaped like Cognito's, with any value in any field: what a wrongly typed answer looks like.
delivery_like = st.fixed_dictionaries({}, optional={
    "AttributeName": json_values, "DeliveryMedium": json_values, "Destination": json_values})
auth_result_like = st.fixed_dictionaries({}, optional={
    "AccessToken": json_values, "ExpiresIn": json_values, "TokenType": json_values,
    "IdToken": json_values, "RefreshToken": json_values, "NewDeviceMetadata": json_values})
answers = json_values | st.fixed_dictionaries({}, optional={
    "CodeDeliveryDetails": delivery_like | json_values, "AuthenticationResult": auth_result_like | json_values,
    "ChallengeName": json_values, "ChallengeParameters": json_values, "Session": json_values,
    "Username": json_values, "UserAttributes": st.lists(
        st.fixed_dictionaries({}, optional={"Name": json_values, "Value": json_values}), max_size=3)})


@pytest.fixture(scope="module")
def service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("cognito-idp")


@FUZZ
@given(data=delivery_like | json_values)
def test_delivery_details_parse_or_refuse_with_unexpected_answer(data: Any) -> None:
    try:
        parsed = CodeDeliveryDetails.from_api(data)
    except UnexpectedAnswerError as exc:
        assert "Cognito sends" in exc.problem
        return
    if parsed is not None:
        assert all(v is None or isinstance(v, str) for v in (parsed.attribute_name, parsed.delivery_medium,
                                                            parsed.destination))


@FUZZ
@given(result=auth_result_like | json_values)
@example({"AccessToken": "t", "ExpiresIn": 10**400})
@example({"AccessToken": "t", "ExpiresIn": float("nan")})
@example({"AccessToken": "t", "ExpiresIn": "soon"})
def test_tokens_parse_or_refuse_with_unexpected_answer(result: Any) -> None:
    try:
        tokens = Tokens.from_auth_result(result)
    except UnexpectedAnswerError as exc:
        assert "Cognito sends" in exc.problem
        return
    assert isinstance(tokens.access_token, str) and tokens.access_token
    assert tokens.expires_at is None or isinstance(tokens.expires_at, float)


@FUZZ
@given(answer=answers, operation=st.sampled_from(OPERATIONS))
@example({"AuthenticationResult": {"AccessToken": "t", "ExpiresIn": 2**40}}, "InitiateAuth")
@example({"CodeDeliveryDetails": {"Destination": 12345}}, "GetUserAttributeVerificationCode")
def test_an_answer_the_check_lets_through_is_one_botocore_can_parse(
    service_model: Any, answer: Any, operation: str,
) -> None:
    from botocore.parsers import ResponseParserError, create_parser

    model = service_model.operation_model(operation)
    body = json.dumps(answer).encode()
    response = {"status_code": 200, "headers": {}, "body": body}
    try:
        _inspect_response_body(response, operation_model=model)
    except UnexpectedAnswerError as exc:
        assert exc.status == 200 and exc.problem == shape_problem(json.loads(body), model.output_shape)
        return
    except ResponseParserError:
        return  # 200 with a body that is not JSON
    parsed = create_parser("json").parse(response, model.output_shape)
    assert isinstance(parsed, dict)


completions = st.builds(
    AttemptCompletion,
    outcome=st.sampled_from([Outcome.SUCCESS, Outcome.ERROR]),
    delivery=st.none() | st.builds(CodeDeliveryDetails, json_values, json_values, json_values),
    error_code=json_values, error_message=json_values, http_status=json_values, request_id=json_values,
    latency_ms=json_values, attempts=json_values, cancelled=st.booleans(), trigger_log=json_values,
)


@FUZZ
@given(done=completions, metadata=st.dictionaries(st.text(max_size=12), json_values, max_size=4),
       username=json_values)
@example(AttemptCompletion(Outcome.ERROR, http_status=2**70, latency_ms=10**400, attempts=-(2**64),
                           error_message=[{"deep": [1.5, None]}]), {"k": 10**400}, ["not", "text"])
def test_the_history_store_records_any_completion_and_reads_it_back(
    tmp_path: Path, done: AttemptCompletion, metadata: dict[str, Any], username: Any,
) -> None:
    with HistoryStore(tmp_path / "fuzz.sqlite3") as store:
        row_id = store.begin(AttemptStart("GetUserAttributeVerificationCode",
                                          ConnectionInfo("us-east-1", None, None, "client"), username, "email",
                                          metadata))
        record = store.complete(row_id, done)
        assert record.outcome is done.outcome
        json.dumps(record.to_dict())  # JSON-safe, whatever came in
        assert store.page(limit=1)[0].id == row_id
        store.set_trigger_log(row_id, done.trigger_log)  # type: ignore[arg-type]
        store.export(tmp_path / "fuzz.json")
