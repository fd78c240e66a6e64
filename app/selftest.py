"""`verifydesk self-test`: prove an installation works, from the window to a real Cognito call.

Checks, each reported on one line: the main window opens and paints (offscreen unless
$QT_QPA_PLATFORM says otherwise), the About box, fonts, the bundled botocore models, SQLite with
FTS5 (history), the boto3 client, and a round trip against a sandbox pool: sign in, GetUser,
GetUserAttributeVerificationCode, VerifyUserAttribute with the delivered code. The sandbox is the
one at `endpoint_url` (argument or $VERIFYDESK_SELFTEST_ENDPOINT_URL; its control API supplies the
client id and a fresh user), else one started in this process when moto is available.
Everything runs under a temporary VERIFYDESK_HOME: the user's profiles and history are not touched.
Exit status 0 only when every check passed.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from app import APP_NAME, __version__

if TYPE_CHECKING:
    from app.core.connection import CognitoConnection

ENDPOINT_ENV = "VERIFYDESK_SELFTEST_ENDPOINT_URL"
CLIENT_ID_ENV = "VERIFYDESK_SELFTEST_CLIENT_ID"

# botocore service models the app reads at run time; the packaging spec keeps only these:
# cognito-idp (user calls, DescribeUserPool), logs (trigger logs), s3 (codes from SES receipt rules),
# the delivery preflight's reads (ses and sesv2: identities, account; sns: SMS sandbox; lambda), and
# the credential providers an admin AWS profile may use: sts (assume-role, web identity), sso and
# sso-oidc (IAM Identity Center).
BOTOCORE_SERVICES = (
    "cognito-idp", "logs", "s3", "sts", "sso", "sso-oidc", "ses", "sesv2", "sns", "lambda",
)
# ...and those the embedded sandbox (moto) needs on top of them (moto reads cognito-idp and logs).
SANDBOX_BOTOCORE_SERVICES: tuple[str, ...] = ()


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    ms: float


class CheckFailedError(Exception):
    """A check failed for a reason worth one line (no traceback)."""


@dataclass
class _Sandbox:
    endpoint_url: str
    region: str
    client_id: str
    user_pool_id: str | None
    control: Any
    stop: Callable[[], None]


class _Runner:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.checks: list[Check] = []

    def run(self, name: str, func: Callable[[], str]) -> bool:
        started = time.perf_counter()
        try:
            detail, ok = func(), True
        except CheckFailedError as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # a self-test reports every failure and goes on
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            detail = f"{type(exc).__name__}: {exc} ({Path(frame.filename).name}:{frame.lineno})"
            ok = False
        check = Check(name, ok, detail, (time.perf_counter() - started) * 1000)
        self.checks.append(check)
        self.out.write(f"  {'ok  ' if ok else 'FAIL'}  {name:<17} {detail} [{check.ms:.0f} ms]\n")
        self.out.flush()
        return ok


@contextlib.contextmanager
def _temporary_home() -> Iterator[Path]:
    previous = os.environ.get("VERIFYDESK_HOME")
    with tempfile.TemporaryDirectory(prefix="verifydesk-selftest-") as tmp:
        os.environ["VERIFYDESK_HOME"] = tmp
        try:
            yield Path(tmp)
        finally:
            if previous is None:
                os.environ.pop("VERIFYDESK_HOME", None)
            else:
                os.environ["VERIFYDESK_HOME"] = previous


def _qt_app() -> Any:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([APP_NAME])


def _painted(widget: Any) -> str:
    """Grab the widget and make sure something other than one flat colour was drawn."""
    image = widget.grab().toImage()
    if image.isNull() or image.width() < 50 or image.height() < 50:
        raise CheckFailedError(f"nothing painted ({image.width()}x{image.height()})")
    step_x, step_y = max(1, image.width() // 40), max(1, image.height() // 40)
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), step_x) for y in range(0, image.height(), step_y)
    }
    if len(colours) < 3:
        raise CheckFailedError("the window painted as a flat colour")
    return f"{image.width()}x{image.height()}, {len(colours)} colours sampled"


def _make_main_window() -> Any:
    from app.ui.window.main_window import MainWindow

    return MainWindow()


def check_window() -> str:
    import asyncio

    import qasync

    app = _qt_app()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        window = _make_main_window()
        window.show()
        loop.run_until_complete(asyncio.sleep(0.3))  # Qt events and any start-up tasks run
        detail = _painted(window)
        title = window.windowTitle()
        window.close()
        loop.run_until_complete(asyncio.sleep(0.05))
        window.deleteLater()
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return f"{type(window).__name__} {title!r} {detail} ({app.platformName()})"


def check_about() -> str:
    app = _qt_app()
    from app.ui.window.about import build_about

    dialog = build_about(None)
    dialog.show()
    app.processEvents()
    detail = _painted(dialog)
    text = dialog.licence_view.toPlainText()
    dialog.close()
    if "MIT License" not in text:
        raise CheckFailedError("the licence text is missing")
    if dialog.windowIcon().isNull():
        raise CheckFailedError("the app icon did not load (SVG icon engine missing?)")
    return f"icon, version and licence shown; {detail}"


def check_fonts() -> str:
    _qt_app()
    from PySide6.QtGui import QFontDatabase, QFontMetrics, QGuiApplication

    families = QFontDatabase.families()
    if not families:
        raise CheckFailedError("no fonts found: install a font package (e.g. fonts-dejavu-core)")
    font = QGuiApplication.font()
    if not QFontMetrics(font).inFont("A"):
        raise CheckFailedError(f"the default font {font.family()!r} has no glyph for 'A'")
    return f"{len(families)} families; default {font.family()!r}"


def check_botocore_models(services: tuple[str, ...]) -> str:
    import botocore.session

    session = botocore.session.get_session()
    loaded = []
    for service in services:
        model = session.get_service_model(service)
        loaded.append(f"{service} ({len(model.operation_names)} ops)")
    session.get_component("endpoint_resolver")  # endpoints.json and partitions.json
    return ", ".join(loaded)


def check_history() -> str:
    import sqlite3

    from app.core.history import AttemptCompletion, AttemptStart, HistoryStore
    from app.core.history.schema import fts5_available
    from app.core.models import ConnectionInfo, Outcome
    from app.core.paths import app_paths

    if not fts5_available():
        raise CheckFailedError(f"SQLite {sqlite3.sqlite_version} has no FTS5: history search would be slow")
    store = HistoryStore(app_paths().history_db)
    try:
        info = ConnectionInfo(region="us-east-1", endpoint_url=None, user_pool_id=None,
                              client_id="selftest", profile_name=None)
        row = store.begin(AttemptStart("GetUserAttributeVerificationCode", info, "selftest", "email"))
        store.complete(row, AttemptCompletion(outcome=Outcome.SUCCESS))
        record = store.get(row)
    finally:
        store.close()
    if record is None or record.outcome != Outcome.SUCCESS:
        raise CheckFailedError("a history row did not round-trip")
    return f"SQLite {sqlite3.sqlite_version} with FTS5; a row written and read back"


def _start_sandbox(endpoint_url: str | None, client_id: str | None) -> _Sandbox:
    try:
        from app.sandbox.control import SandboxControl
    except ImportError as exc:
        raise CheckFailedError(f"the sandbox is not part of this installation ({exc})") from None
    if endpoint_url:
        control = SandboxControl(endpoint_url)
        info = control.info()
        return _Sandbox(endpoint_url, info.region, client_id or info.client_id, info.user_pool_id,
                        control, lambda: None)
    from app.sandbox import Sandbox

    pool = Sandbox()
    pool.start()
    info = pool.info
    return _Sandbox(info.endpoint_url, info.region, client_id or info.client_id, info.user_pool_id,
                    pool.control, pool.stop)


def run_self_test(
    *,
    endpoint_url: str | None = None,
    client_id: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Run every check, print a short report, return 0 only if all passed."""
    stream: TextIO = out or sys.stdout or open(os.devnull, "w")  # noqa: SIM115 (windowed exe: no stdout)
    endpoint_url = endpoint_url or os.environ.get(ENDPOINT_ENV) or None
    client_id = client_id or os.environ.get(CLIENT_ID_ENV) or None
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    stream.write(
        f"{APP_NAME} {__version__} self-test ({frozen}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()})\n"
    )
    runner = _Runner(stream)
    with _temporary_home():
        runner.run("main window", check_window)
        runner.run("about box", check_about)
        runner.run("fonts", check_fonts)
        runner.run("botocore models", lambda: check_botocore_models(BOTOCORE_SERVICES))
        runner.run("history store", check_history)
        _RoundTrip(endpoint_url, client_id).run(runner)
    failed = [c.name for c in runner.checks if not c.ok]
    if failed:
        total = len(runner.checks)
        stream.write(f"self-test FAILED: {len(failed)} of {total} checks ({', '.join(failed)})\n")
        return 1
    stream.write(f"self-test passed: {len(runner.checks)} checks\n")
    return 0


