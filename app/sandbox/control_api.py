"""The server side of the control API under `/_verifydesk/` (the client is `control.SandboxControl`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.sandbox import access, attribute_update, custom_message, seed, verification
from app.sandbox.code_state import code_states
from app.sandbox.control import DEFAULT_TRIGGER_FUNCTION
from app.sandbox.faults import FaultError, make_fault
from app.sandbox.info import SandboxInfo
from app.sandbox.state import CODE_RATE_WINDOW_S, CodeRate, SandboxState


class ControlError(Exception):
    """A control request the sandbox refuses; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def sandbox_info(state: SandboxState) -> SandboxInfo:
    with state.lock:
        users = [state.plans[name].to_dict() for name in state.seeded if name in state.plans]
        trigger = state.trigger.function_name if state.trigger else None
    client = state.client(state.client_id_with_secret)
    return SandboxInfo(
        endpoint_url=state.endpoint_url,
        region=state.region,
        user_pool_id=state.pool_id,
        client_id=state.client_id,
        client_id_with_secret=state.client_id_with_secret,
        client_secret=str(client.secret) if client is not None else "",
        users=users,
        trigger_function=trigger,
    )


def _text(body: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise ControlError(f"{key}: expected a non-empty string, got {value!r}")
    return value


def _username(state: SandboxState, body: Mapping[str, Any]) -> str:
    username = str(_text(body, "username"))
    if state.user(username) is None:
        raise ControlError(f"username: no user {username!r} in the sandbox pool", 404)
    return username


def _info(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    return sandbox_info(state).to_dict()


def _limit(query: Mapping[str, str]) -> int | None:
    """The `limit` query parameter: a positive whole number, or None when it is absent."""
    if not query.get("limit"):
        return None
    try:
        limit = int(query["limit"])
    except ValueError:
        limit = -1
    if limit < 1:
        raise ControlError(f"limit: expected a positive whole number, got {query['limit']!r}")
    return limit


def _inbox(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    messages = state.inbox.messages(query.get("username") or None, _limit(query),
                                    attribute=query.get("attribute") or None)
    states = code_states(state, messages)
    return [{**m.to_dict(), "state": code_state} for m, code_state in zip(messages, states, strict=True)]


def _latest_code(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    username, attribute = str(_text(query, "username")), str(_text(query, "attribute"))
    code = state.inbox.latest_code(username, attribute)
    if code is None:
        raise ControlError(f"No code has been delivered to {username}'s {attribute} yet.", 404)
    return {"code": code}


def _add_fault(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    try:
        fault = make_fault(
            str(body.get("operation") or ""),
            error_code=body.get("error_code"),
            http_status=body.get("http_status"),
            message=body.get("message"),
            count=body.get("count", 1),
            delay_s=body.get("delay_s", 0.0),
        )
    except FaultError as exc:
        raise ControlError(str(exc)) from None
    state.faults.arm(fault)
    return fault.to_dict()


def _faults(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    return [f.to_dict() for f in state.faults.pending()]


def _clear_faults(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    state.faults.clear()
    return {"cleared": True}


def _request_count(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    operation = query.get("operation")
    if not operation:
        return state.faults.counts()
    return {"operation": operation, "count": state.faults.count(operation)}


def _create_user(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    email, phone, challenge = body.get("email", True), body.get("phone", True), body.get("challenge")
    if not isinstance(email, bool) or not isinstance(phone, bool):
        raise ControlError("email, phone: expected true or false")
    if challenge is not None and not isinstance(challenge, str):
        raise ControlError(f"challenge: expected a challenge name or null, got {challenge!r}")
    try:
        seed.check_challenge(challenge, email=email, phone=phone)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return seed.create_user(state, email=email, phone=phone, challenge=challenge).to_dict()


def _expire_tokens(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    return {"expired": access.expire_tokens_of(state, _username(state, body))}


def _expire_codes(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    attribute = _text(body, "attribute", required=False)
    return {"expired": verification.expire_codes(state, _username(state, body), attribute)}


def _trigger_events(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    limit = _limit(query)
    wanted = {key: query[key] for key in ("username", "attribute") if query.get(key)}
    with state.lock:
        events = list(state.trigger_events)
    if wanted:
        events = [event for event in events if all(event.get(k) == v for k, v in wanted.items())]
    return events[-limit:] if limit is not None else events


def _get_trigger(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    with state.lock:
        trigger = state.trigger
    if trigger is None:
        return {"trigger": None, "function_name": None, "description": None}
    return {"trigger": trigger.spec, "function_name": trigger.function_name,
            "description": trigger.target.describe()}


def _set_trigger(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    spec = _text(body, "spec", required=False)
    function_name = _text(body, "function_name", required=False) or DEFAULT_TRIGGER_FUNCTION
    if spec is None:
        custom_message.apply_trigger(state, None)
        return {"trigger": None}
    try:
        trigger = custom_message.parse_trigger(spec, function_name)
    except (ValueError, OSError) as exc:
        raise ControlError(f"spec: {exc}") from None
    custom_message.apply_trigger(state, trigger)
    return {"trigger": spec, "function_name": function_name}


def _update_settings(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    return {"keep_original": list(attribute_update.keep_original(state))}


def _set_update_settings(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    chosen = body.get("keep_original")
    if not isinstance(chosen, list) or not all(isinstance(name, str) for name in chosen):
        raise ControlError(f"keep_original: expected a list of attribute names, got {chosen!r}")
    try:
        return {"keep_original": list(attribute_update.set_keep_original(state, chosen))}
    except ValueError as exc:
        raise ControlError(f"keep_original: {exc}") from None


def _pending_values(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    username = _username(state, query)
    return attribute_update.pending_values(state, username)


def _code_rate(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    with state.lock:
        return state.code_rate.to_dict()


def _set_code_rate(state: SandboxState, query: Mapping[str, str], body: Mapping[str, Any]) -> Any:
    max_codes, window_s = body.get("max_codes"), body.get("window_s", CODE_RATE_WINDOW_S)
    whole = isinstance(max_codes, int) and not isinstance(max_codes, bool)
    if max_codes is not None and (not whole or max_codes < 1):
        raise ControlError(f"max_codes: a positive whole number or null (no limit), not {max_codes!r}")
    if isinstance(window_s, bool) or not isinstance(window_s, int | float) or not 0 < window_s <= 86_400 * 7:
        raise ControlError(f"window_s: expected seconds between 0 and 604800, got {window_s!r}")
    with state.lock:
        state.code_rate = CodeRate(max_codes, float(window_s))
        state.code_requests.clear()
        return state.code_rate.to_dict()


Handler = Callable[[SandboxState, Mapping[str, str], Mapping[str, Any]], Any]
ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "info"): _info,
    ("GET", "inbox"): _inbox,
    ("GET", "latest-code"): _latest_code,
    ("POST", "faults"): _add_fault,
    ("GET", "faults"): _faults,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "request-count"): _request_count,
    ("POST", "users"): _create_user,
    ("POST", "expire-access-tokens"): _expire_tokens,
    ("POST", "expire-codes"): _expire_codes,
    ("GET", "trigger-events"): _trigger_events,
    ("GET", "trigger"): _get_trigger,
    ("PUT", "trigger"): _set_trigger,
    ("GET", "attribute-update-settings"): _update_settings,
    ("PUT", "attribute-update-settings"): _set_update_settings,
    ("GET", "pending-values"): _pending_values,
    ("GET", "code-rate"): _code_rate,
    ("PUT", "code-rate"): _set_code_rate,
}


def handle(
    state: SandboxState, method: str, route: str, query: Mapping[str, str], body: object
) -> tuple[int, Any]:
    """Answer one control request: (HTTP status, JSON payload)."""
    handler = ROUTES.get((method, route))
    if handler is None:
        known = sorted({r for _, r in ROUTES})
        if any(r == route for _, r in ROUTES):
            return 405, {"error": f"{method} is not allowed on {route}"}
        return 404, {"error": f"No control route {route!r}; routes: {', '.join(known)}"}
    if body is None:
        body = {}
    if not isinstance(body, dict):
        return 400, {"error": "The request body must be a JSON object."}
    try:
        return 200, handler(state, query, body)
    except ControlError as exc:
        return exc.status, {"error": exc.message}
