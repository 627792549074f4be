"""The win-back model learns from dispositions: each conversation moves its segment's rate at once,
and the next scoring run refits the hierarchy; values come from the fitted customer-base models.

Base: 60 B2C customers with one order each, on both backends.  Half lapsed about 7 months ago
(segment m6-12), half about 14 months ago (m12-24); amounts differ so that value orders them.
"""

from __future__ import annotations

import csv
import io
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
SCORED_AT = datetime(2026, 11, 24, 7, tzinfo=JST)  # Tuesday, an ordinary weekday
RECENT = [f"R{i:02d}" for i in range(30)]  # lapsed ~7 months
OLDER = [f"O{i:02d}" for i in range(30)]  # lapsed ~14 months


def _write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def base(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    people = [["customer_id", "name", "kind", "phone"]]
    orders = [["customer_id", "ordered_at", "amount", "category"]]
    for n, cid in enumerate(RECENT + OLDER):
        people.append([cid, f"顧客 {cid}", "b2c", f"090-2000-{n:04d}"])
        month = "2026-04" if cid.startswith("R") else "2025-09"
        orders.append([cid, f"{month}-{1 + n % 28:02d}T12:00+09:00", str(10_000 + 100 * n), "food"])
    for kind, rows in (("customers", people), ("transactions", orders)):
        summary = import_file(
            engine, kind, _write(tmp_path / f"{kind}.csv", rows), settings, now=SCORED_AT
        )  # type: ignore[arg-type]
        assert summary.rejected == 0
    rescore(engine, settings, SCORED_AT)
    return engine


def _rates(engine: Engine) -> dict[str, float]:
    with engine.connect() as conn:
        return {
            key: rate
            for key, rate in conn.execute(
                select(QueueScore.winback_key, QueueScore.p_come_back)
            ).all()
        }


def _talk(
    engine: Engine, settings: Settings, customers: list[str], outcome: str, start: datetime
) -> None:
    for i, cid in enumerate(customers):
        dispose(
            engine,
            settings,
            Disposition(
                customer_id=cid,
                outcome=outcome,
                at=start + timedelta(minutes=3 * i),
                operator="op01",
            ),
        )


def test_scores_carry_model_value_and_a_segment(base: Engine, settings: Settings) -> None:
    with base.connect() as conn:
        rows = conn.execute(select(QueueScore)).all()
    assert len(rows) == 60
    for row in rows:
        assert row.winback_key is not None and row.winback_key.startswith("b2c|dormant|")
        assert row.value == pytest.approx(row.expected_orders * row.expected_spend)
        assert 0.0 < row.p_alive <= 1.0
        assert row.horizon_weeks == settings.scoring.value_horizon_weeks
    # With no outcomes on record every segment has the same rate: value and P(alive) decide.
    assert len(set(round(r, 9) for r in _rates(base).values())) == 1


def test_conversations_move_their_segment_at_once_and_the_refit_keeps_it(
    base: Engine, settings: Settings
) -> None:
    older_key = next(k for k in _rates(base) if "|m12-24|" in k)
    recent_key = next(k for k in _rates(base) if "|m6-12|" in k)
    at = datetime(2026, 11, 24, 10, tzinfo=JST)
    # The older customers say yes, the recent ones no.
    _talk(base, settings, OLDER[:8], "reactivated", at)
    _talk(base, settings, RECENT[:8], "not_interested", at + timedelta(hours=1))
    with base.connect() as conn:
        stamped = dict(conn.execute(
            select(Customer.external_id, ContactAttempt.winback_key).join(Customer, Customer.id == ContactAttempt.customer_id)
        ).all())  # fmt: skip
    assert stamped[OLDER[0]] == older_key and stamped[RECENT[0]] == recent_key

    # Before any rescore, the queue already ranks the winning segment's customers higher.
    later = at + timedelta(hours=3)
    with base.connect() as conn:
        entries = read_queue(conn, settings, later, "op02", 40)
    by_segment: dict[str, list[float]] = {}
    for e in entries:
        by_segment.setdefault("older" if e.external_id.startswith("O") else "recent", []).append(
            e.parts.p_come_back
        )
    assert min(by_segment["older"]) > max(by_segment["recent"])
    assert entries[0].external_id.startswith("O")

    rescore(base, settings, later)
    rates = _rates(base)
    assert rates[older_key] > rates[recent_key]
    with base.connect() as conn:
        loaded = load_winback_model(conn)
    assert loaded is not None
    model, _ = loaded
    assert model.rate(older_key) == pytest.approx(rates[older_key])
