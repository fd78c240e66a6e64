"""A throw-away Dovecot IMAP (and LMTP) server on loopback ports, its whole state in one temp dir.

Debian's `dovecot-imapd` (and `dovecot-lmtpd` for LMTP); tests skip when it is not installed.
As root the login processes run as dovenull/dovecot and mail as nobody (what Dovecot insists on);
as another user everything runs as that user.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from support import linux_only
from support.prerequisites import missing

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "mailbox-Pa55word-7f3a"  # the IMAP password every test user has
NO_IDLE_CAPABILITY = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT NAMESPACE"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, log: Path, timeout_s: float = 10.0) -> None:
    ends = time.monotonic() + timeout_s
    while time.monotonic() < ends:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    raise RuntimeError(f"Dovecot did not listen on {port}: {text[-2000:]}")


@dataclass
class Dovecot:
    """One running server: its ports, its users (all with PASSWORD) and how to put mail in."""

    root: Path
    imap_port: int
    imaps_port: int | None
    lmtp_port: int | None
    users: tuple[str, ...]
    cert: Path | None = None
    _mail_owner: tuple[int, int] = field(default=(0, 0))

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def maildir(self, user: str) -> Path:
        return self.root / "mail" / user / "Maildir"

    def url(self, user: str, mailbox: str = "INBOX", *, imaps: bool = False) -> str:
        from urllib.parse import quote

        if imaps:
            return f"imaps://{quote(user, safe='')}@127.0.0.1:{self.imaps_port}/{mailbox}"
        return f"imap://{quote(user, safe='')}@127.0.0.1:{self.imap_port}/{mailbox}"

    def append(self, user: str, message: bytes, when: datetime | None = None, mailbox: str = "INBOX") -> None:
        """Deliver `message` with IMAP APPEND, dated `when` (INTERNALDATE; default now)."""
        from imapclient import IMAPClient

        with IMAPClient("127.0.0.1", self.imap_port, ssl=False, timeout=10) as client:
            client.login(user, PASSWORD)
            client.append(mailbox, message, flags=(), msg_time=when or datetime.now(UTC))

    def write_maildir(self, user: str, messages: list[bytes], when: datetime) -> None:
        """Put many messages straight into the user's Maildir (fast), each dated `when`."""
        cur = self.maildir(user) / "cur"
        cur.mkdir(parents=True, exist_ok=True)
        stamp = when.timestamp()
        for number, message in enumerate(messages):
            path = cur / f"{int(stamp)}.M{number}P1.verifydesk:2,S"
            path.write_bytes(message)
            os.utime(path, (stamp, stamp))
        self._own(self.root / "mail")

    def kick(self, user: str) -> str:
        """Close every IMAP session of `user` from the server's side; doveadm's answer."""
        done = subprocess.run(["doveadm", "-c", str(self.config), "kick", user],
                              check=False, capture_output=True, text=True, timeout=10)
        return f"{done.returncode} {done.stdout} {done.stderr}"

    def _own(self, path: Path) -> None:
        uid, gid = self._mail_owner
        if os.geteuid() != 0:
            return
        for folder, _, files in os.walk(path):
            os.chown(folder, uid, gid)
            for name in files:
                os.chown(os.path.join(folder, name), uid, gid)

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().strip())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        ends = time.monotonic() + 10
        while time.monotonic() < ends:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def _identities() -> dict[str, str]:
    import grp  # POSIX only: ses_message() is imported on Windows too

    if os.geteuid() == 0:
        return {"login": "dovenull", "internal": "dovecot", "uid": "nobody", "gid": "nogroup"}
    me = getpass.getuser()
    group = grp.getgrgid(os.getgid()).gr_name
    return {"login": me, "internal": me, "uid": me, "gid": group}


