"""The simulated customers' mail servers: one real SMTP server (aiosmtpd) on loopback.

It accepts mail for live addresses and answers `550 5.1.1` for addresses that no longer
exist (the hidden `dead` flag), and logs every recipient the product tried, stamped with
the simulated instant of the `escalation run` that sent it.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Attempt:
    address: str
    at: datetime
    accepted: bool


@dataclass(frozen=True)
class Received:
    at: datetime
    recipients: tuple[str, ...]
    content: bytes


@dataclass
class Mailhost:
    """aiosmtpd handler; `now` is set by the runner before each `escalation run`."""

    dead: set[str]
    now: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        assert self.now is not None, "mail arrived outside an escalation run"
        lowered = address.strip().lower()
        if lowered in self.dead:
            self.attempts.append(Attempt(lowered, self.now, False))
            return f"550 5.1.1 <{address}>: no such user"
        self.attempts.append(Attempt(lowered, self.now, True))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        assert self.now is not None
        raw = envelope.original_content or envelope.content
        self.received.append(
            Received(self.now, tuple(a.lower() for a in envelope.rcpt_tos), bytes(raw))
        )
        return "250 2.0.0 accepted"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    """Start and stop the SMTP server on a free loopback port."""

    def __init__(self, dead: set[str]) -> None:
        self.host = Mailhost(dead)
        self.port = free_port()
        self._controller = Controller(self.host, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
