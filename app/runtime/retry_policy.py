"""What botocore's standard retries may retry when a tester allows more than one attempt: everything
botocore would retry (InternalErrorException, TooManyRequestsException, throttling, transient network
errors) except the errors a retry cannot help, which are answered after the first attempt.

Cognito's LimitExceededException on the code calls means the user asked for too many codes (counted
over up to an hour): botocore's standard mode treats it as throttling and would resend at once, into
the same limit. So the client's standard retry handler is wrapped: botocore registers it for
`needs-retry.<service>` under the unique id `retry-config-<service>` and `register_retry_handler`
returns it (both so in botocore 1.34 to 1.44, the range the project pins); the wrapper answers "no
retry" for these codes and asks botocore's handler for everything else.

This is policy, not speed, so `VERIFYDESK_STOCK` leaves it on. When botocore no longer has that shape,
the client keeps one attempt (and one log line says why): a code limit is still never resent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("app.runtime")

NOT_RETRIED = frozenset({"LimitExceededException"})


def _error_code(response: object) -> str | None:
    """The service error code of a (http_response, parsed) pair botocore passes to needs-retry."""
    if not isinstance(response, tuple) or len(response) != 2 or not isinstance(response[1], dict):
        return None
    error = response[1].get("Error")
    code = error.get("Code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def never_retry(
    needs_retry: Callable[..., Any], codes: frozenset[str] = NOT_RETRIED
) -> Callable[..., Any]:
    """A needs-retry handler that answers None (no retry) for a response with one of `codes`."""

    def handler(**kwargs: Any) -> Any:
        if _error_code(kwargs.get("response")) in codes:
            return None
        return needs_retry(**kwargs)

    return handler


def pin_retries(client: Any, max_attempts: int, codes: frozenset[str] = NOT_RETRIED) -> None:
    """Replace the client's standard retry handler by one with `max_attempts` that never retries `codes`;
    where botocore's shape changed, a handler that never retries at all."""
    from botocore.retries import standard

    service = client.meta.service_model.service_id.hyphenize()
    event, unique_id = f"needs-retry.{service}", f"retry-config-{service}"
    events = client.meta.events
    events.unregister(event, unique_id=unique_id)
    register = getattr(standard, "register_retry_handler", None)
    botocore_handler: Any = register(client, max_attempts=max_attempts) if callable(register) else None
    events.unregister(event, unique_id=unique_id)
    if not callable(getattr(botocore_handler, "needs_retry", None)):
        log.warning("retries: botocore's retry handler is not where it was; every call gets one attempt")
        events.register(event, lambda **_kwargs: None, unique_id=unique_id)
        return
    events.register(event, never_retry(botocore_handler.needs_retry, codes), unique_id=unique_id)
