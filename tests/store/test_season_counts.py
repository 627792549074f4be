"""Orders per category and month for the season indices, counted by hand on a few purchases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, insert, select

from workbench.services.importer import import_file
from workbench.services.model_state import load_state
from workbench.services.season_counts import (
    STATE_KEY,
    current_counts,
    monthly_orders,
    refresh_month_counts,
    window,
)
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


def _more(engine: Engine, orders: list[tuple[int, str, str | None]], first: int) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Purchase.__table__), [
            {"customer_id": cid, "ordered_at": datetime.fromisoformat(when), "amount": 1000,
             "category": category, "fingerprint": first + n}
            for n, (cid, when, category) in enumerate(orders)
        ])  # fmt: skip


def _nonzero(counts: dict[str, list[float]]) -> dict[str, dict[int, float]]:
    return {c: {i: v for i, v in enumerate(row) if v} for c, row in counts.items()}


def test_stored_counts_add_only_the_new_purchases(engine: Engine) -> None:
    _buy(
        engine, [(1, "2025-03-15T10:00:00+00:00", "food"), (2, "2025-05-01T00:00:00+00:00", "tea")]
    )
    with engine.begin() as conn:
        stored = refresh_month_counts(conn)
    assert (stored.rows, stored.counts) == (
        2,
        {"food": {2025 * 12 + 2: 1}, "tea": {2025 * 12 + 4: 1}},
    )
    # A purchase after the stored ones, in a category no customer has as their main one.
    _more(
        engine,
        [(1, "2025-03-20T00:00:00+00:00", "food"), (2, "2026-01-10T00:00:00+00:00", "wine")],
        100,
    )
    with engine.connect() as conn:
        again = current_counts(conn)
    assert again.changed and again.rows == 4
    assert again.counts == {
        "food": {2025 * 12 + 2: 2}, "tea": {2025 * 12 + 4: 1}, "wine": {2026 * 12: 1},
    }  # fmt: skip
    march, may = (2025 - 2023) * 12 + 3 - 11, (2025 - 2023) * 12 + 5 - 11
    assert _nonzero({k: v.tolist() for k, v in window(again, AT).items()}) == {
        "food": {march: 2.0}, "tea": {may: 1.0}, "wine": {(2026 - 2023) * 12 + 1 - 11: 1.0},
    }  # fmt: skip


def test_a_removed_purchase_recounts_everything(engine: Engine) -> None:
    _buy(
        engine, [(1, "2025-03-15T10:00:00+00:00", "food"), (1, "2025-04-15T10:00:00+00:00", "food")]
    )
    with engine.begin() as conn:
        refresh_month_counts(conn)
        first = conn.execute(select(func.min(Purchase.__table__.c.id))).scalar_one()
        conn.execute(delete(Purchase.__table__).where(Purchase.__table__.c.id == first))
    with engine.connect() as conn:
        counts = current_counts(conn)
    assert counts.rows == 1 and counts.counts == {"food": {2025 * 12 + 3: 1}}


def test_an_import_leaves_the_counts_current(engine: Engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(
            insert(Customer.__table__),
            [{"external_id": f"C{i}", "name": "顧客", "kind": "b2c"} for i in (1, 2)],
        )
    path = tmp_path / "transactions.csv"
    path.write_text(
        "customer_id,ordered_at,amount,category\n"
        "C1,2025-03-15 10:00,1000,food\nC2,2025-06-01 09:00,2000,tea\n",
        encoding="utf-8",
    )
    import_file(engine, "transactions", path, settings)
    with engine.connect() as conn:
        stored = load_state(conn, STATE_KEY)
        assert stored is not None and stored["rows"] == 2
        assert not current_counts(conn).changed  # nothing left for the rescore to count
