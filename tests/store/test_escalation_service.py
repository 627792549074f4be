"""The escalation service on both backends: tiers, the clock, email events, call outcomes.

A small base is imported from CSV and scored once; each customer's stored value and
P(alive) are then set so the tiers are known (high: 50,000 yen expected, mid: 10,000,
low: 1,000).  Tuesday 2026-11-24 10:00 JST is the start; the clock is moved by `--at`.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, update

from workbench.config import Settings
from workbench.services.customers import show_customer
from workbench.services.dispose import Disposition, dispose
from workbench.services.escalation import (
    advance_cadences,
    cadence_view,
    list_cadences,
    record_email_event,
)
from workbench.services.freshness import rescore_now
from workbench.services.importer import import_file
from workbench.store.models import (
    Customer,
    EmailSuppression,
    EscalationCadence,
    OutboxMessage,
    QueueScore,
)

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 24, 10, 0, tzinfo=JST)
DAY = timedelta(days=1)

# external id, email, email_opt_out, (value, p_alive)
HIGH, MID, LOW = (100000.0, 0.5), (20000.0, 0.5), (2000.0, 0.5)
BASE = [
    ("H1", "h1@example.jp", "0", HIGH),
    ("M1", "m1@example.jp", "0", MID),
    ("M2", "", "0", MID),  # no address
    ("L1", "l1@example.jp", "0", LOW),
    ("L2", "l2@example.jp", "1", LOW),  # opted out of email
]

TEMPLATE = """---
id: {id}
title: test {purpose}
reasons: unknown
kind: any
language: ja
purpose: {purpose}
subject: {{{{ company_name }}}}より {purpose}
---

