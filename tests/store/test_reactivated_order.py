"""A win-back is a win: `reactivated` with an amount records the order, on both backends.

Tuesday 24 November 2026, Tokyo.  W01 bought on two local days: ¥8,000 stationery on 2 Feb 10:00, then ¥5,000 food
at 08:00 and ¥2,000 stationery at 10:00 on 3 Feb (08:00 Tokyo is still 2 Feb in UTC),
so its main category is stationery, 3 orders on 2 local days, first day ¥8,000.
The scoring run is at 07:00; the win-back call at 10:30 takes a ¥12,800 order.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from workbench.config import Settings
from workbench.services.customers import show_customer
from workbench.services.dispose import Disposition, DispositionError, dispose, dispose_many
from workbench.services.importer import import_file
from workbench.services.scoring import rescore
from workbench.store.models import ContactAttempt, CustomerMetrics, Purchase, QueueScore

JST = ZoneInfo("Asia/Tokyo")
SCORED_AT = datetime(2026, 11, 24, 7, 0, tzinfo=JST)
CALL_AT = datetime(2026, 11, 24, 10, 30, tzinfo=JST)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def base(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    customers = [[f"W0{n}", f"顧客 W0{n}", "b2c", f"090-3000-000{n}"] for n in (1, 2)]
    transactions = [
        ["W01", "2026-02-02T10:00+09:00", "8000", "stationery"],
        ["W01", "2026-02-03T08:00+09:00", "5000", "food"],
        ["W01", "2026-02-03T10:00+09:00", "2000", "stationery"],
        ["W02", "2026-03-01T10:00+09:00", "9000", "food"],
    ]
    files = {
        "customers": _write(
            tmp_path / "c.csv", ["customer_id", "name", "kind", "phone"], customers
        ),
        "transactions": _write(
            tmp_path / "t.csv", ["customer_id", "ordered_at", "amount", "category"], transactions
        ),
    }
    for kind, path in files.items():
        assert import_file(engine, kind, path, settings, now=SCORED_AT).rejected == 0  # type: ignore[arg-type]
    rescore(engine, settings, SCORED_AT)
    return engine


def _metrics(engine: Engine, settings: Settings, external_id: str) -> tuple[object, ...]:
    summary = show_customer(engine, settings, external_id, CALL_AT).summary
    return (
        summary.n_orders,
        summary.monetary,
        summary.main_category,
        summary.n_days,
        summary.first_day_amount,
    )


def test_imported_purchases_are_merged_per_local_day(base: Engine, settings: Settings) -> None:
    # Tokyo days: 2 Feb (¥8,000) and 3 Feb; counted in UTC days the first day would hold ¥13,000.
    assert _metrics(base, settings, "W01") == (3, 15000, "stationery", 2, 8000)
    with base.connect() as conn:
        stored = conn.execute(
            select(CustomerMetrics.n_days, CustomerMetrics.first_day_amount).order_by(
                CustomerMetrics.customer_id
            )  # type: ignore[arg-type]
        ).all()
    assert [tuple(r) for r in stored] == [(2, 8000), (1, 9000)]


def test_a_reactivation_with_an_amount_records_the_order(base: Engine, settings: Settings) -> None:
    result = dispose(
        base, settings, Disposition("W01", "reactivated", CALL_AT, operator="op01", amount=12800)
    )
    assert result.warnings == []

    detail = show_customer(base, settings, "W01", CALL_AT)
    call_orders = [p for p in detail.purchases if p["source"] == "call"]
    assert [(p["amount"], p["category"], p["product"], p["ordered_at"]) for p in call_orders] == [
        (12800, "stationery", None, CALL_AT)
    ]
    s = detail.summary
    assert (s.n_orders, s.monetary, s.n_days, s.first_day_amount, s.last_order_at) == (
        4,
        27800,
        3,
        8000,
        CALL_AT,
    )
    assert s.state == "active"
    with base.connect() as conn:
        state = conn.execute(
            select(QueueScore.state)
            .join(  # type: ignore[arg-type]
                CustomerMetrics,
                CustomerMetrics.customer_id == QueueScore.customer_id,  # type: ignore[arg-type]
            )
            .where(CustomerMetrics.monetary == 27800)
        ).scalar_one()  # type: ignore[arg-type]
    assert state == "active"
    # The next scoring run sees the order too: active on its own purchases, not only by the disposition.
    rescore(base, settings, CALL_AT)
    with base.connect() as conn:
        states = dict(
            conn.execute(
                select(CustomerMetrics.monetary, QueueScore.state).join(  # type: ignore[arg-type]
                    QueueScore,
                    QueueScore.customer_id == CustomerMetrics.customer_id,  # type: ignore[arg-type]
                )
            ).all()
        )
    assert states[27800] == "active" and states[9000] == "dormant"


def test_the_same_order_imported_later_is_not_doubled(
    base: Engine, settings: Settings, tmp_path: Path
) -> None:
    dispose(
        base, settings, Disposition("W01", "reactivated", CALL_AT, operator="op01", amount=12800)
    )
    again = _write(
        tmp_path / "again.csv", ["customer_id", "ordered_at", "amount", "category"],
        [["W01", "2026-11-24 10:30", "12800", "stationery"]],
    )  # fmt: skip
    summary = import_file(base, "transactions", again, settings, now=CALL_AT)
    assert (summary.inserted, summary.unchanged) == (0, 1)
    assert _metrics(base, settings, "W01")[:2] == (4, 27800)


def test_without_an_amount_no_purchase_is_written_and_the_operator_is_told(
    base: Engine, settings: Settings
) -> None:
    result = dispose(base, settings, Disposition("W01", "reactivated", CALL_AT, operator="op01"))
    assert len(result.warnings) == 1 and "購入は記録していません" in result.warnings[0]
    with base.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Purchase)).scalar_one() == 4
    assert _metrics(base, settings, "W01")[:2] == (3, 15000)


def test_a_failing_batch_records_no_order(base: Engine, settings: Settings) -> None:
    batch = [
        (2, Disposition("W01", "reactivated", CALL_AT, operator="op01", amount=12800)),
        (3, Disposition("W02", "reactivated", CALL_AT, operator="op01", amount=-5)),
    ]
    with pytest.raises(DispositionError, match="3 行目"):
        dispose_many(base, settings, batch)
    with base.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Purchase)).scalar_one() == 4
        assert conn.execute(select(func.count()).select_from(ContactAttempt)).scalar_one() == 0
    assert _metrics(base, settings, "W01")[:2] == (3, 15000)


def test_an_outbound_call_carries_the_segment_it_was_scored_in(
    base: Engine, settings: Settings
) -> None:
    with base.begin() as conn:
        conn.execute(QueueScore.__table__.update().values(winback_key="b2c|dormant|test"))
    dispose(base, settings, Disposition("W01", "no_answer", CALL_AT, operator="op01"))
    inbound = Disposition("W02", "inquiry", CALL_AT, operator="op01", direction="inbound")
    dispose(base, settings, inbound)
    with base.connect() as conn:
        keys = conn.execute(
            select(ContactAttempt.outcome, ContactAttempt.winback_key).order_by(ContactAttempt.id)
        ).all()  # type: ignore[arg-type]
    assert [tuple(k) for k in keys] == [("no_answer", "b2c|dormant|test"), ("inquiry", None)]
