"""Sending the outbox through a real SMTP server on loopback (aiosmtpd), on every backend.

The outbox rows are written with the store's own `insert_message`, as the cadences write
them; what the server received is read back as MIME.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from servers import SmtpTestServer
from sqlalchemy import Engine, insert, select, update

from workbench.config import ConfigError, Settings
from workbench.mail.mime import new_message_id
from workbench.services.outbox import lease_length, send_due
from workbench.store import outbox_queries as q
from workbench.store.models import ContactAttempt, Customer, EmailSuppression, OutboxMessage

AT = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 10:30 in Tokyo
SUBJECT = "【サンプル商事】ご無沙汰しております、山田です"


def mail_settings(settings: Settings, server: SmtpTestServer, rate: int = 0) -> Settings:
    smtp = dataclasses.replace(
        settings.smtp,
        host=server.host,
        port=server.port,
        sender="info@sample-shoji.example",
        rate_per_minute=rate,
        timeout_seconds=5.0,
    )
    escalation = dataclasses.replace(
        settings.escalation, unsubscribe_url="https://sample-shoji.example/unsub/{token}"
    )
    return dataclasses.replace(settings, smtp=smtp, escalation=escalation)


def add_customer(
    engine: Engine,
    n: int,
    email: str | None = "default",
    **fields: Any,
) -> int:
    address = f"customer{n}@example.jp" if email == "default" else email
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(Customer.__table__)
                .values(
                    external_id=f"C{n:04d}",
                    name=f"顧客{n}",
                    kind="b2c",
                    email=address,
                    **fields,
                )
                .returning(Customer.__table__.c.id)
            ).scalar_one()
        )


def queue_message(
    engine: Engine, customer_id: int, to: str, *, step: int = 0, at: datetime = AT
) -> str:
    message_id = new_message_id("sample-shoji.example")
    with engine.begin() as conn:
        q.insert_message(
            conn,
            {
                "customer_id": customer_id,
                "dedupe_key": f"{customer_id}:{step}",
                "message_id": message_id,
                "to_address": to,
                "template_id": "price_ja",
                "step": step,
                "subject": SUBJECT,
                "body_text": "山田様\n\nいつもありがとうございます。\n配信停止はこちら。\n",
                "body_html": "<p>山田様</p><p>いつもありがとうございます。</p>",
                "next_try_at": at,
                "queued_at": at,
            },
        )
    return message_id


def outbox_rows(engine: Engine) -> dict[str, Any]:
    table = OutboxMessage.__table__
    with engine.connect() as conn:
        return {row.message_id: row for row in conn.execute(select(table))}


def received_ids(server: SmtpTestServer) -> Counter[str]:
    return Counter(str(m.message["Message-ID"]) for m in server.messages)


def many(engine: Engine, count: int) -> list[str]:
    ids = []
    for n in range(count):
        cid = add_customer(engine, n)
        ids.append(queue_message(engine, cid, f"customer{n}@example.jp"))
    return ids


def test_a_batch_goes_out_with_japanese_mime_and_its_recorded_message_id(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    ids = many(engine, 3)
    summary = send_due(engine, mail_settings(settings, smtp_server), AT, env={})

    assert (summary.sent, summary.retried, summary.failed, summary.skipped) == (3, 0, 0, {})
    assert received_ids(smtp_server) == Counter(ids)
    by_id = {str(m.message["Message-ID"]): m for m in smtp_server.messages}
    first = by_id[ids[0]]
    assert first.rcpt_tos == ("customer0@example.jp",)
    assert first.message["Subject"] == SUBJECT
    assert b"=?utf-8?" in first.raw.lower()  # the Japanese subject travelled encoded
    token = ids[0].strip("<>").split(".")[0]
    unsubscribe = str(first.message["List-Unsubscribe"])
    assert "<mailto:info@sample-shoji.example?subject=unsubscribe%20" + token + ">" in unsubscribe
    assert f"<https://sample-shoji.example/unsub/{token}>" in unsubscribe
    assert first.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(first.message["Reply-To"]) == f"reply+{token}@sample-shoji.example"
    assert "サンプル商事" in str(first.message["From"])
    assert first.message.get_body(("plain",)).get_content().startswith("山田様")  # type: ignore[union-attr]
    assert "<p>山田様</p>" in first.message.get_body(("html",)).get_content()  # type: ignore[union-attr]

    rows = outbox_rows(engine)
    assert {r.status for r in rows.values()} == {"sent"}
    assert all(r.sent_at is not None and r.sent_at >= AT for r in rows.values())
    with engine.connect() as conn:
        events = conn.execute(
            select(ContactAttempt.__table__.c.message_id, ContactAttempt.__table__.c.outcome).where(
                ContactAttempt.__table__.c.channel == "email"
            )
        ).all()
    assert sorted(events) == sorted((i, "sent") for i in ids)

    again = send_due(engine, mail_settings(settings, smtp_server), AT + timedelta(hours=1), env={})
    assert again.sent == 0 and len(smtp_server.messages) == 3


def test_a_temporary_refusal_is_retried_later_and_delivered_once(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    [mid] = many(engine, 1)
    configured = mail_settings(settings, smtp_server)
    smtp_server.reply_with("451 4.3.0 try again later", 1)

    first = send_due(engine, configured, AT, env={})
    assert (first.sent, first.retried) == (0, 1)
    row = outbox_rows(engine)[mid]
    assert row.status == "queued" and row.attempts == 1 and "451" in row.last_error
    assert AT + timedelta(minutes=5) <= row.next_try_at < AT + timedelta(minutes=6)

    assert send_due(engine, configured, AT + timedelta(minutes=1), env={}).sent == 0
    later = send_due(engine, configured, AT + timedelta(minutes=6), env={})
    assert (later.sent, later.retried) == (1, 0)
    assert received_ids(smtp_server) == Counter([mid])
    assert outbox_rows(engine)[mid].attempts == 2


def test_a_permanent_refusal_fails_the_message_and_suppresses_the_address(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    [mid] = many(engine, 1)
    configured = mail_settings(settings, smtp_server)
    smtp_server.reply_with("550 5.1.1 no such user", 1, stage="rcpt")

    summary = send_due(engine, configured, AT, env={})
    assert (summary.sent, summary.failed) == (0, 1)
    assert outbox_rows(engine)[mid].status == "failed"
    with engine.connect() as conn:
        entry = conn.execute(select(EmailSuppression.__table__)).one()
    assert (entry.address, entry.status, entry.source) == (
        "customer0@example.jp",
        "rejected",
        "smtp",
    )
    assert "550" in entry.detail

    assert send_due(engine, configured, AT + timedelta(days=2), env={}).failed == 0
    # The next step's email to the same address is skipped at send time.
    with engine.connect() as conn:
        cid = conn.execute(select(Customer.__table__.c.id)).scalar_one()
    later = queue_message(engine, cid, "customer0@example.jp", step=1, at=AT + timedelta(days=3))
    skipped = send_due(engine, configured, AT + timedelta(days=3), env={})
    assert skipped.skipped == {"rejected": 1}
    assert outbox_rows(engine)[later].status == "skipped"
    assert smtp_server.messages == []


def test_refused_addresses_are_skipped_at_send_time_with_the_reason(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    opted = add_customer(engine, 1, email_opt_out=True)
    refused = add_customer(engine, 2, email_consent=False)
    gone = add_customer(engine, 3)
    bounced = add_customer(engine, 4)
    fine = add_customer(engine, 5)
    for n, cid in enumerate((opted, refused, gone, bounced, fine), start=1):
        queue_message(engine, cid, f"customer{n}@example.jp")
    with engine.begin() as conn:
        conn.execute(
            update(Customer.__table__).where(Customer.__table__.c.id == gone).values(email=None)
        )
        q.suppress(conn, "Customer4@Example.jp", "bounced", "5.1.1", "dsn", AT)

    summary = send_due(engine, mail_settings(settings, smtp_server), AT, env={})
    assert summary.sent == 1
    assert summary.skipped == {"bounced": 1, "no_address": 1, "no_consent": 1, "opted_out": 1}
    assert [m.rcpt_tos for m in smtp_server.messages] == [("customer5@example.jp",)]


def test_two_concurrent_runs_send_nothing_twice(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    ids = many(engine, 24)
    configured = mail_settings(settings, smtp_server)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(owner: str) -> None:
        try:
            results.append(send_due(engine, configured, AT, env={}, owner=owner))
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"run-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert received_ids(smtp_server) == Counter(ids)
    assert sum(r.sent for r in results) == 24


def test_a_dead_runs_lease_is_sent_again_once_it_expires(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    ids = many(engine, 2)
    configured = mail_settings(settings, smtp_server)
    lease = lease_length(configured)
    with engine.begin() as conn:
        claimed = q.claim_due(conn, AT, "dead-run", AT + lease, 10)
    assert sorted(r.message_id for r in claimed) == sorted(ids)

    assert send_due(engine, configured, AT + lease / 2, env={}).sent == 0
    assert smtp_server.messages == []
    summary = send_due(engine, configured, AT + lease + timedelta(seconds=1), env={})
    assert summary.sent == 2
    assert received_ids(smtp_server) == Counter(ids)


def test_the_server_disappearing_mid_batch_leaves_the_rest_for_when_it_is_back(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    ids = many(engine, 6)
    configured = mail_settings(settings, smtp_server, rate=600)  # one send per 0.1 s

    def stop_after_two() -> None:
        # Between two sends: the second one's 250 is committed, the third not yet begun.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = outbox_rows(engine).values()
            if sum(r.status == "sent" for r in rows) >= 2:
                break
            time.sleep(0.005)
        smtp_server.stop()

    stopper = threading.Thread(target=stop_after_two)
    stopper.start()
    first = send_due(engine, configured, AT, env={})
    stopper.join()
    delivered = len(smtp_server.messages)
    assert first.sent == delivered >= 2
    assert first.retried == 1 and first.failed == 0
    rows = outbox_rows(engine)
    assert Counter(r.status for r in rows.values()) == Counter(sent=delivered, queued=6 - delivered)

    smtp_server.start()
    assert send_due(engine, configured, AT + timedelta(minutes=1), env={}).sent == 6 - delivered - 1
    later = send_due(engine, configured, AT + timedelta(minutes=6), env={})
    assert later.sent == 1
    assert received_ids(smtp_server) == Counter(ids)
    assert {r.status for r in outbox_rows(engine).values()} == {"sent"}


def test_settings_no_email_can_be_written_with_are_refused_before_anything_is_claimed(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    [mid] = many(engine, 1)
    configured = mail_settings(settings, smtp_server)
    plain_url = dataclasses.replace(
        configured,
        escalation=dataclasses.replace(
            configured.escalation, unsubscribe_url="http://x.example/{token}"
        ),
    )
    with pytest.raises(ConfigError, match="escalation.unsubscribe_url"):
        send_due(engine, plain_url, AT, env={})
    row = outbox_rows(engine)[mid]
    assert (row.status, row.attempts) == ("queued", 0)


def test_a_message_that_cannot_be_built_fails_alone(
    engine: Engine, settings: Settings, smtp_server: SmtpTestServer
) -> None:
    ids = many(engine, 2)
    with engine.begin() as conn:
        conn.execute(
            update(OutboxMessage.__table__)
            .where(OutboxMessage.__table__.c.message_id == ids[0])
            .values(body_text="  ")
        )
    summary = send_due(engine, mail_settings(settings, smtp_server), AT, env={})
    assert (summary.sent, summary.failed) == (1, 1)
    rows = outbox_rows(engine)
    assert rows[ids[0]].status == "failed" and "text/plain" in rows[ids[0]].last_error
    assert received_ids(smtp_server) == Counter([ids[1]])
