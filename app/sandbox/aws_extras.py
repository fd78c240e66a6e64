"""What moto lacks for delivery preflight, answered in AWS's documented shapes, in front of moto.

- SES v2 `GetAccount` (sandbox or production access, sending enabled, the 24-hour quota with moto's
  own count of sent messages) and `PutAccountSendingAttributes`.
- SNS's SMS sandbox: `GetSMSSandboxAccountStatus` and the destination numbers (`Create`, `Verify`,
  `List`, `DeleteSMSSandboxPhoneNumber`); the one-time password SNS would text is kept in the state.
- IAM denial: an action listed in `AwsExtrasState.denied` (e.g. "ses:GetAccount") is answered with
  the service's own access-denied error, as AWS answers a profile whose policy lacks it.

Everything else goes to moto unchanged. Like real AWS, a new account starts in both sandboxes;
production access is granted by AWS, so here it is a state flag (`ses_account(region)`).
"""

from __future__ import annotations

import io
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

from app.sandbox.wire import new_request_id

SNS_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"
SES_SANDBOX_QUOTA = (200.0, 1.0)  # emails per 24 hours, per second: AWS's sandbox figures
SES_PRODUCTION_QUOTA = (50_000.0, 14.0)
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
_SANDBOX_NUMBER = re.compile(r"\+[0-9]{8,}|[0-9]{0,9}")
_LAMBDA_FUNCTION = re.compile(r"/2015-03-31/functions/[^/]+")
_SES_REST = {("GET", "/v2/email/account"): "GetAccount",
             ("PUT", "/v2/email/account/sending"): "PutAccountSendingAttributes"}
_QUERY_DENIED_CODE = {"sns": "AuthorizationError", "ses": "AccessDenied"}
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class SesAccount:
    """One region's SES account as GetAccount reports it."""

    production_access: bool = False
    sending_enabled: bool = True
    enforcement_status: str = "HEALTHY"
    max_24_hour_send: float | None = None
    """None: AWS's figure for the sandbox or production access."""


@dataclass
class SmsSandbox:
    """One region's SNS SMS sandbox: whether the account is in it, and its destination numbers."""

    in_sandbox: bool = True
    numbers: dict[str, str] = field(default_factory=dict)
    """Number → "Pending" or "Verified"."""
    one_time_passwords: dict[str, str] = field(default_factory=dict)
    """The code SNS would text to each pending number."""


class AwsExtrasState:
    """The accounts' state the extra operations read and change; thread-safe."""

    def __init__(self, account_id: str = "123456789012") -> None:
        self.account_id = account_id
        self.functions: set[str] = set()
        """Lambda functions served outside moto (the sandbox's local triggers): GetFunction finds them."""
        self.denied: set[str] = set()
        """IAM actions answered with access denied, e.g. {"ses:GetAccount"}."""
        self.lock = threading.Lock()
        self._ses: dict[str, SesAccount] = {}
        self._sms: dict[str, SmsSandbox] = {}

    def reset(self) -> None:
        """Back to a new account's state: both sandboxes, nothing denied."""
        with self.lock:
            self.denied.clear()
            self.functions.clear()
            self._ses.clear()
            self._sms.clear()

    def ses_account(self, region: str) -> SesAccount:
        with self.lock:
            return self._ses.setdefault(region, SesAccount())

    def sms_sandbox(self, region: str) -> SmsSandbox:
        with self.lock:
            return self._sms.setdefault(region, SmsSandbox())


class ExtrasError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class _Request:
    service: str
    region: str
    operation: str
    protocol: str  # "json", "query" or "rest-json"
    params: dict[str, Any]


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    body = stream.read(length) if stream is not None and length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _rest_operation(service: str, method: str, path: str) -> str | None:
    if service == "ses":
        return _SES_REST.get((method, path))
    if service == "lambda" and method == "GET" and _LAMBDA_FUNCTION.fullmatch(path):
        return "GetFunction"
    return None


def _identify(environ: dict[str, Any]) -> _Request | None:
    """The service, region and operation of a signed request, when this layer can name them."""
    scope = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION") or ""))
    if scope is None:
        return None
    service, region = scope["service"], scope["region"]
    method, path = str(environ.get("REQUEST_METHOD") or "GET"), str(environ.get("PATH_INFO") or "/")
    body = _read_body(environ)
    target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
    if target:
        return _Request(service, region, target.rsplit(".", 1)[-1], "json", {})
    rest = _rest_operation(service, method, path)
    if rest is not None:
        params = json.loads(body) if body.strip() else {}
        params = params if isinstance(params, dict) else {}
        if rest == "GetFunction":
            params = {"FunctionName": unquote(path.rsplit("/", 1)[-1])}
        return _Request(service, region, rest, "rest-json", params)
    if method == "POST" and "form-urlencoded" in str(environ.get("CONTENT_TYPE") or ""):
        form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        if "Action" in form:
            return _Request(service, region, form.pop("Action"), "query", form)
    return None


class AwsExtrasApp:
    """WSGI middleware answering the extra operations and denied actions; the rest goes to moto."""

    def __init__(self, moto_app: WsgiApp, state: AwsExtrasState | None = None) -> None:
        self.moto_app = moto_app
        self.state = state or AwsExtrasState()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = _identify(environ)
        response: Response | None = None
        if request is not None:
            action = f"{request.service}:{request.operation}"
            handler = HANDLERS.get(action)
            try:
                if action in self.state.denied:
                    raise _denied(self.state, request, action)
                if handler is not None:
                    response = handler(self.state, request)
            except ExtrasError as error:
                response = _error(request, error)
        if response is None:
            return self.moto_app(environ, start_response)
        return response(environ, start_response)


def _denied(state: AwsExtrasState, request: _Request, action: str) -> ExtrasError:
    message = f"User: arn:aws:iam::{state.account_id}:user/verifydesk is not authorized to perform: {action}"
    if request.protocol == "query":
        return ExtrasError(_QUERY_DENIED_CODE.get(request.service, "AccessDenied"), message, 403)
    return ExtrasError("AccessDeniedException", message, 400 if request.protocol == "json" else 403)


def _error(request: _Request, error: ExtrasError) -> Response:
    headers = {"x-amzn-RequestId": new_request_id()}
    if request.protocol == "query":
        xml = (f"<ErrorResponse xmlns=\"{SNS_NAMESPACE}\"><Error><Type>Sender</Type>"
               f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message></Error>"
               f"<RequestId>{headers['x-amzn-RequestId']}</RequestId></ErrorResponse>")
        return Response(xml, status=error.status, content_type="text/xml", headers=headers)
    headers["x-amzn-ErrorType"] = error.code
    body = {"__type": error.code, "message": error.message}
    content_type = "application/x-amz-json-1.1" if request.protocol == "json" else "application/json"
    return Response(json.dumps(body), status=error.status, content_type=content_type, headers=headers)


# --- SES v2 ---------------------------------------------------------------------------------------


def _ses_sent(state: AwsExtrasState, region: str) -> float:
    from moto.ses.models import ses_backends

    return float(ses_backends[state.account_id][region].sent_message_count)


def get_account(state: AwsExtrasState, request: _Request) -> Response:
    account = state.ses_account(request.region)
    maximum, rate = SES_PRODUCTION_QUOTA if account.production_access else SES_SANDBOX_QUOTA
    if account.max_24_hour_send is not None:
        maximum = account.max_24_hour_send
    payload = {
        "DedicatedIpAutoWarmupEnabled": False,
        "EnforcementStatus": account.enforcement_status,
        "ProductionAccessEnabled": account.production_access,
        "SendQuota": {"Max24HourSend": maximum, "MaxSendRate": rate,
                      "SentLast24Hours": _ses_sent(state, request.region)},
        "SendingEnabled": account.sending_enabled,
        "SuppressionAttributes": {"SuppressedReasons": []},
    }
    return Response(json.dumps(payload), content_type="application/json",
                    headers={"x-amzn-RequestId": new_request_id()})


def put_account_sending_attributes(state: AwsExtrasState, request: _Request) -> Response:
    account = state.ses_account(request.region)
    enabled = request.params.get("SendingEnabled")
    if isinstance(enabled, bool):
        account.sending_enabled = enabled
    return Response("{}", content_type="application/json", headers={"x-amzn-RequestId": new_request_id()})


# --- Lambda ---------------------------------------------------------------------------------------


def get_function(state: AwsExtrasState, request: _Request) -> Response | None:
    """A function of `state.functions` (by name or ARN, version or alias ignored); else moto's answer."""
    wanted = str(request.params.get("FunctionName") or "")
    name = wanted.split(":")[6] if wanted.startswith("arn:") and wanted.count(":") >= 6 else wanted
    if name not in state.functions:
        return None
    arn = f"arn:aws:lambda:{request.region}:{state.account_id}:function:{name}"
    configuration = {"FunctionName": name, "FunctionArn": arn, "PackageType": "Zip", "State": "Active",
                     "LastUpdateStatus": "Successful"}
    return Response(json.dumps({"Configuration": configuration}), content_type="application/json",
                    headers={"x-amzn-RequestId": new_request_id()})


