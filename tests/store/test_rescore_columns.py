"""The scoring run works on columns; every stored row must still be what the rules give each customer alone.

A small demo base is scored, then each customer's row is checked against the one-customer
paths: `summarise_one` for the state, the scalar `base_score`, `segment_key`, the MBG/NBD
closed form on the customer's own purchase days, the deadline trigger, the reason they told
us (or the first guessing rule that fires) and their permanent block.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, and_, select

from workbench.config import Settings
from workbench.domain import bgnbd, scoring
from workbench.domain.codes import REFUSAL_OUTCOMES
from workbench.domain.reasons import RULE_REASON, guessing_rule
from workbench.domain.season import deadline_trigger
from workbench.domain.winback import segment_key
from workbench.services.customers import summarise_one
from workbench.services.demo import load_demo
from workbench.services.model_state import load_state
from workbench.services.scoring import rescore
from workbench.store.models import ContactAttempt, Customer, DoNotCall, QueueScore

AT = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)
WEEK = 7 * 86400.0
attempts, customers, dnc, scores = (
    ContactAttempt.__table__,
    Customer.__table__,
    DoNotCall.__table__,
    QueueScore.__table__,
)


@pytest.fixture
def scored(engine: Engine, settings: Settings) -> Engine:
    load_demo(
        engine, settings, customers=150, seed=11, today=date(2026, 11, 1), announce=lambda _m: None
    )
    rescore(engine, settings, AT)
    return engine


def _facts(conn, cid: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """One customer's signals, read row by row."""
    known = and_(attempts.c.customer_id == cid, attempts.c.at <= AT)
    heard = conn.execute(
        select(attempts.c.reason)
        .where(known, attempts.c.reason.is_not(None))
        .order_by(attempts.c.at.desc(), attempts.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    outcomes = set(conn.execute(select(attempts.c.outcome).where(known)).scalars())
    rep, opted_out = conn.execute(
        select(customers.c.previous_rep, customers.c.call_opt_out).where(customers.c.id == cid)
    ).one()
    listed = (
        conn.execute(
            select(dnc.c.id).where(
                dnc.c.customer_id == cid, dnc.c.e164.is_(None), dnc.c.created_at <= AT
            )
        ).first()
        is not None
    )
    block = (
        "do_not_call"
        if listed
        else "opted_out"
        if opted_out
        else "refused"
        if outcomes & set(REFUSAL_OUTCOMES)
        else None
    )
    return {"heard": heard, "complaint": "complaint" in outcomes, "rep": rep, "block": block}


def test_every_stored_row_is_what_the_rules_give_the_customer_alone(
    scored: Engine, settings: Settings
) -> None:
    with scored.connect() as conn:
        rows = [
            r._asdict()
            for r in conn.execute(
                select(scores, customers.c.external_id).join(
                    customers, customers.c.id == scores.c.customer_id
                )
            )
        ]
        alive = load_state(conn, "alive_model")
        assert (
            alive is not None and len(rows) == len(conn.execute(select(customers.c.id)).all()) > 100
        )
        params = bgnbd.MbgNbdParams(
            alive["r"], alive["alpha"], alive["a"], alive["b"], alive["loglik"]
        )
        seen = {"heard": 0, "guessed": 0, "blocked": 0, "deadline": 0}
        for row in rows:
            one = summarise_one(conn, settings, row["external_id"], AT)
            facts = _facts(conn, row["customer_id"])
            assert (row["state"], row["segment"]) == (one.state, one.kind)
            assert row["base_score"] == pytest.approx(
                scoring.base_score(
                    row["value"], row["p_alive"], row["p_come_back"], row["season"], row["deadline"]
                ),
                rel=1e-12,
            )
            assert row["value"] == pytest.approx(
                row["expected_orders"] * row["expected_spend"], rel=1e-12
            )
            assert row["winback_key"] == segment_key(one.kind, one.state, (one.days_since_last_order or 0) / 30.44,
                                                     row["reason"], row["reason_source"])  # fmt: skip
            if one.last_order_at is not None and one.first_order_at is not None:
                x = (one.n_days or 1) - 1
                t_x = (
                    max((one.last_order_at - one.first_order_at).total_seconds(), 0.0) / WEEK
                    if x
                    else 0.0
                )
                age = max((AT - one.first_order_at).total_seconds() / WEEK, t_x)
                assert row["p_alive"] == pytest.approx(
                    float(bgnbd.p_alive(params, x, t_x, age)), rel=1e-12
                )
                deadline = deadline_trigger(one.last_order_at.date(), AT.date(), 12, 11)
                assert row["deadline"] == deadline
                seen["deadline"] += deadline
            if facts["heard"]:
                assert (row["reason"], row["reason_source"], row["reason_confidence"]) == (
                    facts["heard"],
                    "heard",
                    1.0,
                )
                seen["heard"] += 1
            else:
                rule = guessing_rule(bool(facts["complaint"]), one.kind, facts["rep"], one.n_orders)
                assert (row["reason"], row["reason_source"]) == (RULE_REASON[rule], "guessed")
                seen["guessed"] += 1
            assert row["permanent_block"] == facts["block"]
            seen["blocked"] += facts["block"] is not None
    # The demo base exercises every branch checked above.
    assert min(seen.values()) > 0, seen
