"""Sending over SMTP: one connection per batch, every failure turned into a result.

`SmtpTransport.send` never raises for what a mail server or the network can do: a 4xx reply, a
refused or dropped connection, a timeout or a TLS failure is *temporary* (retry later), a 5xx
reply about the recipient or the message is *permanent* (the address is marked). Failures that
are ours, not the recipient's (login refused, the sender refused, no password), are temporary
so that a configuration mistake never marks a customer's address.

A dropped connection is reopened once, and only while nothing of the message has been
accepted (before MAIL FROM is answered), so a reconnect can never deliver a message twice.
"""

from __future__ import annotations

import copy
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from types import TracebackType
from typing import Literal

from workbench.config import SmtpSettings
from workbench.mail.mime import message_bytes

SECURITIES = ("none", "starttls", "tls")


@dataclass(frozen=True)
class SendResult:
    """What became of one message: `code` is the server's reply code when there was one."""

    status: Literal["sent", "temporary", "permanent"]
    code: int | None
    detail: str


class _Dropped(Exception):
    """The connection was lost before the server accepted anything of the message."""


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())


def _by_code(code: int, what: str) -> SendResult:
    status: Literal["temporary", "permanent"] = "permanent" if 500 <= code < 600 else "temporary"
    return SendResult(status, code, what)


def smtp_password(settings: SmtpSettings, env: Mapping[str, str]) -> str | None:
    """The SMTP password from the environment variable named by `smtp.password_env`."""
    if not settings.password_env:
        return None
    return env.get(settings.password_env) or None


class SmtpTransport:
    """Sends messages over one SMTP connection, opened on the first send and closed on exit."""

    def __init__(
        self,
        settings: SmtpSettings,
        password: str | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if settings.security not in SECURITIES:
            raise ValueError(
                f"smtp.security は none / starttls / tls のいずれかです / "
                f"smtp.security must be none, starttls or tls (got {settings.security!r})"
            )
        self._settings = settings
        self._password = password
        self._ssl_context = ssl_context
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT and close the connection (quietly if it is already gone)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()

    def send(self, message: EmailMessage) -> SendResult:
        """Send one message to its To/Cc/Bcc recipients from `smtp.sender`."""
        fields = [value for name in ("To", "Cc", "Bcc") for value in message.get_all(name, [])]
        recipients = [addr for _, addr in getaddresses(fields) if addr]
        if not recipients:
            return SendResult("permanent", None, "宛先がありません / the message has no recipient")
        if self._settings.username and self._password is None:
            return SendResult(
                "temporary",
                None,
                f"SMTP のパスワードがありません（smtp.password_env の環境変数を設定）/ no SMTP "
                f"password: set the variable named by smtp.password_env "
                f"({self._settings.password_env or 'unset'})",
            )
        if "Bcc" in message:
            message = _without_bcc(message)
        raw = message_bytes(message)
        sender = parseaddr(self._settings.sender)[1] or self._settings.sender
        reused = self._connection is not None
        try:
            try:
                return self._transmit(sender, recipients, raw)
            except _Dropped:
                self._discard()
                if not reused:
                    raise
            return self._transmit(sender, recipients, raw)
        except _Dropped as dropped:
            self._discard()
            return SendResult("temporary", None, f"接続が切れました / connection lost: {dropped}")
        except smtplib.SMTPAuthenticationError as error:
            self._discard()
            return SendResult(
                "temporary",
                error.smtp_code,
                f"SMTP のログインが拒否されました（smtp.username / smtp.password_env を確認）/ "
                f"SMTP login refused: {error.smtp_code} {_text(error.smtp_error)}",
            )
        except smtplib.SMTPResponseException as error:
            self._discard()
            return SendResult(
                "temporary",
                error.smtp_code,
                f"SMTP サーバーが応答を拒否しました / SMTP server refused: "
                f"{error.smtp_code} {_text(error.smtp_error)}",
            )
        except (smtplib.SMTPException, OSError) as error:
            # Refused or dropped connections, timeouts, DNS and TLS errors.
            self._discard()
            return SendResult(
                "temporary", None, f"SMTP サーバーに送れません / cannot reach the SMTP server: "
                f"{self._settings.host}:{self._settings.port}: {type(error).__name__}: {error}"
            )  # fmt: skip

    def _transmit(self, sender: str, recipients: list[str], raw: bytes) -> SendResult:
        connection = self._connect()
        try:
            code, reply = connection.mail(sender)
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise _Dropped(f"{type(error).__name__}: {error}") from error
        if code == 421:
            raise _Dropped(f"{code} {_text(reply)}")
        if code != 250:
            self._reset()
            return SendResult(
                "temporary",
                code,
                f"MAIL FROM が拒否されました（smtp.sender / smtp.security / smtp.username を確認）/ "
                f"MAIL FROM {sender} refused: {code} {_text(reply)}",
            )
        refused: list[tuple[str, int, str]] = []
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                refused.append((recipient, code, _text(reply)))
        if len(refused) == len(recipients):
            self._reset()
            recipient, code, refusal = refused[0]
            if code == 421:
                self._discard()
            return _by_code(code, f"{recipient}: {code} {refusal}")
        code, reply = connection.data(raw)
        if code != 250:
            self._reset()
            if code == 421:
                self._discard()
            return _by_code(code, f"{', '.join(recipients)}: {code} {_text(reply)}")
        detail = _text(reply)
        if refused:
            detail += " (" + "; ".join(f"{r}: {c} {t}" for r, c, t in refused) + ")"
        return SendResult("sent", 250, detail)

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        settings = self._settings
        context = self._ssl_context or ssl.create_default_context()
        timeout = settings.timeout_seconds
        connection: smtplib.SMTP
        if settings.security == "tls":
            connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                          context=context)  # fmt: skip
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        try:
            connection.ehlo()
            if settings.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if settings.username:
                connection.login(settings.username, self._password or "")
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _reset(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.rset()
        except (smtplib.SMTPException, OSError):
            self._discard()

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _without_bcc(message: EmailMessage) -> EmailMessage:
    stripped = copy.deepcopy(message)
    del stripped["Bcc"]
    return stripped


class RateLimiter:
    """Spaces sends evenly so that at most `per_minute` go in any minute (0: no limit)."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute < 0:
            raise ValueError(f"smtp.rate_per_minute must be 0 or more (got {per_minute})")
        self._interval = 60.0 / per_minute if per_minute else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> None:
        """Block until the next send is allowed, then count it."""
        if not self._interval:
            return
        now = self._clock()
        if self._next is not None and now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self._interval
