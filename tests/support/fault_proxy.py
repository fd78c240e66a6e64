"""A small TCP fault proxy on loopback, between the app and the sandbox.

Each accepted connection reads one HTTP request and then does what `mode` says: forward it to the
upstream and relay the answer, or misbehave the way flaky networks and proxies do.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum

_HTML = b"<html><head><title>%d</title></head><body><h1>%d Bad Gateway</h1>nginx</body></html>"


class Fault(StrEnum):
    PASS = "pass"
    RESET = "reset"  # reset mid-response: a status line and part of the headers, then RST
    HTML_500 = "html-500"
    HTML_502 = "html-502"
    HTML_503 = "html-503"
    GARBAGE_JSON = "garbage-json"  # 200 with a body that is not JSON
    NEVER_ENDS = "never-ends"  # headers promise a body that never arrives
    SLOW_DRIP = "slow-drip"  # the upstream answer, one byte per `drip_interval_s`
    CLOSE_EMPTY = "close-empty"  # accept, read, close without a byte


@dataclass
class FaultProxy:
    """Listen on 127.0.0.1:<port>; `mode` can change between requests."""

    upstream_host: str
    upstream_port: int
    mode: Fault = Fault.PASS
    drip_interval_s: float = 0.05
    requests: int = 0
    _server: socket.socket | None = field(default=None, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def start(self) -> str:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        server.settimeout(0.2)
        self._server = server
        thread = threading.Thread(target=self._accept_loop, daemon=True, name="fault-proxy")
        thread.start()
        self._threads.append(thread)
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            worker.start()

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            request = _read_http_message(conn)
            if request is None:
                return
            self.requests += 1
            mode = self.mode
            if mode is Fault.PASS:
                conn.sendall(self._forward(request))
            elif mode is Fault.RESET:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Le")
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif mode in (Fault.HTML_500, Fault.HTML_502, Fault.HTML_503):
                status = int(mode.value.split("-")[1])
                body = _HTML % (status, status)
                reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}[status]
                conn.sendall(
                    f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
                )
            elif mode is Fault.GARBAGE_JSON:
                body = b'{"CodeDeliveryDetails": {"AttributeName": "email", <<<not json'
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                    b"x-amzn-RequestId: garbage-1\r\n"
                    + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
                )
            elif mode is Fault.NEVER_ENDS:
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                    b"Content-Length: 4096\r\n\r\n{\"CodeDelivery"
                )
                self._stop.wait(60)
            elif mode is Fault.SLOW_DRIP:
                for byte in self._forward(request):
                    if self._stop.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(self.drip_interval_s)
            elif mode is Fault.CLOSE_EMPTY:
                return

    def _forward(self, request: bytes) -> bytes:
        head, _, body = request.partition(b"\r\n\r\n")
        lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
        lines.append(b"Connection: close")
        with socket.create_connection((self.upstream_host, self.upstream_port), timeout=30) as up:
            up.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
            chunks = []
            while chunk := up.recv(65536):
                chunks.append(chunk)
        response = b"".join(chunks)
        # Re-frame as Connection: close so the client does not reuse a socket we close.
        return response


def _read_http_message(conn: socket.socket) -> bytes | None:
    conn.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
