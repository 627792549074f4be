"""Real mail servers on loopback for the mail tests: an aiosmtpd SMTP server in a thread and a
dovecot IMAP server in a subprocess, each with its own port, files and controls."""

from __future__ import annotations

import email
import email.policy
import os
import pwd
import shutil
import socket
import ssl
import subprocess
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
