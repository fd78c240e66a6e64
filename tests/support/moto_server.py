"""A moto server on a loopback port for tests that need plain AWS APIs (DescribeUserPool, CloudWatch Logs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

FAKE_KEY_ID = "AKIAVERIFYDESKTEST01"
FAKE_SECRET = "verifydesk-test-secret-access-key"


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's ThreadedMotoServer on 127.0.0.1 and a free port; yield its URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
