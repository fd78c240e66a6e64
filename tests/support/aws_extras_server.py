"""moto over HTTP with VerifyDesk's AWS extras in front (SES v2 GetAccount, SNS's SMS sandbox, denials)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.sandbox.aws_extras import AwsExtrasApp, AwsExtrasState


@dataclass(frozen=True)
class ExtrasServer:
    url: str
    state: AwsExtrasState


@contextmanager
def aws_extras_server() -> Iterator[ExtrasServer]:
    """moto's every-service app behind AwsExtrasApp on 127.0.0.1 and a free port."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log(self, type: str, message: str, *args: object) -> None:
            return

    state = AwsExtrasState()
    app = AwsExtrasApp(DomainDispatcherApplication(create_backend_app), state)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield ExtrasServer(f"http://127.0.0.1:{server.server_port}", state)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
