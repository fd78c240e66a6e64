"""The catalogue covers every seed error and the client-side kinds, each with a next step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.error_catalogue import (
    CATALOGUE,
    GET_VERIFICATION_CODE_ERROR_CODES,
    INVALID_RESPONSE,
    NETWORK_ERROR,
    THROTTLING,
    TIMEOUT,
    UNKNOWN_ERROR,
    lookup,
)
from app.core.errors import ErrorContext, ServiceError, entry_in, is_expired_token_message

SEED_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_all_sixteen_seed_errors_are_catalogued() -> None:
    assert len(GET_VERIFICATION_CODE_ERROR_CODES) == 16
    assert set(GET_VERIFICATION_CODE_ERROR_CODES) <= set(CATALOGUE)


SEED_COPY = Path(__file__).resolve().parents[1] / "data" / "seed_error_codes.txt"


def _seed_listed_errors() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in SEED_DIR.glob("*.txt"))
    return set(re.findall(r"May throw (\w+Exception)", text))


def _copied_errors() -> set[str]:
    lines = SEED_COPY.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_the_catalogue_matches_the_errors_the_sdk_seed_lists() -> None:
    assert _copied_errors() == set(GET_VERIFICATION_CODE_ERROR_CODES)


@pytest.mark.skipif(not SEED_DIR.exists(), reason="the shared seeds are not beside this checkout")
def test_the_copy_of_the_seed_error_list_is_current() -> None:
    assert _seed_listed_errors() == _copied_errors()


@pytest.mark.parametrize("code", [*CATALOGUE])
def test_every_entry_explains_and_gives_a_next_step(code: str) -> None:
    entry = CATALOGUE[code]
    assert entry.explanation.endswith(".")
    assert len(entry.next_step) > 15
    assert entry.explanation in entry.guidance


def test_client_side_kinds_are_catalogued() -> None:
    for code in (THROTTLING, NETWORK_ERROR, TIMEOUT, UNKNOWN_ERROR, INVALID_RESPONSE):
        assert code in CATALOGUE


def test_named_guidance_for_limits_and_lambda_responses() -> None:
    assert "wait" in lookup("LimitExceededException").next_step.lower()
    lambda_step = lookup("InvalidLambdaResponseException").next_step
    assert "response" in lambda_step
    assert "{####}" in lambda_step


def test_lambda_errors_are_trigger_related() -> None:
    related = {code for code, entry in CATALOGUE.items() if entry.trigger_related}
    assert related >= {"InvalidLambdaResponseException", "UnexpectedLambdaException", "UserLambdaValidationException"}


def test_unknown_and_throttling_aliases_resolve() -> None:
    assert lookup("SomethingNew").code == UNKNOWN_ERROR
    assert lookup("ThrottlingException").code == THROTTLING


@pytest.mark.parametrize(
    ("message", "expired"),
    [
        ("Access Token has expired", True),
        ("Token is expired", True),
        # Emulators and revoked sessions say this; one refresh attempt is harmless and often helps.
        ("Invalid Access Token", True),
        ("Incorrect username or password.", False),
        ("Access Token has been revoked", False),
    ],
)
def test_expired_token_messages_offer_refresh(message: str, expired: bool) -> None:
    assert is_expired_token_message(message) is expired
    error = ServiceError("NotAuthorizedException", message)
    assert error.offers_refresh is expired


def test_service_error_dict_has_code_message_status_request_and_guidance() -> None:
    error = ServiceError("LimitExceededException", "Attempt limit exceeded", http_status=400, request_id="r-1")
    data = error.to_dict()
    assert data["code"] == "LimitExceededException"
    assert data["http_status"] == 400
    assert data["request_id"] == "r-1"
    assert data["guidance"] == lookup("LimitExceededException").guidance


@pytest.mark.parametrize(
    ("code", "message", "context", "advice"),
    [
        ("NotAuthorizedException", "Incorrect username or password.", ErrorContext("sign_in"),
         "Check the username and password"),
        ("NotAuthorizedException", "Invalid session for the user.", ErrorContext("sign_in", challenge="SMS_MFA"),
         "session"),
        ("NotAuthorizedException", "Refresh Token has expired", ErrorContext("refresh"), "Sign in again"),
        ("NotAuthorizedException", "Access Token has expired", ErrorContext("send", can_refresh=False),
         "paste a new token"),
        ("NotAuthorizedException", "Access Token has expired", ErrorContext("verify", can_refresh=False),
         "paste a new token"),
        ("InvalidParameterException", "x", ErrorContext("verify", attribute_name="e mail"), "e mail"),
    ],
)
def test_advice_fits_where_the_error_was_met(code: str, message: str, context: ErrorContext, advice: str) -> None:
    fitted = entry_in(code, message, context)
    assert advice.lower() in (fitted.explanation + " " + fitted.next_step).lower()
    assert fitted.next_step != lookup(code).next_step
