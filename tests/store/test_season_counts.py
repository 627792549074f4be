"""Orders per category and month for the season indices, counted by hand on a few purchases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert

from workbench.services.season_counts import monthly_orders
from workbench.store import purchase_metrics
from workbench.store.models import Customer, Purchase

AT = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)  # the window: 2023-11 … 2026-10


def _buy(engine: Engine, orders: list[tuple[int, str, str | None]]) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Customer.__table__),
            [{"external_id": f"C{i}", "name": "顧客", "kind": "b2c"} for i in (1, 2)],
        )
        conn.execute(insert(Purchase.__table__), [
            {"customer_id": cid, "ordered_at": datetime.fromisoformat(when), "amount": 1000, "category": category, "fingerprint": n}
            for n, (cid, when, category) in enumerate(orders)
        ])  # fmt: skip
        purchase_metrics.refresh(conn, "Asia/Tokyo")


def test_orders_fall_in_their_utc_month_within_the_three_years(engine: Engine) -> None:
    _buy(engine, [
        (1, "2023-10-31T23:59:59.999999+00:00", "food"),  # the month before the window
        (1, "2023-11-01T00:00:00+00:00", "food"),  # its first month
        (1, "2026-10-31T23:59:59+00:00", "food"),  # its last
        (1, "2026-11-01T00:00:00+00:00", "food"),  # after it
        (1, "2025-03-15T10:00:00+09:00", "food"),
        (1, "2025-03-31T20:00:00-05:00", "food"),  # April in UTC
        (2, "2025-03-02T00:00:00+00:00", "wine"),  # nobody's main category (customer 2's is tea)
        (2, "2022-01-01T00:00:00+00:00", "tea"),
        (2, "2022-02-01T00:00:00+00:00", "tea"),
        (2, "2024-01-01T00:00:00+00:00", None),
    ])  # fmt: skip
    with engine.connect() as conn:
        counts = monthly_orders(conn, AT)
    assert set(counts) == {"food", "wine"}
    march, april = (2025 - 2023) * 12 + 3 - 11, (2025 - 2023) * 12 + 4 - 11
    expected_food = {0: 1.0, 35: 1.0, march: 1.0, april: 1.0}
    assert {i: v for i, v in enumerate(counts["food"].tolist()) if v} == expected_food
    assert {i: v for i, v in enumerate(counts["wine"].tolist()) if v} == {march: 1.0}


def test_no_purchases_no_categories(engine: Engine) -> None:
    with engine.connect() as conn:
        assert monthly_orders(conn, AT) == {}
