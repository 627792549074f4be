"""Reading replies, bounces and unsubscribe mails into the customers' email events.

Each mail from the configured sources (a Maildir, an IMAP folder, or the `--maildir` given)
is parsed and matched to the outbox message it answers: first by the ids it references
(`In-Reply-To`, `References`, a DSN's original Message-ID), then by the token of the
per-message reply address.  Its events are committed, and only then is the mail marked done
in its source, so a crash between the two reads it again: an event already recorded for that
message at that time (the mail's Date) is not recorded twice.

- a reply → `replied` for the message's customer;
- a delivery-status notification → `bounced` for each failed recipient's customer, and the
  address on the suppression list;
- an unsubscribe mail → `unsubscribed` (email opt-out; calls are not affected); one that names
  no message of ours opts out the customers with the sender's address;
- an automatic reply (out of office) → nothing, marked done;
- any other mail (a delay warning, a newsletter), and a reply or bounce that matches no
  message, is counted as `unmatched` and left as it is (unread in IMAP, in `new/` of a
  Maildir): it may be a customer writing afresh, which a person should read.  It is counted
  again by every run until someone files it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from workbench.config import Settings
from workbench.store import outbox_queries as q
from workbench.store.engine import writer_turn

if TYPE_CHECKING:
    from workbench.mail.inbound import InboundMail

EXCERPT_CHARS = 160  # of a reply, kept as the email event's note for the operator's card


@dataclass
class IngestSummary:
    read: int = 0
    replies: int = 0
    bounces: int = 0
    unsubscribes: int = 0
    unmatched: int = 0
    auto_replies: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "read": self.read,
            "replies": self.replies,
            "bounces": self.bounces,
            "unsubscribes": self.unsubscribes,
            "unmatched": self.unmatched,
            "auto_replies": self.auto_replies,
        }


def mailbox_configured(settings: Settings) -> bool:
    return bool(settings.mailbox.maildir or settings.mailbox.imap_host)


def ingest(
    engine: Engine,
    settings: Settings,
    at: datetime,
    *,
    env: Mapping[str, str] = os.environ,
    maildir: Path | None = None,
) -> IngestSummary:
    """Read every new mail of the sources: `maildir` (else `mailbox.maildir`), and the IMAP
    folder when `mailbox.imap_host` is set.  `at` is the run's instant: a mail's time unless
    its Date says earlier."""
    from workbench.mail.inbound import parse_inbound
    from workbench.mail.mail_sources import open_sources

    summary = IngestSummary()
    # Only an address of its own: mail to the sender's address may be an ordinary reply.
    unsubscribe = [a for a in (settings.escalation.unsubscribe_mailto,) if a]
    for source in open_sources(settings.mailbox, env, maildir):
        with source:
            for key, raw in source.fetch():
                summary.read += 1
                mail = parse_inbound(raw, unsubscribe_addresses=unsubscribe)
                if _apply(engine, settings, mail, at, summary):
                    source.mark_done(key)
    return summary


def _apply(
    engine: Engine, settings: Settings, mail: InboundMail, at: datetime, summary: IngestSummary
) -> bool:
    """Record one mail's events; whether it is done with (False: leave it in the mailbox)."""
    # The mail's own Date, unless it claims a time after the run's (a wrong clock).
    when = mail.at if mail.at is not None and mail.at <= at else at
    if mail.kind == "auto_reply":
        summary.auto_replies += 1
        return True
    if mail.kind not in ("reply", "bounce", "unsubscribe"):
        summary.unmatched += 1  # a delay warning, a newsletter, a new mail: for a person
        return False
    with writer_turn(engine), engine.begin() as conn:
        if mail.kind == "bounce":
            found = _bounce(conn, settings, mail, when)
            summary.bounces += found
        elif mail.kind == "unsubscribe":
            found = _unsubscribe(conn, settings, mail, when)
            summary.unsubscribes += found
        else:
            message = _match(conn, mail)
            found = int(message is not None)
            if message is not None:
                _record(conn, settings, message.customer_id, "replied", when,
                        message.message_id, "mailbox", reply_excerpt(mail.text) or None)  # fmt: skip
                summary.replies += 1
    if not found:
        summary.unmatched += 1
    return bool(found)


def reply_excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """What the customer wrote, for the operator's card: the first lines before the quote."""
    from workbench.mail.inbound import first_lines

    said = " ".join(first_lines(text, 6))
    return said if len(said) <= limit else said[: limit - 1] + "…"


def _unsubscribe(conn: Connection, settings: Settings, mail: InboundMail, at: datetime) -> int:
    """`unsubscribed` for the message's customer; a refusal that names no message of ours is
    honoured for the customers with the sender's address (特定電子メール法: at once)."""
    message = _match(conn, mail)
    if message is not None:
        _record(conn, settings, message.customer_id, "unsubscribed", at, message.message_id,
                "mailbox")  # fmt: skip
        return 1
    ids = q.customers_with_address(conn, mail.from_address) if mail.from_address else []
    for customer_id in ids:
        _record(conn, settings, customer_id, "unsubscribed", at, None, "mailbox")
    return len(ids)


def _match(conn: Connection, mail: InboundMail) -> q.SentMessage | None:
    found = q.messages_by_id(conn, list(mail.referenced_ids))
    if found:
        return found[0]
    if mail.token:
        by_token = q.messages_with_token(conn, mail.token)
        return by_token[0] if by_token else None
    return None


def _bounce(conn: Connection, settings: Settings, mail: InboundMail, at: datetime) -> int:
    """`bounced` for each failed recipient's customer; how many recipients were matched."""
    referenced = q.messages_by_id(conn, list(mail.referenced_ids))
    if not referenced and mail.token:
        referenced = q.messages_with_token(conn, mail.token)
    recipients = list(mail.bounced_recipients) or [m.to_address for m in referenced]
    matched = 0
    for address in recipients:
        message = next(
            (m for m in referenced if q.normal_address(m.to_address) == q.normal_address(address)),
            None,
        ) or q.latest_to_address(conn, address)
        if message is None:
            continue
        _record(conn, settings, message.customer_id, "bounced", at, message.message_id, "dsn")
        matched += 1
    return matched


def _record(
    conn: Connection,
    settings: Settings,
    customer_id: int,
    event: str,
    at: datetime,
    message_id: str | None,
    source: str,
    note: str | None = None,
) -> None:
    """The email event: the contact, the suppression or opt-out, the cadence's move (one home:
    `services.escalation`, which also leaves out an event a mail read again recorded before)."""
    from workbench.services.escalation import record_email_event

    record_email_event(conn, customer_id=customer_id, event=event, at=at, message_id=message_id,
                       source=source, settings=settings, note=note)  # fmt: skip
