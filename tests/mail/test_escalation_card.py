"""The operator's card shows a responder's email and what they wrote back, on every backend.

Taro was sent 「ご無沙汰しております」; his ISO-2022-JP reply (tests/data/mail) asks for a
call on a weekday afternoon.  Ingesting it keeps his first lines as the reply's note, and
the card's email section reads the email, the reply's time and those lines.
"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select, update

from workbench.config import Settings
from workbench.domain.escalation import start
from workbench.services.escalation import cadence_rules
from workbench.services.escalation_card import email_on_card
from workbench.services.mail_ingest import EXCERPT_CHARS, ingest, reply_excerpt
from workbench.store import escalation_queries as eq
from workbench.store import outbox_queries as q
from workbench.store.models import ContactAttempt, Customer, OutboxMessage

SENT_AT = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
RUN_AT = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
TARO_ID = "<3f2a9c0d41b7e8a65c19.8d04e1aa27c3@example.co.jp>"


def _taro(engine: Engine, settings: Settings) -> int:
    with engine.begin() as conn:
        cid = int(
            conn.execute(
                Customer.__table__.insert()
                .values(
                    external_id="C1", name="山田 太郎", kind="b2c", email="taro.yamada@example.com"
                )
                .returning(Customer.__table__.c.id)
            ).scalar_one()
        )
        eq.insert_cadences(
            conn, [(cid, start("mid", SENT_AT, cadence_rules(settings.escalation)))], SENT_AT
        )
        q.insert_message(
            conn,
            {
                "customer_id": cid, "dedupe_key": "card:1", "message_id": TARO_ID,
                "to_address": "taro.yamada@example.com", "template_id": "general_greeting",
                "step": 1, "subject": "ご無沙汰しております", "body_text": "本文\n",
                "next_try_at": SENT_AT, "queued_at": SENT_AT,
            },
        )  # fmt: skip
        outbox = OutboxMessage.__table__
        conn.execute(
            update(outbox)
            .where(outbox.c.message_id == TARO_ID)
            .values(status="sent", sent_at=SENT_AT)
        )
    return cid


def test_the_card_shows_the_email_and_the_reply(
    engine: Engine, settings: Settings, mail_data: Path, tmp_path: Path
) -> None:
    cid = _taro(engine, settings)
    before = email_on_card(engine, cid)
    assert before is not None and before.subject == "ご無沙汰しております"
    assert (before.response, before.said) == (None, None)

    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add((mail_data / "reply_iso2022jp.eml").read_bytes())
    assert ingest(engine, settings, RUN_AT, env={}, maildir=tmp_path / "Maildir").replies == 1

    card = email_on_card(engine, cid)
    assert card is not None
    assert (card.subject, card.sent_at, card.response) == (
        "ご無沙汰しております",
        SENT_AT,
        "replied",
    )
    assert card.said is not None
    assert card.said.startswith("佐藤様 ご連絡ありがとうございます。山田です。")
    assert "平日の午後なら大丈夫です" in card.said and ">" not in card.said  # the quote is left out
    contacts = ContactAttempt.__table__
    with engine.connect() as conn:
        note = conn.execute(
            select(contacts.c.note).where(
                contacts.c.customer_id == cid, contacts.c.outcome == "replied"
            )
        ).scalar_one()
    assert note == card.said


def test_a_customer_never_emailed_has_no_email_section(engine: Engine) -> None:
    with engine.begin() as conn:
        cid = int(
            conn.execute(
                Customer.__table__.insert()
                .values(external_id="C9", name="顧客", kind="b2c")
                .returning(Customer.__table__.c.id)
            ).scalar_one()
        )
    assert email_on_card(engine, cid) is None


def test_a_long_reply_is_cut_to_the_excerpt_length() -> None:
    said = reply_excerpt("あ" * 500 + "\n> 引用\n")
    assert len(said) == EXCERPT_CHARS and said.endswith("…")
    assert reply_excerpt("短い返信です。\n\n> 元のメール") == "短い返信です。"