def _config(root: Path, *, imap_port: int, imaps_port: int | None, lmtp_port: int | None,
            cert: tuple[Path, Path] | None, idle: bool, catch_all: str | None) -> str:
    who = _identities()
    protocols = "imap lmtp" if lmtp_port else "imap"
    lines = [
        f"base_dir = {root}/run", f"state_dir = {root}/state",
        f"log_path = {root}/dovecot.log", f"info_log_path = {root}/dovecot.log",
        f"protocols = {protocols}", "listen = 127.0.0.1",
        "disable_plaintext_auth = no", "auth_failure_delay = 0", "auth_mechanisms = plain login",
        f"default_login_user = {who['login']}", f"default_internal_user = {who['internal']}",
        f"mail_location = maildir:{root}/mail/%u/Maildir",
        "mail_fsync = never",
        f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {root}/passwd\n}}",
        f"userdb {{\n  driver = static\n  args = uid={who['uid']} gid={who['gid']} home={root}/mail/%u\n}}",
        "service anvil {\n  chroot =\n}",
        "service stats {\n  unix_listener stats-writer {\n    mode = 0666\n  }\n}",
    ]
    if os.geteuid() != 0:
        lines.append(f"default_internal_group = {who['gid']}")
        lines.append(f"service auth {{\n  user = {who['internal']}\n}}")
        lines.append(f"service auth-worker {{\n  user = {who['internal']}\n}}")
    imaps = (f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n    ssl = yes\n  }}\n"
             if imaps_port else "  inet_listener imaps {\n    port = 0\n  }\n")
    lines.append(
        "service imap-login {\n  chroot =\n"
        f"  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n{imaps}}}"
    )
    if lmtp_port:
        lines.append(
            "service lmtp {\n"
            f"  inet_listener lmtp {{\n    address = 127.0.0.1\n    port = {lmtp_port}\n  }}\n}}"
        )
        # A catch-all: LMTP delivers mail for any address to that user's mailbox.
        lines.append(f"protocol lmtp {{\n  auth_username_format = {catch_all or '%Ln'}\n}}")
    if cert:
        lines += ["ssl = yes", f"ssl_cert = <{cert[0]}", f"ssl_key = <{cert[1]}"]
    else:
        lines.append("ssl = no")
    if not idle:
        lines.append(f"protocol imap {{\n  imap_capability = {NO_IDLE_CAPABILITY}\n}}")
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def dovecot_server(
    users: tuple[str, ...] = ("qa", "other"),
    *,
    cert: tuple[Path, Path] | None = None,
    lmtp: bool = False,
    idle: bool = True,
    catch_all: str | None = None,
) -> Iterator[Dovecot]:
    """Start Dovecot in a fresh dir of its own, removed afterwards; `cert` = (certificate, key) PEM
    files turn TLS on. The dir is not under pytest's tmp_path: Dovecot's users must reach it."""
    linux_only.require("Dovecot")
    import grp  # POSIX only
    import pwd

    if not Path(DOVECOT).exists():
        missing("Dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd; .ci/system-deps.sh test)")
    root = Path(tempfile.mkdtemp(prefix="verifydesk-dovecot-"))
    os.chmod(root, 0o755)  # noqa: S103 (Dovecot drops to other users who must reach it)
    server = Dovecot(
        root=root, imap_port=free_port(), imaps_port=free_port() if cert else None,
        lmtp_port=free_port() if lmtp else None, users=users, cert=cert[0] if cert else None,
    )
    if os.geteuid() == 0:
        server._mail_owner = (pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid)
    (root / "passwd").write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in users))
    for user in users:
        for sub in ("cur", "new", "tmp"):
            server.maildir(user).joinpath(sub).mkdir(parents=True, exist_ok=True)
    server._own(root / "mail")
    server.config.write_text(_config(root, imap_port=server.imap_port, imaps_port=server.imaps_port,
                                     lmtp_port=server.lmtp_port, cert=cert, idle=idle,
                                     catch_all=catch_all))
    subprocess.run([DOVECOT, "-c", str(server.config)], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=20)
    try:
        _wait_for_port(server.imap_port, root / "dovecot.log")
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def ses_message(
    to: str,
    code: str | None,
    *,
    subject: str = "Your verification code",
    sender: str = "no-reply@verificationemail.com",
    when: datetime | None = None,
    cte: str = "quoted-printable",
    charset: str = "utf-8",
    text: str | None = None,
    html: str | None = None,
    delivered_to: str | None = None,
    attachment: bytes | None = None,
) -> bytes:
    """A message as SES delivers Cognito's: multipart/alternative text + HTML (the given transfer
    encoding and charset), optionally with a Delivered-To header and an attachment after the text."""
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime, make_msgid

    body = text if text is not None else f"Vérification: your verification code is {code}."
    page = html if html is not None else (
        f'<html><head><style>p {{ color: #123456 }}</style></head><body><p style="color:#654321">'
        f"Vérification</p><p>Your verification code is <b>{code}</b>.</p></body></html>"
    )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if delivered_to:
        message["Delivered-To"] = delivered_to
    message["Subject"] = subject
    message["Date"] = format_datetime(when or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="email.amazonses.com")
    message.set_content(body, subtype="plain", charset=charset, cte=cte)
    message.add_alternative(page, subtype="html", charset=charset, cte=cte)
    if attachment is not None:
        message.make_mixed()
        message.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="big.bin")
    return message.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire
