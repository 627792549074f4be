"""Reading replies, bounces and unsubscribe mails into the customers' email events, from a
Maildir and from a real IMAP server (dovecot on loopback), on every backend.

The mails are the hand-written samples of tests/data/mail; the outbox messages they answer
are written with the store's own queries, under the Message-IDs the samples name.
"""

from __future__ import annotations

import dataclasses
import json
import mailbox
import os
import subprocess
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from servers import ImapTestServer, ReceivedMessage, SmtpTestServer
from sqlalchemy import Engine, insert, select

from workbench.config import Settings
from workbench.domain.escalation import start
from workbench.services.escalation import cadence_rules
from workbench.services.mail_ingest import ingest
from workbench.store import escalation_queries as eq
from workbench.store import outbox_queries as q
from workbench.store.engine import make_engine
from workbench.store.models import ContactAttempt, Customer, EmailSuppression, OutboxMessage

COMMAND = [sys.executable, "-c", "from workbench.cli import main; main()"]
REPO = Path(__file__).resolve().parents[2]

RUN_AT = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
SENT_AT = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
TARO_ID = "<3f2a9c0d41b7e8a65c19.8d04e1aa27c3@example.co.jp>"
SUZUKI_ID = "<9b1e7d2c0a4f6e8d3b51.51c0ffee9a1b@example.co.jp>"


def customer_with_sent_mail(
    engine: Engine, settings: Settings, external_id: str, email: str, message_id: str
) -> int:
    """A mid-tier customer who was emailed `message_id` (their cadence waits for a response)."""
    with engine.begin() as conn:
        cid = int(
            conn.execute(
                insert(Customer.__table__)
                .values(external_id=external_id, name=external_id, kind="b2c", email=email)
                .returning(Customer.__table__.c.id)
            ).scalar_one()
        )
        eq.insert_cadences(
            conn, [(cid, start("mid", SENT_AT, cadence_rules(settings.escalation)))], SENT_AT
        )
        q.insert_message(
            conn,
            {
                "customer_id": cid,
                "dedupe_key": f"test:{cid}:0",
                "message_id": message_id,
                "to_address": email,
                "template_id": "price_ja",
                "step": 1,
                "subject": "ご無沙汰しております",
                "body_text": "本文\n",
                "next_try_at": SENT_AT,
                "queued_at": SENT_AT,
            },
        )
    return cid


def maildir_with(folder: Path, mail_data: Path, *names: str) -> Path:
    box = mailbox.Maildir(folder, create=True)
    for name in names:
        box.add((mail_data / name).read_bytes())
    return folder


def events(engine: Engine, customer_id: int) -> list[tuple[str, str | None]]:
    table = ContactAttempt.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.outcome, table.c.message_id)
            .where(table.c.customer_id == customer_id, table.c.channel == "email")
            .order_by(table.c.at)
        ).all()
    return [(r.outcome, r.message_id) for r in rows]


def cadence_state(engine: Engine, customer_id: int) -> tuple[str, str | None]:
    with engine.connect() as conn:
        c = eq.load_cadence(conn, customer_id)
    assert c is not None
    return c.state, c.response


def test_replies_from_a_maildir_move_their_customers_to_responded(
    engine: Engine, settings: Settings, mail_data: Path, tmp_path: Path
) -> None:
    taro = customer_with_sent_mail(engine, settings, "C1", "taro.yamada@example.com", TARO_ID)
    suzuki = customer_with_sent_mail(
        engine, settings, "C2", "hanako.suzuki@example.ne.jp", SUZUKI_ID
    )
    folder = maildir_with(
        tmp_path / "Maildir",
        mail_data,
        "reply_iso2022jp.eml",  # In-Reply-To names Taro's message
        "reply_shift_jis.eml",  # no references: the reply+TOKEN address names Suzuki's
        "auto_reply_outlook_ja.eml",  # out of office: not a response
        "other_newsletter.eml",  # nobody's: left for a person
    )

    summary = ingest(engine, settings, RUN_AT, env={}, maildir=folder)
    assert summary.as_json() == {
        "read": 4, "replies": 2, "bounces": 0, "unsubscribes": 0, "unmatched": 1, "auto_replies": 1,
    }  # fmt: skip
    assert events(engine, taro) == [("replied", TARO_ID)]
    assert events(engine, suzuki) == [("replied", SUZUKI_ID)]
    assert cadence_state(engine, taro) == ("responded", "replied")
    assert cadence_state(engine, suzuki) == ("responded", "replied")

    # Done mail has left new/; the newsletter is still unread there.
    assert len(list((folder / "new").iterdir())) == 1
    again = ingest(engine, settings, RUN_AT, env={}, maildir=folder)
    assert (again.read, again.replies, again.unmatched) == (1, 0, 1)
    assert events(engine, taro) == [("replied", TARO_ID)]


def test_a_delivery_status_notification_marks_the_address_bounced(
    engine: Engine, settings: Settings, mail_data: Path, tmp_path: Path
) -> None:
    hanako = customer_with_sent_mail(engine, settings, "C3", "hanako@example.ne.jp", TARO_ID)
    folder = maildir_with(
        tmp_path / "Maildir",
        mail_data,
        "postfix_bounce_user_unknown.eml",
        "postfix_delayed.eml",  # only delayed: not a bounce, nothing recorded
    )
    summary = ingest(engine, settings, RUN_AT, env={}, maildir=folder)
    assert (summary.read, summary.bounces, summary.replies, summary.unmatched) == (2, 1, 0, 1)
    assert events(engine, hanako) == [("bounced", TARO_ID)]
    with engine.connect() as conn:
        entry = conn.execute(select(EmailSuppression.__table__)).one()
    assert (entry.address, entry.status) == ("hanako@example.ne.jp", "bounced")


def test_an_unsubscribe_mail_opts_the_customer_out_of_email(
    engine: Engine, settings: Settings, mail_data: Path, tmp_path: Path
) -> None:
    kenta = customer_with_sent_mail(engine, settings, "C4", "kenta.sato@example.org", SUZUKI_ID)
    folder = maildir_with(tmp_path / "Maildir", mail_data, "unsubscribe_mailto.eml")
    summary = ingest(engine, settings, RUN_AT, env={}, maildir=folder)
    assert (summary.unsubscribes, summary.unmatched) == (1, 0)
    assert events(engine, kenta) == [("unsubscribed", SUZUKI_ID)]
    with engine.connect() as conn:
        opted = conn.execute(
            select(Customer.__table__.c.email_opt_out).where(Customer.__table__.c.id == kenta)
        ).scalar_one()
    assert opted is True


def test_the_configured_maildir_is_read_when_no_folder_is_given(
    engine: Engine, settings: Settings, mail_data: Path, tmp_path: Path
) -> None:
    taro = customer_with_sent_mail(engine, settings, "C1", "taro.yamada@example.com", TARO_ID)
    folder = maildir_with(tmp_path / "Maildir", mail_data, "reply_utf8_alternative.eml")
    configured = dataclasses.replace(
        settings, mailbox=dataclasses.replace(settings.mailbox, maildir=str(folder))
    )
    summary = ingest(engine, configured, RUN_AT, env={})
    assert (summary.read, summary.replies) == (1, 1)
    assert events(engine, taro) == [("replied", TARO_ID)]


