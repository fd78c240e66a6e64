"""A loopback HTTP server answering every AWS JSON-protocol request with one fixed error.

Real AWS answers an unauthorised admin call with HTTP 400 and a JSON body naming the error type;
this serves exactly that over the wire (botocore parses it as it would AWS's) and records each
request's headers, so tests can also check how the request was signed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class ErrorServer:
    url: str
    requests: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def aws_error_server(error_type: str, message: str, status: int = 400) -> Iterator[ErrorServer]:
    body = json.dumps({"__type": error_type, "message": message}).encode()
    with _json_server(lambda _operation: body, status, "req-error-server-1") as state:
        yield state


@contextmanager
def answer_server(answers: dict[str, object], status: int = 200) -> Iterator[ErrorServer]:
    """A loopback server answering each operation (by its X-Amz-Target name) with a fixed JSON body
    (bytes are sent as they are), like a hostile or broken endpoint would; others get `{}`."""

    def body_for(operation: str) -> bytes:
        answer = answers.get(operation, {})
        return answer if isinstance(answer, bytes) else json.dumps(answer).encode()

    with _json_server(body_for, status, "req-answer-server-1") as state:
        yield state


@contextmanager
def _json_server(body_for: Callable[[str], bytes], status: int, request_id: str) -> Iterator[ErrorServer]:
    """A loopback AWS JSON endpoint: every POST is recorded and answered with `body_for(operation)`."""
    state = ErrorServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append({key.lower(): value for key, value in self.headers.items()})
            body = body_for((self.headers.get("X-Amz-Target") or "").rpartition(".")[2])
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("x-amzn-RequestId", request_id)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
