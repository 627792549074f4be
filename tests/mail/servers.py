"""Real mail servers on loopback for the mail tests: an aiosmtpd SMTP server in a thread and a
dovecot IMAP server in a subprocess, each with its own port, files and controls."""

from __future__ import annotations

import email
import email.policy
import grp
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
Security = Literal["none", "starttls", "tls"]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 20.0) -> bool:
    """Whether something accepts connections on host:port within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@dataclass(frozen=True)
class TlsFiles:
    """A self-signed certificate for 127.0.0.1/localhost and its key (PEM files)."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this certificate."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_tls_files(folder: Path) -> TlsFiles:
    """Generate a self-signed certificate with `openssl req` (the `cryptography` package is not
    installed here)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError(
            "openssl is needed to make the test certificate (apt-get install openssl)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return TlsFiles(cert=cert, key=key)


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage
    tls: bool
    login: str | None


@dataclass
class _Refusal:
    reply: str
    remaining: int
    stage: Literal["rcpt", "data"]


@dataclass
class _Handler:
    """The aiosmtpd handler: refuses while a refusal is pending, records what it accepts."""

    server: SmtpTestServer

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.server._take_refusal("rcpt")
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self.server._take_refusal("data")
        if refusal is not None:
            return refusal
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not envelope.original_content:
            raw = envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        transport = server.transport
        tls = session.ssl is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None
        )
        with self.server._lock:
            self.server.messages.append(
                ReceivedMessage(
                    mail_from=envelope.mail_from or "",
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    raw=raw,
                    message=parsed,
                    tls=tls,
                    login=login,
                )
            )
        return "250 2.0.0 Message accepted"


@dataclass
class SmtpTestServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 in a thread of this process, reachable from
    other processes through `host` and `port`.

    `security`: 'none' (plain), 'starttls' (STARTTLS offered and required) or 'tls' (implicit
    TLS). With `credentials`, AUTH PLAIN/LOGIN is offered and checked against them."""

    security: Security = "none"
    tls_files: TlsFiles | None = None
    credentials: tuple[str, str] | None = None
    host: str = HOST
    port: int = field(default_factory=free_port)
    messages: list[ReceivedMessage] = field(default_factory=list)
    failed_logins: list[str] = field(default_factory=list)
    _refusals: list[_Refusal] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def reply_with(
        self, code_and_text: str, count: int = 1, *, stage: Literal["rcpt", "data"] = "data"
    ) -> None:
        """Answer the next `count` messages with `code_and_text` (e.g. '451 4.3.0 try later',
        '550 5.1.1 no such user') at DATA time, or at RCPT time with stage='rcpt' (one count per
        RCPT command)."""
        with self._lock:
            self._refusals.append(_Refusal(code_and_text, count, stage))

    def _take_refusal(self, stage: str) -> str | None:
        with self._lock:
            for refusal in self._refusals:
                if refusal.stage == stage and refusal.remaining > 0:
                    refusal.remaining -= 1
                    return refusal.reply
        return None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and self.credentials is not None:
            login, password = data.login.decode(), data.password.decode()
            if (login, password) == self.credentials:
                return AuthResult(success=True, auth_data=data.login)
            self.failed_logins.append(login)
        return AuthResult(success=False, handled=False)

    def start(self) -> None:
        """Listen (again) on the same port."""
        if self._controller is not None:
            return
        kwargs: dict[str, Any] = {}
        if self.security != "none":
            if self.tls_files is None:
                raise ValueError(f"security={self.security!r} needs tls_files")
            context = self.tls_files.server_context()
            if self.security == "tls":
                kwargs["ssl_context"] = context
            else:
                kwargs["tls_context"] = context
                kwargs["require_starttls"] = True
        if self.credentials is not None:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_require_tls"] = self.security == "starttls"
        controller = Controller(_Handler(self), hostname=self.host, port=self.port, **kwargs)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Disappear: connections are refused until `start()`, open ones are dropped."""
        if self._controller is None:
            return
        self._controller.stop()
        self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpTestServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def current_user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


DOVECOT = "/usr/sbin/dovecot"


@dataclass
class ImapTestServer:
    """A real dovecot IMAP server on 127.0.0.1, run as a subprocess with its own configuration,
    state and mail in `folder`, and one user (`user`/`password`) whose Maildir is `maildir`.

    With `tls_files`, STARTTLS is offered on `port` and implicit TLS listens on `tls_port`.
    Run as root (a container), dovecot refuses root for its login and mail processes, so the
    packaged `dovenull`/`dovecot` users are taken and the mail and the password file live in a
    folder they own."""

    folder: Path
    tls_files: TlsFiles | None = None
    user: str = "alice"
    password: str = "wonderland"
    host: str = HOST
    port: int = field(default_factory=free_port)
    tls_port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = None
    _mail_root: Path | None = None

    @property
    def config_path(self) -> Path:
        return self.folder / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        return self.folder / "dovecot.log"

    @property
    def maildir(self) -> Path:
        assert self._mail_root is not None, "start() the server first"
        return self._mail_root / self.user / "Maildir"

    def _accounts(self) -> tuple[str, str, int, int]:
        """Login user, internal user, mail uid and gid for this process's user."""
        if os.getuid() != 0:
            me = current_user()
            return me, me, os.getuid(), os.getgid()
        try:
            login, internal = pwd.getpwnam("dovenull"), pwd.getpwnam("dovecot")
        except KeyError as missing:
            raise RuntimeError(
                "running as root, dovecot needs its packaged users dovenull and dovecot "
                "(apt-get install dovecot-imapd)"
            ) from missing
        return login.pw_name, internal.pw_name, internal.pw_uid, internal.pw_gid

    def config(self) -> str:
        """The dovecot.conf this server runs with."""
        login_user, internal_user, uid, gid = self._accounts()
        assert self._mail_root is not None
        tls = self.tls_files
        ssl_lines = "ssl = no\n"
        imaps_port = 0
        if tls is not None:
            ssl_lines = f"ssl = yes\nssl_cert = <{tls.cert}\nssl_key = <{tls.key}\n"
            imaps_port = self.tls_port
        return f"""# Written by tests/mail/servers.py for one test.
protocols = imap
listen = {self.host}
base_dir = {self.folder / "run"}
state_dir = {self.folder / "state"}
log_path = {self.log_path}
info_log_path = {self.log_path}
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(gid).gr_name}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{self._mail_root}/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self._mail_root / "passwd"}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self._mail_root}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

    def start(self) -> None:
        """Write the configuration and start dovecot in the foreground; wait for its port."""
        if self._process is not None:
            return
        if not Path(DOVECOT).exists():
            raise RuntimeError(
                f"dovecot is not installed ({DOVECOT} missing): apt-get install dovecot-imapd"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._mail_root is None:
            self._mail_root = self._make_mail_root()
        (self._mail_root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        self.config_path.write_text(self.config())
        with (self.folder / "dovecot.stderr").open("ab") as stderr:
            self._process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.config_path)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        if not wait_for_port(self.host, self.port):
            self.stop()
            raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def _make_mail_root(self) -> Path:
        if os.getuid() != 0:
            root = self.folder / "mail"
            root.mkdir(exist_ok=True)
            return root
        # pytest's tmp folders are 0700 root: the mail user could not reach them.
        _, _, uid, gid = self._accounts()
        root = Path(tempfile.mkdtemp(prefix="wb-dovecot-mail-"))
        os.chown(root, uid, gid)
        return root

    def stop(self) -> None:
        """Stop dovecot (connections are refused afterwards); the mail stays for `start()`."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def remove(self) -> None:
        """Stop and delete the mail folder made outside `folder`."""
        self.stop()
        if self._mail_root is not None and not self._mail_root.is_relative_to(self.folder):
            shutil.rmtree(self._mail_root, ignore_errors=True)

    def log(self) -> str:
        """dovecot's log and what it wrote to stderr (why it did not start, usually)."""
        texts = [
            p.read_text() for p in (self.log_path, self.folder / "dovecot.stderr") if p.exists()
        ]
        return "\n".join(texts) or "(no log)"

    def client(self) -> imaplib.IMAP4:
        """A logged-in imaplib client (plain connection) for the test's own checks."""
        client = imaplib.IMAP4(self.host, self.port)
        client.login(self.user, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX", *, seen: bool = False) -> None:
        """Put a message into a folder (created if missing) over IMAP APPEND, unseen unless
        asked, as a delivery agent would."""
        client = self.client()
        try:
            if folder != "INBOX":
                client.create(folder)
            flags = "(\\Seen)" if seen else None
            status, detail = client.append(folder, flags, None, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND to {folder} failed: {detail}")
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, str]:
        """The FLAGS of every message by UID."""
        client = self.client()
        try:
            client.select(folder, readonly=True)
            status, data = client.uid("FETCH", "1:*", "(FLAGS)")
            result: dict[int, str] = {}
            for item in data:
                if not isinstance(item, bytes):
                    continue
                text = item.decode()
                uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
                result[uid] = text.split("FLAGS (", 1)[1].split(")", 1)[0]
            return result
        finally:
            client.logout()

    def __enter__(self) -> ImapTestServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