def reply_to(received: ReceivedMessage, text: str) -> bytes:
    """The customer's answer to a mail the server received, as their client would write it."""
    original = received.message
    reply = EmailMessage()
    reply["From"] = str(original["To"])
    reply["To"] = str(original["Reply-To"] or original["From"])
    reply["Subject"] = f"Re: {original['Subject']}"
    reply["Date"] = "Wed, 25 Nov 2026 11:05:00 +0900"
    reply["Message-ID"] = "<answer-1@example.jp>"
    reply["In-Reply-To"] = str(original["Message-ID"])
    reply["References"] = str(original["Message-ID"])
    reply.set_content(text)
    return reply.as_bytes()


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    db = f"sqlite:///{tmp_path / 'workbench.db'}"
    config = tmp_path / "workbench.toml"
    return subprocess.run(
        [*COMMAND, "--db", db, "--config", str(config), *args],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip


def demo_with_escalation(tmp_path: Path, server: SmtpTestServer, mailbox_toml: str) -> None:
    (tmp_path / "workbench.toml").write_text(
        f'talkscripts_dir = "{REPO / "talkscripts"}"\n'
        f'[smtp]\nhost = "{server.host}"\nport = {server.port}\n'
        'sender = "info@sample-shoji.example"\nrate_per_minute = 0\n'
        "[escalation]\nenabled = true\n" + mailbox_toml,
        encoding="utf-8",
    )
    seeded = cli(tmp_path, "demo", "--customers", "300", "--today", "2026-11-25")
    assert seeded.returncode == 0, seeded.stderr


def responder_in_queue(tmp_path: Path, server: SmtpTestServer, deliver: Any) -> None:
    """The whole loop through the console command: the first run emails the mid tier, the
    customer answers, the next run reads the answer and the queue raises them."""
    first = cli(tmp_path, "escalation", "run", "--at", "2026-11-25T10:30+09:00", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["sent"] == len(server.messages) > 0
    chosen = server.messages[0]
    message_id = str(chosen.message["Message-ID"])
    engine = make_engine(f"sqlite:///{tmp_path / 'workbench.db'}")
    with engine.connect() as conn:
        external = conn.execute(
            select(Customer.__table__.c.external_id)
            .join(
                OutboxMessage.__table__,
                OutboxMessage.__table__.c.customer_id == Customer.__table__.c.id,
            )
            .where(OutboxMessage.__table__.c.message_id == message_id)
        ).scalar_one()
    engine.dispose()
    deliver(reply_to(chosen, "ご連絡ありがとうございます。一度お話を伺えますか。"))

    second = cli(tmp_path, "escalation", "run", "--at", "2026-11-25T11:30+09:00", "--json")
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert summary["ingest"]["replies"] == 1 and summary["ingest"]["unmatched"] == 0

    shown = cli(tmp_path, "escalation", "show", external, "--json")
    assert shown.returncode == 0, shown.stderr
    cadence = json.loads(shown.stdout)
    assert (cadence["state"], cadence["response"]) == ("responded", "replied")
    assert [e["event"] for e in cadence["emails"]] == ["sent", "replied"]

    queue = cli(tmp_path, "queue", "--at", "2026-11-25T11:30+09:00", "--limit", "500", "--json")
    assert queue.returncode == 0, queue.stderr
    entries = {e["customer_id"]: e for e in map(json.loads, queue.stdout.splitlines())}
    assert external in entries
    escalation = entries[external]["escalation"]
    assert (escalation["state"], escalation["response"]) == ("responded", "replied")
    assert escalation["tier"] == cadence["tier"] and escalation["response_at"]
    assert "response" in entries[external]["components"]


def test_a_reply_in_the_maildir_puts_the_customer_in_the_call_queue(
    tmp_path: Path, smtp_server: SmtpTestServer
) -> None:
    folder = tmp_path / "Maildir"
    box = mailbox.Maildir(folder, create=True)
    demo_with_escalation(tmp_path, smtp_server, f'[mailbox]\nmaildir = "{folder}"\n')
    responder_in_queue(tmp_path, smtp_server, box.add)


def imap_settings(settings: Settings, server: ImapTestServer) -> Settings:
    box = dataclasses.replace(
        settings.mailbox,
        imap_host=server.host,
        imap_port=server.port,
        imap_security="none",
        imap_username=server.user,
        imap_password_env="TEST_IMAP_PASSWORD",
    )
    return dataclasses.replace(settings, mailbox=box)


def test_replies_and_bounces_from_imap_are_read_and_only_matched_mail_is_marked_read(
    engine: Engine, settings: Settings, mail_data: Path, imap_server: ImapTestServer
) -> None:
    taro = customer_with_sent_mail(engine, settings, "C1", "taro.yamada@example.com", TARO_ID)
    hanako = customer_with_sent_mail(
        engine,
        settings,
        "C3",
        "hanako@example.ne.jp",
        "<3f2a9c0d41b7e8a65c19.000000000000@example.co.jp>",
    )
    for name in ("reply_iso2022jp.eml", "other_newsletter.eml", "postfix_bounce_user_unknown.eml"):
        imap_server.deliver((mail_data / name).read_bytes())
    env = {"TEST_IMAP_PASSWORD": imap_server.password}

    summary = ingest(engine, imap_settings(settings, imap_server), RUN_AT, env=env)
    assert (summary.read, summary.replies, summary.bounces, summary.unmatched) == (3, 1, 1, 1)
    assert events(engine, taro) == [("replied", TARO_ID)]
    assert cadence_state(engine, taro) == ("responded", "replied")
    assert [e for e, _ in events(engine, hanako)] == ["bounced"]
    flags = sorted(imap_server.flags().items())
    assert ["\\Seen" in f for _, f in flags] == [True, False, True]

    again = ingest(engine, imap_settings(settings, imap_server), RUN_AT, env=env)
    assert (again.read, again.unmatched, again.replies) == (1, 1, 0)


def test_a_reply_over_imap_puts_the_customer_in_the_call_queue(
    tmp_path: Path,
    smtp_server: SmtpTestServer,
    imap_server: ImapTestServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo_with_escalation(
        tmp_path,
        smtp_server,
        f'[mailbox]\nimap_host = "{imap_server.host}"\nimap_port = {imap_server.port}\n'
        f'imap_security = "none"\nimap_username = "{imap_server.user}"\n'
        'imap_password_env = "TEST_IMAP_PASSWORD"\n',
    )
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_server.password)  # the command's environment
    responder_in_queue(tmp_path, smtp_server, imap_server.deliver)