# --- SNS SMS sandbox ------------------------------------------------------------------------------


def _sns_result(operation: str, inner: str = "") -> Response:
    request_id = new_request_id()
    xml = (f"<{operation}Response xmlns=\"{SNS_NAMESPACE}\"><{operation}Result>{inner}</{operation}Result>"
           f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{operation}Response>")
    return Response(xml, content_type="text/xml", headers={"x-amzn-RequestId": request_id})


def _phone_number(request: _Request) -> str:
    number = str(request.params.get("PhoneNumber") or "")
    if not number or len(number) > 20 or not _SANDBOX_NUMBER.fullmatch(number):
        raise ExtrasError("InvalidParameter",
                          "Invalid parameter: PhoneNumber Reason: input incorrectly formatted")
    return number


def get_sms_sandbox_account_status(state: AwsExtrasState, request: _Request) -> Response:
    in_sandbox = state.sms_sandbox(request.region).in_sandbox
    return _sns_result(request.operation, f"<IsInSandbox>{str(in_sandbox).lower()}</IsInSandbox>")


def create_sms_sandbox_phone_number(state: AwsExtrasState, request: _Request) -> Response:
    number = _phone_number(request)
    sandbox = state.sms_sandbox(request.region)
    with state.lock:
        if sandbox.numbers.get(number) != "Verified":
            sandbox.numbers[number] = "Pending"
            sandbox.one_time_passwords[number] = f"{secrets.randbelow(10**6):06d}"
    return _sns_result(request.operation)


def verify_sms_sandbox_phone_number(state: AwsExtrasState, request: _Request) -> Response:
    number = _phone_number(request)
    sandbox = state.sms_sandbox(request.region)
    with state.lock:
        if number not in sandbox.numbers:
            raise ExtrasError("ResourceNotFound", f"{number} is not a sandbox destination number.", 404)
        expected = sandbox.one_time_passwords.get(number)
        if sandbox.numbers[number] != "Verified":
            if expected is None or request.params.get("OneTimePassword") != expected:
                raise ExtrasError("VerificationException", "Invalid one-time password.")
            sandbox.numbers[number] = "Verified"
            sandbox.one_time_passwords.pop(number, None)
    return _sns_result(request.operation)


def delete_sms_sandbox_phone_number(state: AwsExtrasState, request: _Request) -> Response:
    number = _phone_number(request)
    sandbox = state.sms_sandbox(request.region)
    with state.lock:
        if sandbox.numbers.pop(number, None) is None:
            raise ExtrasError("ResourceNotFound", f"{number} is not a sandbox destination number.", 404)
        sandbox.one_time_passwords.pop(number, None)
    return _sns_result(request.operation)


def list_sms_sandbox_phone_numbers(state: AwsExtrasState, request: _Request) -> Response:
    sandbox = state.sms_sandbox(request.region)
    try:
        start = int(request.params.get("NextToken") or 0)
        size = int(request.params.get("MaxResults") or 100)
    except ValueError:
        raise ExtrasError("InvalidParameter", "Invalid parameter: NextToken or MaxResults") from None
    if not 1 <= size <= 100:
        raise ExtrasError("InvalidParameter", "Invalid parameter: MaxResults must be from 1 to 100")
    with state.lock:
        entries = sorted(sandbox.numbers.items())
    page = entries[start:start + size]
    members = "".join(f"<member><PhoneNumber>{escape(number)}</PhoneNumber><Status>{status}</Status></member>"
                      for number, status in page)
    token = f"<NextToken>{start + size}</NextToken>" if start + size < len(entries) else ""
    return _sns_result(request.operation, f"<PhoneNumbers>{members}</PhoneNumbers>{token}")


HANDLERS: dict[str, Callable[[AwsExtrasState, _Request], Response | None]] = {
    "lambda:GetFunction": get_function,
    "ses:GetAccount": get_account,
    "ses:PutAccountSendingAttributes": put_account_sending_attributes,
    "sns:GetSMSSandboxAccountStatus": get_sms_sandbox_account_status,
    "sns:CreateSMSSandboxPhoneNumber": create_sms_sandbox_phone_number,
    "sns:VerifySMSSandboxPhoneNumber": verify_sms_sandbox_phone_number,
    "sns:DeleteSMSSandboxPhoneNumber": delete_sms_sandbox_phone_number,
    "sns:ListSMSSandboxPhoneNumbers": list_sms_sandbox_phone_numbers,
}
