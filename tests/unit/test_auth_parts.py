"""SECRET_HASH and challenge parsing, independent of any server."""

from __future__ import annotations

import base64
import hashlib
import hmac

from app.core.auth import Challenge, code_answers, mfa_choice_answers, new_password_answers, secret_hash


def test_secret_hash_is_base64_hmac_sha256_of_username_and_client_id() -> None:
    expected = base64.b64encode(
        hmac.new(b"s3cret", b"alice" + b"client1", hashlib.sha256).digest()
    ).decode()
    assert secret_hash("s3cret", "alice", "client1") == expected


def test_secret_hash_known_vector() -> None:
    # Computed independently: printf 'userclient' | openssl dgst -sha256 -hmac key -binary | base64
    assert secret_hash("key", "user", "client") == "YwFvZ4loYJ8AoBhNXIih/Y38DF2IP6/Lq768LwhOvJ0="


def test_new_password_challenge_lists_required_attributes_without_prefix() -> None:
    challenge = Challenge(
        "NEW_PASSWORD_REQUIRED",
        {"requiredAttributes": '["userAttributes.name", "userAttributes.custom:team"]',
         "userAttributes": '{"email": "n@example.com"}'},
        "newbie",
    )
    assert challenge.known
    assert challenge.required_attributes == ["name", "custom:team"]
    assert challenge.current_attributes == {"email": "n@example.com"}
    assert new_password_answers("N3w!", {"name": "N"}) == {"NEW_PASSWORD": "N3w!", "userAttributes.name": "N"}


def test_code_challenges_answer_with_their_own_key() -> None:
    for name, key in [("SMS_MFA", "SMS_MFA_CODE"), ("SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE"),
                      ("EMAIL_OTP", "EMAIL_OTP_CODE")]:
        assert code_answers(Challenge(name, {}, "u"), "123456") == {key: "123456"}
    assert code_answers(Challenge("CUSTOM_CHALLENGE", {}, "u"), "x") == {"ANSWER": "x"}


def test_select_mfa_type_offers_choices() -> None:
    challenge = Challenge("SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'}, "u")
    assert challenge.mfa_choices == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    assert mfa_choice_answers("SMS_MFA") == {"ANSWER": "SMS_MFA"}


def test_unknown_challenges_are_kept_by_name_with_parameters_and_bad_json_is_tolerated() -> None:
    challenge = Challenge("WEB_AUTHN", {"CREDENTIAL_REQUEST_OPTIONS": "{}", "requiredAttributes": "{bad"}, "u")
    assert not challenge.known
    assert challenge.parameters["CREDENTIAL_REQUEST_OPTIONS"] == "{}"
    assert challenge.required_attributes == []
    assert challenge.mfa_choices == []
