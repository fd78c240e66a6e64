"""A loopback HTTP server answering every AWS JSON-protocol request with one fixed error.

Real AWS answers an unauthorised admin call with HTTP 400 and a JSON body naming the error type;
this serves exactly that over the wire (botocore parses it as it would AWS's) and records each
request's headers, so tests can also check how the request was signed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class ErrorServer:
    url: str
    requests: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def aws_error_server(error_type: str, message: str, status: int = 400) -> Iterator[ErrorServer]:
    state = ErrorServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append({key.lower(): value for key, value in self.headers.items()})
            body = json.dumps({"__type": error_type, "message": message}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("x-amzn-RequestId", "req-error-server-1")
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


@contextmanager
def answer_server(answers: dict[str, object], status: int = 200) -> Iterator[ErrorServer]:
    """A loopback server answering each operation (by its X-Amz-Target name) with a fixed JSON body
    (bytes are sent as they are), like a hostile or broken endpoint would; others get `{}`."""
    state = ErrorServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append({key.lower(): value for key, value in self.headers.items()})
            operation = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
            answer = answers.get(operation, {})
            body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("x-amzn-RequestId", "req-answer-server-1")
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
