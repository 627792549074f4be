"""One customer's RFM scores without ranking the whole base again.

At or after the newest purchase, the last scoring run's cut points give each score in
O(1); before it (or with no scoring run yet), the buyers are counted in SQL, with the
purchases up to `at` standing in for the stored metrics of those who bought later.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from workbench.config import Settings
from workbench.services.customer_table import RFM_CUTS_KEY
from workbench.store import purchase_metrics
from workbench.store.models import CustomerMetrics, ModelState

metrics = CustomerMetrics.__table__
model_state = ModelState.__table__


def score_from_cuts(cuts: list[list[float]], value: float | None) -> int | None:
    """The score whose range holds `value`, or the nearest range's for a value none holds."""
    if value is None or not cuts:
        return None
    nearest = min(
        cuts,
        key=lambda c: 0.0 if c[1] <= value <= c[2] else min(abs(value - c[1]), abs(value - c[2])),
    )
    return int(nearest[0])


def _rank_score(conn: Connection, column, value) -> int | None:  # type: ignore[no-untyped-def]
    """The quintile `quintiles()` would give `value` among all buyers, by counting, not loading."""
    if value is None:
        return None
    buyers = metrics.c.last_order_at.is_not(None)
    n = conn.execute(select(func.count()).where(buyers)).scalar_one()
    below = conn.execute(select(func.count()).where(and_(buyers, column < value))).scalar_one()
    equal = conn.execute(select(func.count()).where(and_(buyers, column == value))).scalar_one()
    return _quintile(n, below, equal)


def _quintile(n: int, below: int, equal: int) -> int:
    mean_rank = below + (equal - 1) / 2
    return int(min(5, max(1, mean_rank * 5 // n + 1)))


def one_rfm(
    conn: Connection, last_order_at: datetime | None, n_orders: int | None, monetary: int | None
) -> dict[str, int | None]:
    """One buyer's RFM: from the last scoring run's cut points (O(1)), else by counting all buyers."""
    if last_order_at is None:
        return {"recency": None, "frequency": None, "monetary_score": None}
    raw = conn.execute(
        select(model_state.c.value).where(model_state.c.key == RFM_CUTS_KEY)
    ).scalar_one_or_none()
    if raw is not None:
        cuts = json.loads(raw)
        return {
            "recency": score_from_cuts(cuts["r"], last_order_at.timestamp()),
            "frequency": score_from_cuts(cuts["f"], float(n_orders or 0)),
            "monetary_score": score_from_cuts(cuts["m"], float(monetary or 0)),
        }
    return {
        "recency": _rank_score(conn, metrics.c.last_order_at, last_order_at),
        "frequency": _rank_score(conn, metrics.c.n_orders, n_orders),
        "monetary_score": _rank_score(conn, metrics.c.monetary, monetary),
    }


def rfm_as_of(
    conn: Connection,
    settings: Settings,
    at: datetime,
    last: datetime | None,
    n_orders: int,
    monetary: int,
) -> dict[str, int | None]:
    """One buyer's RFM among the buyers at a past `at`, exactly as `classify_all` ranks them.

    Cut points from a scoring run would hold purchases made after `at`, so this counts:
    stored metrics for customers who had bought everything by `at`, purchases up to
    `at` for the others.
    """
    if last is None:
        return {"recency": None, "frequency": None, "monetary_score": None}
    settled = metrics.c.last_order_at <= at
    # (stored column, this buyer's value, index in a purchase_metrics row): values of mixed types.
    columns: dict[str, tuple[Any, Any, int]] = {
        "recency": (metrics.c.last_order_at, last, 2), "frequency": (metrics.c.n_orders, n_orders, 3),
        "monetary_score": (metrics.c.monetary, monetary, 4)}  # fmt: skip
    counts: list[Any] = [func.count()]
    for column, value, _ in columns.values():
        counts += [func.coalesce(func.sum(case((column < value, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((column == value, 1), else_=0)), 0)]  # fmt: skip
    n, *stored = conn.execute(select(*counts).where(settled)).one()
    later = list(purchase_metrics.as_of(conn, settings.timezone, at).values())
    n += len(later)
    out: dict[str, int | None] = {}
    for k, (name, (_, value, index)) in enumerate(columns.items()):
        below = stored[2 * k] + sum(1 for r in later if r[index] < value)  # type: ignore[operator]
        equal = stored[2 * k + 1] + sum(1 for r in later if r[index] == value)
        out[name] = _quintile(n, below, equal)
    return out