## text
{{{{ addressee }}}}
{purpose} のご案内です。
{{{{ company_name }}}} {{{{ sender_address }}}}
配信停止: {{{{ unsubscribe_mailto }}}}
"""


def write_templates(root: Path) -> None:
    folder = root / "email" / "ja"
    folder.mkdir(parents=True)
    for purpose in ("first", "reminder", "followup"):
        (folder / f"t_{purpose}.md").write_text(
            TEMPLATE.format(id=f"t_{purpose}", purpose=purpose), encoding="utf-8"
        )


def escalation_settings(settings: Settings, root: Path, **changes: object) -> Settings:
    return dataclasses.replace(
        settings,
        talkscripts_dir=str(root),
        escalation=dataclasses.replace(settings.escalation, enabled=True, **changes),
    )


def load_base(engine: Engine, settings: Settings, folder: Path, rows=BASE) -> None:  # type: ignore[no-untyped-def]
    customers = folder / "customers.csv"
    customers.write_text(
        "customer_id,name,kind,phone,email,email_opt_out\n"
        + "".join(
            f"{cid},顧客 {cid},b2c,090-2000-{i:04d},{email},{opt}\n"
            for i, (cid, email, opt, _) in enumerate(rows)
        ),
        encoding="utf-8",
    )
    transactions = folder / "transactions.csv"
    transactions.write_text(
        "customer_id,ordered_at,amount,category\n"
        + "".join(
            f"{cid},2025-12-01T12:00+09:00,30000,food\n{cid},2026-03-01T12:00+09:00,30000,food\n"
            for cid, *_ in rows
        ),
        encoding="utf-8",
    )
    for kind, path in (("customers", customers), ("transactions", transactions)):
        assert import_file(engine, kind, path, settings, now=START - DAY).rejected == 0  # type: ignore[arg-type]
    rescore_now(engine, settings, START - timedelta(hours=1))
    with engine.begin() as conn:
        for cid, _, _, (value, p_alive) in rows:
            internal = select(Customer.id).where(Customer.external_id == cid).scalar_subquery()
            conn.execute(
                update(QueueScore)
                .where(QueueScore.customer_id == internal)
                .values(value=value, p_alive=p_alive, state="dormant")
            )


@pytest.fixture
def esc(engine: Engine, settings: Settings, tmp_path: Path) -> tuple[Engine, Settings]:
    root = tmp_path / "scripts"
    write_templates(root)
    load_base(engine, settings, tmp_path)
    return engine, escalation_settings(settings, root)


def cadence(engine: Engine, external_id: str) -> EscalationCadence:
    view = cadence_view(engine, external_id)
    assert view is not None
    return view  # type: ignore[return-value]


def outbox(engine: Engine, external_id: str | None = None) -> list[tuple[str, int, str]]:
    with engine.connect() as conn:
        stmt = select(Customer.external_id, OutboxMessage.step, OutboxMessage.subject).join(
            Customer, Customer.id == OutboxMessage.customer_id
        )
        if external_id is not None:
            stmt = stmt.where(Customer.external_id == external_id)
        return [tuple(r) for r in conn.execute(stmt.order_by(OutboxMessage.id))]  # type: ignore[misc]


def internal_id(engine: Engine, external_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(Customer.id).where(Customer.external_id == external_id)
        ).scalar_one()


def event(engine: Engine, settings: Settings, cid: str, kind: str, at: datetime,
          message_id: str | None = None) -> None:  # fmt: skip
    with engine.begin() as conn:
        record_email_event(conn, customer_id=internal_id(engine, cid), event=kind, at=at,
                           message_id=message_id, source="test", settings=settings)  # fmt: skip


def message_of(engine: Engine, external_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            select(OutboxMessage.message_id)
            .join(Customer, Customer.id == OutboxMessage.customer_id)
            .where(Customer.external_id == external_id)
            .order_by(OutboxMessage.id.desc())
        ).first()[0]  # type: ignore[index]


def test_tiers_and_the_first_emails(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    summary = advance_cadences(engine, settings, START)
    assert summary.started == 5 and summary.queued == 2
    assert summary.skipped == {"no_address": 1, "opted_out": 1}
    states = {r.customer_id: (r.tier, r.state, r.step) for r in list_cadences(engine)}
    assert states == {
        "H1": ("high", "waiting", 0),  # straight to the call queue, no email
        "M1": ("mid", "emailed", 1),
        "M2": ("mid", "waiting", 0),  # no address: the call that follows the emails comes now
        "L1": ("low", "emailed", 1),
        "L2": ("low", "ended", 0),
    }
    assert cadence(engine, "L2").ended_reason == "opted_out"
    assert [(c, s) for c, s, _ in outbox(engine)] == [("M1", 1), ("L1", 1)]
    assert all(subject.endswith("より first") for _, _, subject in outbox(engine))
    with engine.connect() as conn:
        row = conn.execute(select(OutboxMessage).where(OutboxMessage.step == 1)).first()
    assert row is not None and row.status == "queued" and row.message_id.startswith("<")
    assert "様" in row.body_text and "first のご案内です。" in row.body_text
    # Run again at the same instant: nothing is due, nothing is written twice.
    again = advance_cadences(engine, settings, START)
    assert (again.started, again.queued, again.ended) == (0, 0, 0)
    assert len(outbox(engine)) == 2


def test_mid_waits_then_reminds_then_calls(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    advance_cadences(engine, settings, START)
    assert cadence(engine, "M1").next_at == START + 3 * DAY
    advance_cadences(engine, settings, START + 2 * DAY)
    assert [s for _, s, _ in outbox(engine, "M1")] == [1]
    advance_cadences(engine, settings, START + 3 * DAY)
    assert [(s, subj.endswith("reminder")) for _, s, subj in outbox(engine, "M1")] == [
        (1, False), (2, True)
    ]  # fmt: skip
    advance_cadences(engine, settings, START + 6 * DAY)
    view = cadence(engine, "M1")
    assert (view.state, view.step, view.next_at) == ("waiting", 2, None)
    assert [e.kind for e in view.events] == ["tiered", "emailed", "reminded", "call_queued"]


def test_mid_after_reminder_none_ends(esc: tuple[Engine, Settings], tmp_path: Path) -> None:
    engine, settings = esc
    settings = dataclasses.replace(
        settings, escalation=dataclasses.replace(settings.escalation, mid_after_reminder="none")
    )
    for days in (0, 3, 6):
        advance_cadences(engine, settings, START + days * DAY)
    assert cadence(engine, "M1").state == "ended"
    assert cadence(engine, "M1").ended_reason == "no_response"
    assert cadence(engine, "M2").state == "ended"  # no address and no call to follow


def test_low_steps_at_0_14_45_days(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    for days in (0, 7, 14, 30, 45):
        advance_cadences(engine, settings, START + days * DAY)
    assert [s for _, s, _ in outbox(engine, "L1")] == [1, 2, 3]
    assert cadence(engine, "L1").state == "emailed"
    summary = advance_cadences(engine, settings, START + 48 * DAY)
    assert cadence(engine, "L1").state == "ended" and summary.ended >= 1


def test_a_response_raises_and_a_stronger_one_counts(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    advance_cadences(engine, settings, START)
    mid = message_of(engine, "M1")
    event(engine, settings, "M1", "sent", START + timedelta(minutes=5), mid)
    assert cadence(engine, "M1").next_at == START + timedelta(minutes=5) + 3 * DAY
    event(engine, settings, "M1", "opened", START + DAY, mid)
    event(engine, settings, "M1", "replied", START + 2 * DAY, mid)
    event(engine, settings, "M1", "clicked", START + 2 * DAY + timedelta(hours=1), mid)
    view = cadence(engine, "M1")
    assert (view.state, view.response, view.response_at) == (
        "responded",
        "replied",
        START + 2 * DAY,
    )
    assert [e.event for e in view.emails] == ["sent", "opened", "replied", "clicked"]
    # Every email event is a contact in the customer's history (`customers show`).
    shown = show_customer(engine, settings, "M1", START + 3 * DAY).contacts
    assert [(c["channel"], c["outcome"], c["message_id"]) for c in shown] == [
        ("email", kind, mid) for kind in ("sent", "opened", "replied", "clicked")
    ]
    # No reminder goes to a responder.
    advance_cadences(engine, settings, START + 10 * DAY)
    assert [s for _, s, _ in outbox(engine, "M1")] == [1]
    assert advance_cadences(engine, settings, START + 10 * DAY).responders == 1


def test_a_refusal_ends_the_cadence(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    advance_cadences(engine, settings, START)
    dispose(engine, settings, Disposition(customer_id="H1", outcome="not_interested",
                                          at=START + timedelta(hours=1), operator="op01"))  # fmt: skip
    view = cadence(engine, "H1")
    assert (view.state, view.ended_reason) == ("ended", "not_interested")


def test_do_not_call_keeps_email_going(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    advance_cadences(engine, settings, START)
    at = START + timedelta(hours=1)
    dispose(engine, settings, Disposition(customer_id="H1", outcome="do_not_call", at=at,
                                          operator="op01"))  # fmt: skip
    view = cadence(engine, "H1")
    assert (view.tier, view.state) == ("low", "emailed")
    assert advance_cadences(engine, settings, at).queued == 1
    assert [s for _, s, _ in outbox(engine, "H1")] == [1]


def test_an_unsubscribe_stops_email_only(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    advance_cadences(engine, settings, START)
    event(engine, settings, "M1", "clicked", START + DAY, message_of(engine, "M1"))
    event(engine, settings, "M1", "unsubscribed", START + DAY + timedelta(hours=1))
    event(engine, settings, "H1", "unsubscribed", START + DAY)
    assert cadence(engine, "M1").state == "responded"  # still to be called
    assert cadence(engine, "H1").state == "waiting"
    event(engine, settings, "L1", "unsubscribed", START + DAY)
    assert cadence(engine, "L1").state == "ended"
    with engine.connect() as conn:
        opted = set(
            conn.execute(select(Customer.external_id).where(Customer.email_opt_out)).scalars()
        )
    assert opted == {"M1", "H1", "L1", "L2"}


def test_a_bounce_suppresses_the_address(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    advance_cadences(engine, settings, START)
    event(
        engine, settings, "L1", "bounced", START + timedelta(minutes=10), message_of(engine, "L1")
    )
    with engine.connect() as conn:
        rows = conn.execute(select(EmailSuppression.address, EmailSuppression.status)).all()
    assert [tuple(r) for r in rows] == [("l1@example.jp", "bounced")]
    view = cadence(engine, "L1")
    assert (view.state, view.ended_reason) == ("ended", "bounced")
    # Mid: the bounced address ends the emails; the call that was to follow comes now.
    event(
        engine, settings, "M1", "bounced", START + timedelta(minutes=10), message_of(engine, "M1")
    )
    assert cadence(engine, "M1").state == "waiting"


def test_imported_email_events_move_cadences(esc: tuple[Engine, Settings], tmp_path: Path) -> None:
    engine, settings = esc
    advance_cadences(engine, settings, START)
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "customer_id,at,channel,direction,outcome\n"
        "M1,2026-11-25T09:00+09:00,email,outbound,replied\n"
        "L1,2026-11-25T09:00+09:00,email,outbound,bounced\n",
        encoding="utf-8",
    )
    assert import_file(engine, "contacts", contacts, settings, now=START + DAY).rejected == 0  # type: ignore[arg-type]
    summary = advance_cadences(engine, settings, START + DAY)
    assert cadence(engine, "M1").state == "responded" and summary.responders == 1
    assert cadence(engine, "L1").ended_reason == "bounced"
    with engine.connect() as conn:
        assert conn.execute(select(EmailSuppression.address)).scalars().all() == ["l1@example.jp"]
    # Applied once: a second run does not move them again.
    assert advance_cadences(engine, settings, START + DAY).ended == 0


def test_two_runs_at_once_write_each_email_once(esc: tuple[Engine, Settings]) -> None:
    engine, settings = esc
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            advance_cadences(engine, settings, START)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted((c, s) for c, s, _ in outbox(engine)) == [("L1", 1), ("M1", 1)]
    assert len(list_cadences(engine)) == 5


def test_nothing_happens_when_the_escalation_is_off(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    load_base(engine, settings, tmp_path)
    assert advance_cadences(engine, settings, START).started == 0
    assert list_cadences(engine) == []


def test_list_rejects_an_unknown_state(esc: tuple[Engine, Settings]) -> None:
    engine, _ = esc
    with pytest.raises(ValueError, match="unknown state"):
        list_cadences(engine, state="sleeping")
    assert cadence_view(engine, "NOPE") is None
