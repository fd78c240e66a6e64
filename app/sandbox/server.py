"""The sandbox server: moto's ThreadedMotoServer in-process, behind a WSGI layer of our own.

The layer counts requests per operation, applies injected faults, answers the control API under
`/_verifydesk/`, and handles the operations moto lacks or gets wrong (the two verification calls,
UpdateUserAttributes, InitiateAuth and RespondToAuthChallenge); everything else goes to moto unchanged.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Response

from app.core.redaction import SECRETS
from app.sandbox import (
    access,
    attribute_update,
    challenges,
    control_api,
    custom_message,
    seed,
    shapes,
    signin,
    verification,
)
from app.sandbox.control import CONTROL_PREFIX, DEFAULT_TRIGGER_FUNCTION, SandboxControl
from app.sandbox.foreground import serve_until_signalled
from app.sandbox.info import SandboxInfo
from app.sandbox.state import CodeRate, SandboxState
from app.sandbox.wire import ApiError, error_response, json_response

REGION = "us-east-1"  # moto routes unsigned Cognito calls to us-east-1
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
FAULT_HEADER = "x-verifydesk-fault"
_log = logging.getLogger(__name__)

# An operation's answer, or None to let moto answer it.
Operation = Callable[[SandboxState, dict[str, Any]], dict[str, Any] | None]
OPERATIONS: dict[str, Operation] = {
    "GetUserAttributeVerificationCode": verification.get_code,
    "VerifyUserAttribute": verification.verify,
    "UpdateUserAttributes": attribute_update.update,
    "InitiateAuth": signin.initiate_auth,
    "RespondToAuthChallenge": challenges.respond_to_auth_challenge,
    "AssociateSoftwareToken": challenges.associate_software_token,
    "VerifySoftwareToken": challenges.verify_software_token,
}
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class SandboxApp:
    """WSGI middleware in front of moto's dispatcher."""

    def __init__(self, state: SandboxState, moto_app: WsgiApp) -> None:
        self.state = state
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "")
        method = str(environ.get("REQUEST_METHOD") or "GET")
        if path.startswith(CONTROL_PREFIX):
            return self._control(environ, method, path[len(CONTROL_PREFIX):], start_response)
        if path.startswith("/moto-api/reset"):
            # moto's backends are process-wide: a reset would pull the pool from under the sandbox.
            refused = Response(json.dumps({"error": "moto's reset is disabled in the VerifyDesk sandbox"}),
                               status=403, content_type="application/json")
            return refused(environ, start_response)
        target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
        if method != "POST" or not target.startswith(TARGET_PREFIX):
            return self.moto_app(environ, start_response)
        body = _read_body(environ)
        response = self._cognito(target[len(TARGET_PREFIX):], body)
        if response is not None:
            return response(environ, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        passed: Iterable[bytes] = self.moto_app(environ, start_response)
        return passed

    def _cognito(self, operation: str, body: bytes) -> Response | None:
        """Our answer to a Cognito call, or None to let moto answer it."""
        fault = self.state.faults.arrive(operation)
        if fault is not None:
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.error_code:
                error = ApiError(fault.error_code, fault.message, fault.http_status)
                return error_response(error, {FAULT_HEADER: "injected"})
        try:
            params = shapes.require_object(json.loads(body or b"{}"))
            handler = OPERATIONS.get(operation)
            answer = handler(self.state, params) if handler is not None else None
            if answer is not None:
                return json_response(answer)
            if params.get("AccessToken"):
                access.resolve(self.state, params["AccessToken"])
        except ApiError as error:
            return error_response(error)
        except ValueError:
            return error_response(ApiError("SerializationException", "The request body is not valid JSON."))
        except Exception as exc:
            converted = _moto_error(exc)
            if converted is None:
                _log.exception("sandbox failed on %s", operation)
                converted = ApiError("InternalErrorException", "The sandbox failed; see its log.", 500)
            return error_response(converted)
        return None

    def _control(
        self, environ: dict[str, Any], method: str, route: str, start_response: StartResponse
    ) -> Iterable[bytes]:
        query = dict(parse_qsl(str(environ.get("QUERY_STRING") or ""), keep_blank_values=True))
        raw = _read_body(environ)
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            status, payload = 400, {"error": "The request body is not valid JSON."}
        else:
            try:
                status, payload = control_api.handle(self.state, method, route.strip("/"), query, body)
            except Exception:
                _log.exception("sandbox control route %s failed", route)
                status, payload = 500, {"error": "The sandbox failed on this control request; see its log."}
        response = Response(json.dumps(payload), status=status, content_type="application/json")
        return response(environ, start_response)


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length > 0 else b""


def _moto_error(exc: Exception) -> ApiError | None:
    from moto.core.exceptions import JsonRESTError

    if isinstance(exc, JsonRESTError):
        return ApiError(str(exc.error_type), str(exc.message), int(exc.code))
    return None


def _listen(host: str, port: int) -> socket.socket:
    """Bind here, so a taken port is an OSError with a message (werkzeug would print and exit)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def _make_server(host: str, port: int, wrap: Callable[[WsgiApp], WsgiApp]) -> Any:
    """A ThreadedMotoServer whose app is wrapped, quiet, that reports a bind failure instead of hanging."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    class QuietHandler(MotoRequestHandler):
        def log(self, type: str, message: str, *args: Any) -> None:
            _log.debug("%s %s", type, message % args)

    class Server(ThreadedMotoServer):
        error: BaseException | None = None
        listening: socket.socket | None = None

        def _server_entry(self) -> None:
            try:
                assert self.listening is not None
                app = wrap(DomainDispatcherApplication(create_backend_app))
                self._server = make_server(
                    self._ip_address, self._port, app, True, request_handler=QuietHandler,
                    fd=self.listening.fileno(),
                )
            except BaseException as exc:
                self.error = exc
                self._server_ready_event.set()
                return
            finally:
                if self.listening is not None:
                    self.listening.close()  # werkzeug serves a duplicate of it
            self._server_ready_event.set()
            self._server.serve_forever(poll_interval=0.1)

        def start(self) -> None:
            self.listening = _listen(self._ip_address, self._port)
            super().start()
            if self.error is not None:
                raise self.error

        def stop(self) -> None:
            super().stop()
            if self._server is not None:
                self._server.server_close()

    return Server(ip_address=host, port=port, verbose=False)


class Sandbox:
    """A seeded local user pool over real HTTP; a context manager (or `start()`/`stop()`)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        trigger: str | None = None,
        trigger_function: str = DEFAULT_TRIGGER_FUNCTION,
        keep_original: Sequence[str] | None = None,
        code_rate: CodeRate | None = None,
        smtp: str | None = None,
    ) -> None:
        """`keep_original`: the attributes whose original value the pool keeps on a change (default:
        email); `code_rate`: codes per user and window (default 5 an hour); `smtp`
        ([lmtp://]HOST:PORT): also mail every delivered email there (ValueError when bad)."""
        from app.sandbox.mail_relay import MailRelay, parse_relay_target

        self.relay = MailRelay(parse_relay_target(smtp)) if smtp else None
        self.host = host
        self.port = port
        self.trigger = trigger
        self.trigger_function = trigger_function
        self.keep_original = keep_original
        self.code_rate = code_rate
        self._state: SandboxState | None = None
        self._server: Any = None
        self._info: SandboxInfo | None = None
        self._control: SandboxControl | None = None

    @property
    def info(self) -> SandboxInfo:
        if self._info is None:
            raise RuntimeError("The sandbox is not running: call start() or use it as a context manager.")
        return self._info

    @property
    def control(self) -> SandboxControl:
        if self._control is None:
            self._control = SandboxControl(self.info.endpoint_url)
        return self._control

    @property
    def state(self) -> SandboxState:
        """The in-process state (for tests that need to look inside)."""
        if self._state is None:
            raise RuntimeError("The sandbox is not running.")
        return self._state

    def start(self) -> Sandbox:
        """Seed the pool and serve it; OSError when the port is taken, ValueError for a bad trigger."""
        if self._server is not None:
            return self
        from moto.cognitoidp.models import cognitoidp_backends
        from moto.core.models import DEFAULT_ACCOUNT_ID

        backend = cognitoidp_backends[DEFAULT_ACCOUNT_ID][REGION]
        pool_id, client_id, secret_client_id = seed.create_pool(backend)
        state = SandboxState(
            region=REGION, account_id=DEFAULT_ACCOUNT_ID, backend=backend, pool_id=pool_id,
            client_id=client_id, client_id_with_secret=secret_client_id,
        )
        try:
            seed.seed(state)
            if self.keep_original is not None:
                attribute_update.set_keep_original(state, list(self.keep_original))
            if self.code_rate is not None:
                state.code_rate = self.code_rate
            if self.trigger:
                custom_message.apply_trigger(
                    state, custom_message.parse_trigger(self.trigger, self.trigger_function)
                )
            server = _make_server(self.host, self.port, lambda moto_app: SandboxApp(state, moto_app))
            server.start()
        except BaseException:
            backend.delete_user_pool(pool_id)
            raise
        host, port = server.get_host_and_port()
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 (a wildcard bind is reached through loopback)
            host = "127.0.0.1"
        state.endpoint_url = f"http://{host}:{port}"
        self._state, self._server = state, server
        self._info = control_api.sandbox_info(state)
        if self.relay is not None:
            state.inbox.add_listener(self.relay.start().submit)
        SECRETS.add(self._info.client_secret, *(str(u["password"]) for u in self._info.users))
        return self

    def stop(self) -> None:
        server, state = self._server, self._state
        self._server = self._state = None
        self._info = self._control = None
        if server is not None:
            server.stop()
        if self.relay is not None:
            self.relay.stop()
        if state is not None:
            state.backend.user_pools.pop(state.pool_id, None)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def run_foreground(
    host: str = "127.0.0.1",
    port: int = 0,
    trigger_endpoint: str | None = None,
    trigger_function: str = DEFAULT_TRIGGER_FUNCTION,
    smtp: str | None = None,
) -> int:
    """`verifydesk sandbox`: print the JSON line, serve until Ctrl+C or SIGTERM; 2 when it cannot start."""
    try:
        sandbox = Sandbox(host, port, trigger=trigger_endpoint, trigger_function=trigger_function, smtp=smtp)
        sandbox.start()
    except (OSError, ValueError) as exc:
        print(f"verifydesk sandbox: cannot start: {exc}", file=sys.stderr)
        return 2

    def announce() -> None:
        print(sandbox.info.to_json_line(), flush=True)
        notice = f"VerifyDesk sandbox at {sandbox.info.endpoint_url} (Ctrl+C to stop)"
        if sandbox.relay is not None:
            notice += f"; mailing every email to {sandbox.relay.target}"
        print(notice, file=sys.stderr, flush=True)

    try:
        serve_until_signalled(announce)
    finally:
        sandbox.stop()
    return 0
