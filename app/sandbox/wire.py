"""AWS JSON 1.1 on the wire: typed errors and responses with a request id, as Cognito sends them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from werkzeug.wrappers import Response

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
REQUEST_ID_HEADER = "x-amzn-RequestId"


class ApiError(Exception):
    """An error the sandbox answers with, in Cognito's shape (`__type`, `message`, HTTP status)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def new_request_id() -> str:
    return str(uuid.uuid4())


def json_response(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(payload),
        status=status,
        content_type=JSON_CONTENT_TYPE,
        headers={REQUEST_ID_HEADER: new_request_id()},
    )


def error_response(error: ApiError, extra_headers: dict[str, str] | None = None) -> Response:
    headers = {REQUEST_ID_HEADER: new_request_id(), "x-amzn-ErrorType": f"{error.code}:"}
    headers.update(extra_headers or {})
    return Response(
        json.dumps({"__type": error.code, "message": error.message}),
        status=error.status,
        content_type=JSON_CONTENT_TYPE,
        headers=headers,
    )


def not_authorized(message: str) -> ApiError:
    return ApiError("NotAuthorizedException", message)


def invalid_parameter(message: str) -> ApiError:
    return ApiError("InvalidParameterException", message)
