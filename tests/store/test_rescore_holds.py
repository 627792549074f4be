"""The scoring run's holds: every customer called lately is held exactly as the calling rules
hold them alone, and nobody else is held."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert, select

from workbench.config import Settings
from workbench.services.calling import RULE_LOOKBACK, blocked_until, calling_policy, load_contacts
from workbench.services.demo import load_demo
from workbench.services.scoring import rescore
from workbench.store.models import ContactAttempt, Customer, QueueScore

AT = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)  # Wednesday 11:00 in Tokyo
attempts, customers, scores = ContactAttempt.__table__, Customer.__table__, QueueScore.__table__


def _call(cid: int, ago: timedelta, outcome: str) -> dict[str, object]:
    return {"customer_id": cid, "channel": "call", "direction": "outbound", "at": AT - ago,
            "outcome": outcome, "operator": "test", "source": "batch"}  # fmt: skip


def test_holds_are_the_rules_for_everyone_called_lately_and_nobody_else(
    engine: Engine, settings: Settings
) -> None:
    load_demo(
        engine, settings, customers=150, seed=11, today=date(2026, 11, 1), announce=lambda _m: None
    )
    with engine.begin() as conn:
        ids = sorted(conn.execute(select(customers.c.id)).scalars())
        rows = []
        for k, cid in enumerate(ids[:60]):
            # a retry gap still running, one just over, a daily cap reached, a call too old to count
            match k % 4:
                case 0:
                    rows.append(_call(cid, timedelta(minutes=20), "busy"))
                case 1:
                    rows.append(_call(cid, timedelta(hours=5), "no_answer"))
                case 2:
                    rows += [_call(cid, timedelta(hours=h), "no_answer") for h in (5, 6, 7)]
                case _:
                    rows.append(_call(cid, RULE_LOOKBACK + timedelta(days=3), "no_answer"))
        conn.execute(insert(attempts), rows)
    rescore(engine, settings, AT)

    with engine.connect() as conn:
        stored = dict(conn.execute(select(scores.c.customer_id, scores.c.blocked_until)).all())
        lately = set(
            conn.execute(
                select(attempts.c.customer_id).where(
                    attempts.c.channel == "call",
                    attempts.c.at > AT - RULE_LOOKBACK,
                    attempts.c.at <= AT,
                )
            ).scalars()
        )
        contacts = load_contacts(conn, sorted(lately), AT, settings)
    policy = calling_policy(settings)
    assert set(stored) == set(ids) and len(lately) >= 45
    held = 0
    for cid in ids:
        expected = blocked_until(contacts[cid], AT, policy) if cid in lately else None
        got = stored[cid]
        assert (got and got.astimezone(UTC)) == expected, cid
        held += got is not None
    assert 15 <= held < len(lately)  # the gaps and caps hold some, the others are free
