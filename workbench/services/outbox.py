"""Sending the outbox over SMTP: at most once per message, and never losing one.

`send_due` claims a few due messages at a time under a lease and commits that claim before
it talks to the server; each message's outcome is committed right after the server answers:

- 250: 'sent' with `sent_at` and the customer's `sent` email event, in one transaction;
- a temporary failure (4xx, or no answer: refused, timed out, disconnected): queued again
  with exponential back-off; with no answer at all the run stops and gives the rest back;
- a permanent failure (5xx): 'failed', and the address goes on the suppression list;
- an address that must not get email at send time (opted out, no address, bounced, …):
  'skipped' with the reason.

A run killed at any point leaves its claimed messages 'sending' until their lease expires;
the next run after that sends them again.  So the only window for a duplicate is between the
server's 250 and the commit of 'sent' (milliseconds; a crash there is re-sent after the
lease).  Two concurrent runs never hold the same message: the claim is one statement and
PostgreSQL skips rows another claimer has locked (see `workbench.store.outbox_queries`).

The run's clock starts at `at` (the CLI's `--at`) and moves with the wall clock, so a lease
expires in real time even when a run is given an instant in the past.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from workbench.config import Settings
from workbench.messages import say
from workbench.services import control_group
from workbench.store import outbox_queries as q
from workbench.store.engine import writer_turn
from workbench.store.escalation_queries import Reach

if TYPE_CHECKING:
    from email.message import EmailMessage

    from workbench.mail.smtp_transport import RateLimiter, SendResult, SmtpTransport

BATCH = 10
MIN_LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=12)
MAX_ATTEMPTS = 10  # temporary failures in a row before a message is given up as failed


@dataclass
class SendSummary:
    """What one run did: sent, retried later, failed for good, skipped by reason."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def as_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "skipped": dict(sorted(self.skipped.items())),
        }


