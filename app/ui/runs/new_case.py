"""The window's current request as a suite case: user, attribute, metadata, and the last result
(where the code went, or the error's code) as the expectation."""

from __future__ import annotations

from app.core.field_rules import attribute_name_problem
from app.core.suites import NewCase
from app.core.validation import MetadataRow, metadata_row_problems
from app.ui.request.context import RequestContext


class NothingToSaveError(Exception):
    """The request cannot be saved yet; the message says what is missing."""


def case_from_request(context: RequestContext, name: str | None = None) -> NewCase:
    """The last send's request and result, as a case named `name` (else after its attribute and
    metadata). NothingToSaveError before a send has come back, or with nobody signed in."""
    username = context.cognito_username or context.username
    sent = context.last_send
    if not username:
        raise NothingToSaveError("Sign in and send a code first: a case needs the user it signs in as.")
    if sent is None or context.last_send_in_flight or context.last_send_cancelled:
        raise NothingToSaveError("Send a code first: the case expects what its last send returned.")
    attribute = context.last_send_attribute or context.attribute_name
    metadata = dict(context.last_send_metadata or {})
    rows = [MetadataRow(key, value) for key, value in metadata.items()]
    # What VerifyDesk refuses to send (the server judged it: Send anyway) is saved as send_anyway.
    send_anyway = bool(attribute_name_problem(attribute) or metadata_row_problems(rows))
    return NewCase(
        name=name or default_name(attribute, metadata, sent.error.code if sent.error else None),
        username=username, attribute=attribute, metadata=metadata,
        delivery=sent.result.delivery if sent.result else None,
        error_code=sent.error.code if sent.error else None, send_anyway=send_anyway)


def default_name(attribute: str, metadata: dict[str, str], error_code: str | None) -> str:
    """`email code, campaign=spring` or `given_name refused: InvalidParameterException`."""
    pairs = ", ".join(f"{key}={value}" for key, value in list(metadata.items())[:3])
    head = f"{attribute} refused: {error_code}" if error_code else f"{attribute} code"
    return f"{head}, {pairs}" if pairs else head
