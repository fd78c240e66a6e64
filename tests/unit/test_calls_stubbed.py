"""Exact AWS request/response shapes of the calls, checked with botocore's Stubber."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.stub import Stubber

from app.core.calls import get_user, send_verification_code, verify_attribute
from app.core.connection import CognitoConnection, ConnectionSettings
from app.core.errors import ServiceError
from app.core.models import CodeDeliveryDetails

TOKEN = "eyJraWQiOiJ4In0.eyJzdWIiOiJ4In0.c2ln"


@pytest.fixture
def stubbed() -> Iterator[tuple[CognitoConnection, Stubber]]:
    conn = CognitoConnection(ConnectionSettings(region="eu-west-1", client_id="client"))
    with Stubber(conn.client) as stubber:
        yield conn, stubber
        stubber.assert_no_pending_responses()


def test_send_passes_client_metadata_and_reads_code_delivery_details(
    stubbed: tuple[CognitoConnection, Stubber],
) -> None:
    conn, stubber = stubbed
    stubber.add_response(
        "get_user_attribute_verification_code",
        {"CodeDeliveryDetails": {"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "a***@e***"},
         "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": 200}},
        {"AccessToken": TOKEN, "AttributeName": "email", "ClientMetadata": {"k": "ü"}},
    )
    result = send_verification_code(conn, TOKEN, "email", {"k": "ü"})
    assert result.delivery == CodeDeliveryDetails("email", "EMAIL", "a***@e***")
    assert result.request_id == "req-1"
    assert result.http_status == 200
    assert result.latency_ms >= 0


def test_empty_client_metadata_is_omitted_from_the_request(stubbed: tuple[CognitoConnection, Stubber]) -> None:
    conn, stubber = stubbed
    stubber.add_response(
        "get_user_attribute_verification_code", {},
        {"AccessToken": TOKEN, "AttributeName": "phone_number"},
    )
    assert send_verification_code(conn, TOKEN, "phone_number", {}).delivery is None


def test_a_service_error_keeps_code_message_status_and_request_id(stubbed: tuple[CognitoConnection, Stubber]) -> None:
    conn, stubber = stubbed
    stubber.add_client_error(
        "get_user_attribute_verification_code", service_error_code="LimitExceededException",
        service_message="Attempt limit exceeded, please try after some time.", http_status_code=400,
        response_meta={"RequestId": "req-2"},
    )
    with pytest.raises(ServiceError) as caught:
        send_verification_code(conn, TOKEN, "email")
    error = caught.value
    assert (error.code, error.http_status, error.request_id) == ("LimitExceededException", 400, "req-2")
    assert "Attempt limit" in error.message
    assert error.entry.code == "LimitExceededException"


def test_get_user_reads_verified_flags(stubbed: tuple[CognitoConnection, Stubber]) -> None:
    conn, stubber = stubbed
    stubber.add_response("get_user", {
        "Username": "alice",
        "UserAttributes": [
            {"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"},
            {"Name": "phone_number", "Value": "+15555550100"}, {"Name": "phone_number_verified", "Value": "false"},
            {"Name": "custom:team", "Value": "qa"},
        ],
    }, {"AccessToken": TOKEN})
    user = get_user(conn, TOKEN)
    assert user.username == "alice"
    assert user.attribute("email").verified is True  # type: ignore[union-attr]
    assert user.attribute("phone_number").verified is False  # type: ignore[union-attr]
    assert user.attribute("custom:team").verified is None  # type: ignore[union-attr]
    assert user.attribute_map["custom:team"] == "qa"


def test_verify_sends_the_code(stubbed: tuple[CognitoConnection, Stubber]) -> None:
    conn, stubber = stubbed
    stubber.add_response("verify_user_attribute", {}, {"AccessToken": TOKEN, "AttributeName": "email", "Code": "123456"})
    assert verify_attribute(conn, TOKEN, "email", "123456").attempts == 1


def test_client_side_parameter_validation_is_off_so_the_server_judges(stubbed: tuple[CognitoConnection, Stubber]) -> None:
    conn, stubber = stubbed
    # Shorter than AttributeNameType's min of 1: botocore's own validation (which checks min lengths,
    # types and required members, not max lengths or patterns) would raise ParamValidationError.
    bad_name = ""
    stubber.add_response(
        "get_user_attribute_verification_code",
        {"ResponseMetadata": {"RequestId": "req-bad", "HTTPStatusCode": 200}},
        {"AccessToken": TOKEN, "AttributeName": bad_name},
    )
    result = send_verification_code(conn, TOKEN, bad_name)
    assert (result.request_id, result.attempts) == ("req-bad", 1)
