"""`SandboxControl`: the sandbox's control API over HTTP (stdlib only, no boto3, no moto).

The same server that speaks Cognito answers under `/_verifydesk/`, so any process that knows the
endpoint URL (the CLI bench, the window, tests) can read the inbox or inject faults.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from app.sandbox.info import SandboxInfo

CONTROL_PREFIX = "/_verifydesk/"
DEFAULT_TRIGGER_FUNCTION = "verifydesk-custom-message"


class SandboxControlError(RuntimeError):
    """The control API refused a request (bad value, unknown user) or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NoCodeError(SandboxControlError, LookupError):
    """No code has been delivered to that user's attribute yet."""


class SandboxControl:
    """Client of one sandbox's control API."""

    def __init__(self, endpoint_url: str, *, timeout_s: float = 10.0) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.timeout_s = timeout_s
        # Loopback calls must not go through an HTTP(S)_PROXY from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(
        self, method: str, route: str, payload: dict[str, Any] | None = None, **query: str | None
    ) -> Any:
        params = {k: v for k, v in query.items() if v is not None}
        url = f"{self.endpoint_url}{CONTROL_PREFIX}{route}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (http URL we built)
        request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            body = exc.read()
            try:
                message = str(json.loads(body).get("error") or body.decode("utf-8", "replace"))
            except (ValueError, AttributeError):
                message = body.decode("utf-8", "replace") or str(exc)
            kind = NoCodeError if exc.code == 404 and route == "latest-code" else SandboxControlError
            raise kind(message, exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            raise SandboxControlError(f"The sandbox at {self.endpoint_url} did not answer: {exc}") from None

    def info(self) -> SandboxInfo:
        return SandboxInfo.from_dict(self._call("GET", "info"))

    def inbox(
        self, username: str | None = None, limit: int | None = None, *, attribute: str | None = None
    ) -> list[dict[str, Any]]:
        """Messages in sending order, every one or only those to `username` and/or `attribute` (with
        `limit`, the newest `limit`): id, username, attribute, medium, destination, code, subject,
        message, client_metadata, sent_at, trigger_error (plus purpose, delivered, and state: valid,
        superseded, used, expired or "not sent")."""
        result: list[dict[str, Any]] = self._call(
            "GET", "inbox", username=username, attribute=attribute,
            limit=None if limit is None else str(limit))
        return result

    def latest_code(self, username: str, attribute: str) -> str:
        """The newest code delivered to the user's attribute; NoCodeError when there is none."""
        return str(self._call("GET", "latest-code", username=username, attribute=attribute)["code"])

    def inject_fault(
        self,
        operation: str,
        *,
        error_code: str | None = None,
        http_status: int | None = None,
        message: str | None = None,
        count: int = 1,
        delay_s: float = 0.0,
    ) -> dict[str, Any]:
        """Make the next `count` calls of `operation` ("*" for any) fail with `error_code`, be delayed by
        `delay_s`, or both."""
        fault: dict[str, Any] = self._call("POST", "faults", {
            "operation": operation, "error_code": error_code, "http_status": http_status,
            "message": message, "count": count, "delay_s": delay_s,
        })
        return fault

    def faults(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "faults")
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def request_count(self, operation: str) -> int:
        """Requests of `operation` that reached the server, faulted ones included."""
        return int(self._call("GET", "request-count", operation=operation)["count"])

    def create_user(
        self, *, email: bool = True, phone: bool = True, challenge: str | None = None
    ) -> dict[str, Any]:
        """A new confirmed user (unverified email/phone); `challenge` makes sign-in ask for one, e.g.
        NEW_PASSWORD_REQUIRED, SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, CUSTOM_CHALLENGE."""
        user: dict[str, Any] = self._call(
            "POST", "users", {"email": email, "phone": phone, "challenge": challenge}
        )
        return user

    def expire_access_tokens(self, username: str) -> int:
        """The user's current access tokens answer "Access Token has expired" from now on."""
        return int(self._call("POST", "expire-access-tokens", {"username": username})["expired"])

    def expire_codes(self, username: str, attribute: str | None = None) -> int:
        """The user's pending verification codes answer ExpiredCodeException from now on."""
        return int(
            self._call("POST", "expire-codes", {"username": username, "attribute": attribute})["expired"]
        )

    def trigger_events(
        self, *, username: str | None = None, attribute: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The CustomMessage events sent to the trigger, oldest first, with what it returned or the
        error: every one, or only those for `username` and/or `attribute`; with `limit`, the newest
        `limit` of them."""
        result: list[dict[str, Any]] = self._call(
            "GET", "trigger-events", username=username, attribute=attribute,
            limit=None if limit is None else str(limit))
        return result

    def trigger(self) -> dict[str, Any]:
        """The Custom Message trigger in force: `trigger` (the spec, e.g. "demo", a handler file or a
        URL; None without one), `function_name` and `description`."""
        result: dict[str, Any] = self._call("GET", "trigger")
        return result

    def set_trigger(self, spec: str | None, function_name: str = DEFAULT_TRIGGER_FUNCTION) -> None:
        """Use a Lambda-Invoke endpoint URL or a `path.py:handler` as the Custom Message trigger
        (None: no trigger)."""
        self._call("PUT", "trigger", {"spec": spec, "function_name": function_name})

    def keep_original(self) -> list[str]:
        """The attributes whose original value the pool keeps until the new one is verified
        (AttributesRequireVerificationBeforeUpdate; the demo pool: email)."""
        return list(self._call("GET", "attribute-update-settings")["keep_original"])

    def set_keep_original(self, attributes: list[str]) -> list[str]:
        """Keep the original of these attributes (email, phone_number, both or none) on a change."""
        answer = self._call("PUT", "attribute-update-settings", {"keep_original": attributes})
        return list(answer["keep_original"])

    def pending_values(self, username: str) -> dict[str, str]:
        """The user's changed values still waiting for their code (attribute → new value)."""
        result: dict[str, str] = self._call("GET", "pending-values", username=username)
        return result

    def code_rate(self) -> dict[str, Any]:
        """How many codes one user may request: `max_codes` (None: no limit) per `window_s` seconds."""
        result: dict[str, Any] = self._call("GET", "code-rate")
        return result

    def set_code_rate(self, max_codes: int | None, window_s: float = 3600.0) -> dict[str, Any]:
        """Allow `max_codes` code requests per user in `window_s` (None: no limit); the counts restart."""
        body = {"max_codes": max_codes, "window_s": window_s}
        result: dict[str, Any] = self._call("PUT", "code-rate", body)
        return result