class _RoundTrip:
    """Sandbox, client, sign-in, GetUser, send, verify: each step runs only when the one before passed."""

    def __init__(self, endpoint_url: str | None, client_id: str | None) -> None:
        self.endpoint_url = endpoint_url
        self.client_id = client_id
        self.pool: _Sandbox | None = None
        self.conn: CognitoConnection | None = None
        self.user: dict[str, Any] = {}
        self.token = ""

    def steps(self) -> list[tuple[str, Callable[[], str]]]:
        return [("sandbox", self.sandbox), ("boto3 client", self.client), ("sign-in", self.sign_in),
                ("GetUser", self.get_user), ("send code", self.send), ("verify code", self.verify)]

    def run(self, runner: _Runner) -> None:
        try:
            for name, step in self.steps():
                if not runner.run(name, step):
                    break
        finally:
            if self.pool is not None:
                self.pool.stop()

    def _conn(self) -> CognitoConnection:
        assert self.conn is not None
        return self.conn

    def _control(self) -> Any:
        assert self.pool is not None
        return self.pool.control

    def sandbox(self) -> str:
        self.pool = _start_sandbox(self.endpoint_url, self.client_id)
        where = "given" if self.endpoint_url else "started in this process"
        return f"{self.pool.endpoint_url} ({where}), client {self.pool.client_id}"

    def client(self) -> str:
        from app.core.connection import CognitoConnection, ConnectionSettings

        assert self.pool is not None
        self.conn = CognitoConnection(ConnectionSettings(
            region=self.pool.region, client_id=self.pool.client_id, endpoint_url=self.pool.endpoint_url,
            user_pool_id=self.pool.user_pool_id,
        ))
        started = time.perf_counter()
        _ = self.conn.client
        return f"boto3 cognito-idp client created in {(time.perf_counter() - started) * 1000:.0f} ms"

    def sign_in(self) -> str:
        from app.core.auth import AuthFlow, sign_in_password
        from app.core.redaction import SECRETS
        from app.core.tokens import Tokens

        user: dict[str, Any] = self._control().create_user()
        SECRETS.add(user["password"])
        step = sign_in_password(self._conn(), user["username"], user["password"], AuthFlow.USER_PASSWORD_AUTH)
        if not isinstance(step, Tokens):
            raise CheckFailedError(f"expected tokens, got the challenge {step.name}")
        self.user, self.token = user, step.access_token
        return f"InitiateAuth USER_PASSWORD_AUTH as {user['username']}"

    def get_user(self) -> str:
        from app.core.calls import get_user

        profile = get_user(self._conn(), self.token)
        email = profile.attribute("email")
        if email is None:
            raise CheckFailedError("GetUser returned no email attribute")
        return f"GetUser: {len(profile.attributes)} attributes, email verified={email.verified}"

    def send(self) -> str:
        from app.core.calls import send_verification_code

        result = send_verification_code(self._conn(), self.token, "email", {"source": "self-test"})
        delivery = result.delivery
        if delivery is None or delivery.delivery_medium != "EMAIL":
            raise CheckFailedError(f"unexpected CodeDeliveryDetails: {delivery}")
        return f"code sent by EMAIL to {delivery.destination} in {result.latency_ms:.0f} ms"

    def verify(self) -> str:
        from app.core.calls import get_user, verify_attribute

        code = self._control().latest_code(self.user["username"], "email")
        verify_attribute(self._conn(), self.token, "email", code)
        email = get_user(self._conn(), self.token).attribute("email")
        if email is None or email.verified is not True:
            raise CheckFailedError("VerifyUserAttribute passed but email_verified is not true")
        return "VerifyUserAttribute with the delivered code; email_verified is now true"