class _Clock:
    """`at`, moving on with the wall clock from the moment the run started."""

    def __init__(self, at: datetime) -> None:
        self._at = at
        self._start = time.monotonic()

    def now(self) -> datetime:
        return self._at + timedelta(seconds=time.monotonic() - self._start)


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th try failed for now: 5 min, 10, 20, … up to 12 h."""
    delay = FIRST_RETRY * (2 ** max(0, attempts - 1))
    return min(delay, LONGEST_RETRY)


def lease_length(settings: Settings, batch: int = BATCH) -> timedelta:
    """Long enough for a whole batch to be sent at the configured rate, each try timing out."""
    smtp = settings.smtp
    spacing = 60.0 / smtp.rate_per_minute if smtp.rate_per_minute else 0.0
    needed = timedelta(seconds=2 * batch * (smtp.timeout_seconds + spacing))
    return max(MIN_LEASE, needed)


def default_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def skip_reason(reach: Reach | None, address: str) -> str | None:
    """Why the message must not go out now, or None.  The cadences' own rule decides
    (特定電子メール法: a refusal is honoured at once; bounced and refused addresses get no
    more mail); a message queued for an address the customer no longer has is not sent."""
    if reach is None:
        return "no_customer"
    blocked = reach.email_block()
    if blocked is not None:
        return blocked
    if not address.strip() or q.normal_address(reach.email or "") != q.normal_address(address):
        return "address_changed"
    return None


def send_due(
    engine: Engine,
    settings: Settings,
    at: datetime,
    *,
    env: Mapping[str, str] = os.environ,
    owner: str | None = None,
) -> SendSummary:
    """Send every message due at `at` (see the module's docstring for the guarantees)."""
    from workbench.mail.smtp_transport import RateLimiter, SmtpTransport, smtp_password

    check_mail_settings(settings, at)
    summary = SendSummary()
    owner = owner or default_owner()
    clock = _Clock(at)
    lease = lease_length(settings)
    password = smtp_password(settings.smtp, env)
    limiter = RateLimiter(settings.smtp.rate_per_minute)
    with SmtpTransport(settings.smtp, password) as transport:
        while True:
            now = clock.now()
            with writer_turn(engine), engine.begin() as conn:
                batch = q.claim_due(conn, now, owner, now + lease, BATCH)
            if not batch:
                return summary
            for index, row in enumerate(batch):
                if clock.now() >= row.lease_until - timedelta(
                    seconds=settings.smtp.timeout_seconds
                ):
                    # Too late to be sure no other run has taken it over: claim afresh.
                    _release(engine, batch[index:], owner)
                    break
                if not _send_one(engine, settings, transport, limiter, row, owner, clock, summary):
                    _release(engine, batch[index + 1 :], owner)
                    return summary


def _send_one(
    engine: Engine,
    settings: Settings,
    transport: SmtpTransport,
    limiter: RateLimiter,
    row: q.OutboxRow,
    owner: str,
    clock: _Clock,
    summary: SendSummary,
) -> bool:
    """Send one claimed message and commit its outcome; False when the run should stop."""
    with engine.connect() as conn:
        reach = control_group.reach(conn, settings, [row.customer_id]).get(row.customer_id)
    reason = skip_reason(reach, row.to_address)
    if reason is not None:
        with writer_turn(engine), engine.begin() as conn:
            q.mark_final(conn, row.id, owner, "skipped", reason)
        summary.skip(reason)
        return True
    try:
        message = compose(settings, row, clock.now())
    except ValueError as exc:  # this row's own values (the settings were checked first)
        with writer_turn(engine), engine.begin() as conn:
            q.mark_final(conn, row.id, owner, "failed", f"cannot build the message: {exc}")
        summary.failed += 1
        return True
    limiter.wait()
    result = transport.send(message)
    now = clock.now()
    if result.status == "sent":
        from workbench.services.escalation import record_email_event

        with writer_turn(engine), engine.begin() as conn:
            q.mark_sent(conn, row.id, owner, now)
            record_email_event(
                conn,
                customer_id=row.customer_id,
                event="sent",
                at=now,
                message_id=row.message_id,
                source="smtp",
                settings=settings,
            )
        summary.sent += 1
        return True
    detail = _detail(result)
    if result.status == "permanent":
        with writer_turn(engine), engine.begin() as conn:
            q.mark_final(conn, row.id, owner, "failed", detail)
            q.suppress(conn, row.to_address, "rejected", detail, "smtp", now)
        summary.failed += 1
        return True
    with writer_turn(engine), engine.begin() as conn:
        if row.attempts >= MAX_ATTEMPTS:
            q.mark_final(
                conn, row.id, owner, "failed", f"gave up after {row.attempts} tries: {detail}"
            )
            summary.failed += 1
        else:
            q.mark_retry(conn, row.id, owner, now + retry_delay(row.attempts), detail)
            summary.retried += 1
    # Go on only after a refusal of this one message; no answer, a closing server (421) or a
    # refused login or sender would make every next message wait and fail the same way.
    return result.code is not None and 400 <= result.code < 500 and result.code != 421


def _detail(result: SendResult) -> str:
    return f"{result.code} {result.detail}" if result.code is not None else str(result.detail)


def _release(engine: Engine, rows: list[q.OutboxRow], owner: str) -> None:
    if not rows:
        return
    with writer_turn(engine), engine.begin() as conn:
        for row in rows:
            q.release(conn, row.id, owner)


def check_mail_settings(settings: Settings, at: datetime) -> None:
    """Refuse settings no message could be built with (the sender, the reply domain, the
    unsubscribe address or URL) before anything is claimed, naming the keys."""
    from workbench.config import ConfigError
    from workbench.mail.mime import new_message_id

    probe = q.OutboxRow(
        id=0, customer_id=0, message_id=new_message_id("example.invalid"),
        to_address="probe@example.invalid", subject="probe", body_text="probe", body_html=None,
        template_id="probe", step=0, attempts=0, lease_until=at,
    )  # fmt: skip
    try:
        compose(settings, probe, at)
    except ValueError as exc:
        raise ConfigError(say("config.no_email", error=exc)) from None


def compose(settings: Settings, row: q.OutboxRow, at: datetime) -> EmailMessage:
    """The MIME message of an outbox row: the Message-ID recorded for it, a reply address and
    unsubscribe links carrying its token, the company as the sender's name (特定電子メール法)."""
    from workbench.mail import mime

    smtp, escalation = settings.smtp, settings.escalation
    try:
        token: str | None = mime.message_token(row.message_id)
    except ValueError:
        token = None  # an id written elsewhere: no per-message reply address
    reply_to = unsubscribe = url = None
    if token is not None:
        reply_to = mime.reply_address(
            token, sender=smtp.sender, reply_domain=escalation.reply_domain
        )
        unsubscribe = mime.unsubscribe_mailto(escalation.unsubscribe_mailto or smtp.sender, token)
        url = escalation.unsubscribe_url.replace("{token}", token) or None
    return mime.build_message(
        sender=smtp.sender,
        sender_name=settings.company_name,
        to=row.to_address,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        message_id=row.message_id,
        reply_to=reply_to,
        date=at,
        unsubscribe_mailto=unsubscribe or escalation.unsubscribe_mailto or smtp.sender,
        unsubscribe_url=url,
    )
