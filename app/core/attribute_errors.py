"""Advice for the errors of an attribute change (UpdateUserAttributes), where the catalogue's words
(written for sending a code) would mislead; `errors.entry_in` applies it for operation "update"."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.error_catalogue import CatalogueEntry

# The errors the API reference lists for UpdateUserAttributes; all of them are in the catalogue.
UPDATE_ERROR_CODES: tuple[str, ...] = (
    "AliasExistsException", "CodeDeliveryFailureException", "CodeMismatchException",
    "ExpiredCodeException", "ForbiddenException", "InternalErrorException",
    "InvalidEmailRoleAccessPolicyException", "InvalidLambdaResponseException", "InvalidParameterException",
    "InvalidSmsRoleAccessPolicyException", "InvalidSmsRoleTrustRelationshipException",
    "NotAuthorizedException", "OperationNotEnabledException", "PasswordResetRequiredException",
    "ResourceNotFoundException", "TooManyRequestsException", "UnexpectedLambdaException",
    "UserLambdaValidationException", "UserNotConfirmedException", "UserNotFoundException",
)

_UPDATE_ADVICE = {
    "InvalidParameterException": (
        "Cognito refused the attribute change.",
        "Read the message: the attribute must exist in the pool's schema (custom ones as custom:name), "
        "an email must look like one and a phone number be E.164 (+ and digits), and a required "
        "attribute cannot be blanked.",
    ),
    "NotAuthorizedException": (
        "Cognito refused the change: the access token is no longer valid, or the app client may not "
        "write this attribute (verified flags and sub are never writable by the user).",
        "If the message is about the token, refresh the session; otherwise check the app client's "
        "writable attributes.",
    ),
    "AliasExistsException": (
        "Another user of the pool already uses this email or phone number as a sign-in alias.",
        "Use another value, or remove it from the other user first.",
    ),
    "CodeDeliveryFailureException": (
        "Cognito accepted the change but could not deliver the code to the new value.",
        "Check the new address or number and the pool's email/SMS configuration; in a sandbox SES or "
        "SNS account only verified destinations receive messages.",
    ),
}


def update_entry(entry: CatalogueEntry) -> CatalogueEntry:
    """`entry` read as the error of an UpdateUserAttributes call (an expired token keeps its advice:
    the caller leaves those entries as they are)."""
    advice = _UPDATE_ADVICE.get(entry.code)
    if advice is None:
        return entry
    explanation, next_step = advice
    return replace(entry, explanation=explanation, next_step=next_step, offers_refresh=False)
