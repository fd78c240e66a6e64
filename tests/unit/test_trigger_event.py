"""The Custom Message event builder and Cognito's checks of what the trigger returns."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.core.trigger_event import (
    CODE_PLACEHOLDER,
    EMAIL,
    EMAIL_MAX_CHARS,
    SMS,
    SMS_MAX_CHARS,
    RenderedMessage,
    build_custom_message_event,
    render_message,
    validate_custom_message_response,
)


def _event(metadata: dict[str, str] | None = None, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "region": "eu-west-1", "user_pool_id": "eu-west-1_AbC", "user_name": "alice", "client_id": "client1",
        "user_attributes": {"sub": "1234", "email": "alice@example.com", "email_verified": "false"},
        "client_metadata": metadata,
    }
    arguments.update(changes)
    return build_custom_message_event(**arguments)


def _answer(**response: Any) -> dict[str, Any]:
    event = _event()
    event["response"].update(response)
    return event


def test_event_has_cognitos_exact_shape_for_verify_user_attribute() -> None:
    assert _event({"source": "web"}) == {
        "version": "1",
        "triggerSource": "CustomMessage_VerifyUserAttribute",
        "region": "eu-west-1",
        "userPoolId": "eu-west-1_AbC",
        "userName": "alice",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client1"},
        "request": {
            "userAttributes": {"sub": "1234", "email": "alice@example.com", "email_verified": "false"},
            "codeParameter": "{####}",
            "usernameParameter": None,
            "clientMetadata": {"source": "web"},
        },
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }


@pytest.mark.parametrize("metadata", [None, {}])
def test_client_metadata_is_absent_when_none_was_sent(metadata: dict[str, str] | None) -> None:
    assert "clientMetadata" not in _event(metadata)["request"]


def test_client_metadata_is_kept_exactly_including_empty_values_and_unicode() -> None:
    metadata = {"empty": "", "ünï": "çødé 🎉", "json": '{"a": 1}'}
    assert _event(metadata)["request"]["clientMetadata"] == metadata


def test_event_is_a_fresh_json_ready_copy_of_its_inputs() -> None:
    attributes, metadata = {"email": "a@b.c"}, {"k": "v"}
    event = _event(metadata, user_attributes=attributes)
    event["request"]["userAttributes"]["email"] = "changed"
    event["request"]["clientMetadata"]["k"] = "changed"
    assert attributes == {"email": "a@b.c"} and metadata == {"k": "v"}
    assert json.loads(json.dumps(event)) == event


def test_trigger_source_can_be_another_custom_message_source() -> None:
    assert _event(trigger_source="CustomMessage_ResendCode")["triggerSource"] == "CustomMessage_ResendCode"


def test_an_untouched_event_is_valid_cognito_then_uses_its_own_template() -> None:
    assert validate_custom_message_response(_event(), EMAIL) == []
    assert render_message(_event(), EMAIL, "123456") == RenderedMessage(None, None)


def test_a_message_with_the_placeholder_is_valid_and_renders_with_the_code() -> None:
    answer = _answer(emailSubject="Your code", emailMessage="Code: {####}!", smsMessage="SMS {####}")
    assert validate_custom_message_response(answer, EMAIL) == []
    assert validate_custom_message_response(answer, SMS) == []
    assert render_message(answer, EMAIL, "123456") == RenderedMessage("Your code", "Code: 123456!")
    assert render_message(answer, SMS, "654321") == RenderedMessage(None, "SMS 654321")


@pytest.mark.parametrize(("returned", "expected"), [
    (None, "The trigger returned null, not the event object."),
    ("garbage", "The trigger returned a string, not the event object."),
    ([1, 2], "The trigger returned an array, not the event object."),
    (42, "The trigger returned a number, not the event object."),
    ({"version": "1"}, 'The returned event has no "response" object.'),
    ({"response": "hi"}, 'The returned event\'s "response" is a string, not an object.'),
])
def test_what_is_not_an_event_with_a_response_object_is_refused(returned: object, expected: str) -> None:
    assert validate_custom_message_response(returned, EMAIL) == [expected]
    assert render_message(returned, EMAIL, "123456") == RenderedMessage(None, None)


def test_the_placeholder_must_be_in_the_message_of_the_delivery_medium() -> None:
    answer = _answer(emailMessage="No code here", smsMessage="SMS {####}")
    assert validate_custom_message_response(answer, EMAIL) == [
        "response.emailMessage does not contain the code placeholder {####}."
    ]
    assert validate_custom_message_response(answer, SMS) == []
    both = validate_custom_message_response(_answer(emailMessage="x", smsMessage="y"), None)
    assert both == [
        "response.emailMessage does not contain the code placeholder {####}.",
        "response.smsMessage does not contain the code placeholder {####}.",
    ]


def test_sms_is_limited_to_140_characters_and_email_to_20000() -> None:
    sms_ok = CODE_PLACEHOLDER + "x" * (SMS_MAX_CHARS - len(CODE_PLACEHOLDER))
    email_ok = CODE_PLACEHOLDER + "x" * (EMAIL_MAX_CHARS - len(CODE_PLACEHOLDER))
    assert validate_custom_message_response(_answer(smsMessage=sms_ok, emailMessage=email_ok), None) == []
    assert validate_custom_message_response(_answer(smsMessage=sms_ok + "x"), SMS) == [
        "response.smsMessage is 141 characters long; Cognito allows at most 140."
    ]
    assert validate_custom_message_response(_answer(emailMessage=email_ok + "x"), EMAIL) == [
        "response.emailMessage is 20,001 characters long; Cognito allows at most 20,000."
    ]


def test_wrong_types_in_response_are_each_named() -> None:
    answer = _answer(emailMessage=123, emailSubject=["a"], smsMessage={"t": 1})
    assert validate_custom_message_response(answer, EMAIL) == [
        "response.smsMessage must be a string or null, not an object.",
        "response.emailMessage must be a string or null, not a number.",
        "response.emailSubject must be a string or null, not an array.",
    ]
    assert render_message(answer, EMAIL, "123456") == RenderedMessage(None, None)


def test_every_placeholder_is_replaced_and_an_empty_subject_means_none() -> None:
    answer = _answer(emailSubject="", emailMessage="{####} and again {####}")
    assert render_message(answer, EMAIL, "000111") == RenderedMessage(None, "000111 and again 000111")


def test_validation_does_not_change_the_returned_event() -> None:
    answer = _answer(emailMessage="x" * 30_000)
    before = copy.deepcopy(answer)
    validate_custom_message_response(answer, EMAIL)
    render_message(answer, EMAIL, "1")
    assert answer == before


def test_an_unknown_medium_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="medium: expected 'EMAIL' or 'SMS', got 'FAX'"):
        validate_custom_message_response(_event(), "FAX")
    with pytest.raises(ValueError, match="medium"):
        render_message(_event(), "FAX", "1")
