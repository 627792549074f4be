"""How often customers the base model holds not alive come back from a call (ρ) is learned from
the calls: each call keeps the customer's P(alive) at the time, the next scoring run fits ρ, and
the scores weigh P(alive) by it.

Base: 80 B2C customers lapsed 7–11 months (one months-lapsed band), with 2–7 orders at
different paces, so their P(alive) spreads from near 0 to near 1.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from workbench.config import Settings
from workbench.services.dispose import Disposition, dispose
from workbench.services.importer import import_file
from workbench.services.queue import read_queue
from workbench.services.scoring import rescore
from workbench.services.winback_stats import load_winback_model
from workbench.store.models import ContactAttempt, Customer, QueueScore

JST = ZoneInfo("Asia/Tokyo")
SCORED_AT = datetime(2026, 11, 24, 7, tzinfo=JST)
CALLS_AT = datetime(2026, 11, 24, 10, tzinfo=JST)


def _write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def base(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    people = [["customer_id", "name", "kind", "phone"]]
    orders = [["customer_id", "ordered_at", "amount", "category"]]
    for n in range(80):
        cid = f"C{n:02d}"
        people.append([cid, f"顧客 {cid}", "b2c", f"090-3000-{n:04d}"])
        last = SCORED_AT - timedelta(days=215 + (n * 7) % 110)
        gap = (
            10 + (n * 7) % 30 if n % 2 else 120 + (n * 11) % 200
        )  # frequent buyers who stopped look dead
        for k in range(2 + n % 6):
            day = last - timedelta(days=gap * k)
            orders.append([cid, day.isoformat(), str(8_000 + 150 * n), "food"])
    for kind, rows in (("customers", people), ("transactions", orders)):
        summary = import_file(
            engine, kind, _write(tmp_path / f"{kind}.csv", rows), settings, now=SCORED_AT
        )  # type: ignore[arg-type]
        assert summary.rejected == 0
    rescore(engine, settings, SCORED_AT)
    return engine


def _alive(engine: Engine) -> dict[str, float]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                select(Customer.external_id, QueueScore.p_alive).join(
                    QueueScore, QueueScore.customer_id == Customer.id
                )
            ).all()
        )


def _call_everyone(engine: Engine, settings: Settings, winners: set[str]) -> None:
    for i, cid in enumerate(sorted(_alive(engine))):
        outcome = "reactivated" if cid in winners else "not_interested"
        at = CALLS_AT + timedelta(minutes=2 * i)
        dispose(engine, settings, Disposition(customer_id=cid, outcome=outcome, at=at,
                                              operator="op01", amount=5_000 if cid in winners else None))  # fmt: skip


def test_calls_keep_p_alive_and_dead_customers_coming_back_teach_rho(
    base: Engine, settings: Settings
) -> None:
    alive = _alive(base)
    spread = sorted(alive.values())
    assert spread[10] < 0.2 and spread[-10] > 0.5, spread  # the base spreads P(alive)
    # The 30 customers the model holds least alive are the ones who come back.
    winners = set(sorted(alive, key=alive.__getitem__)[:30])
    _call_everyone(base, settings, winners)
    with base.connect() as conn:
        stamped = dict(conn.execute(
            select(Customer.external_id, ContactAttempt.p_alive).join(Customer, Customer.id == ContactAttempt.customer_id)
            .where(ContactAttempt.channel == "call")
        ).all())  # fmt: skip
    assert stamped == pytest.approx(alive)

    later = CALLS_AT + timedelta(hours=5)
    rescore(base, settings, later)
    with base.connect() as conn:
        loaded = load_winback_model(conn)
        rows = conn.execute(select(QueueScore)).all()
        entries = read_queue(conn, settings, later, "op02", 80)
    assert loaded is not None
    rho = loaded[0].dead_ratio
    assert rho > 0.5
    for row in rows:
        assert row.alive_weight == pytest.approx(rho + (1 - rho) * row.p_alive)
        assert row.base_score == pytest.approx(
            row.value * row.alive_weight * row.p_come_back * (1 + max(row.season, 0.0))
            * (1.5 if row.deadline else 1.0)
        )  # fmt: skip
    for entry in entries:
        parts = json.loads(json.dumps(entry.parts.as_json()))
        assert parts["alive_weight"] == pytest.approx(rho + (1 - rho) * parts["p_alive"], abs=1e-5)


def test_rho_stays_zero_while_only_customers_held_alive_come_back(
    base: Engine, settings: Settings
) -> None:
    alive = _alive(base)
    winners = set(sorted(alive, key=alive.__getitem__)[-30:])
    _call_everyone(base, settings, winners)
    rescore(base, settings, CALLS_AT + timedelta(hours=5))
    with base.connect() as conn:
        loaded = load_winback_model(conn)
        weights = conn.execute(select(QueueScore.alive_weight, QueueScore.p_alive)).all()
    assert loaded is not None and loaded[0].dead_ratio == 0.0
    assert all(w == pytest.approx(p) for w, p in weights)
