"""Orders per category and month over the 36 months up to an instant: the season indices' data.

Ten million purchases: a GROUP BY on SQLite sorts every one of them (most of a minute on a
shared machine).  Instead SQLite computes one small integer per purchase, category × 36 +
month, hands them over as one column (`workbench.store.columns.fetch`) and numpy counts them.
The category's number comes from a CASE over the categories known beforehand, the main
categories of `customer_metrics` (one cheap read); a purchase in any other category sends the
count round once more with every category the purchases name.  PostgreSQL groups them itself.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import Connection, and_, func, select

from workbench.store import columns
from workbench.store.models import Purchase

purchases = Purchase.__table__
MONTHS = 36


def _window(at: datetime) -> tuple[int, int, str, str]:
    """First year and month of the window, and its bounds as stored text ('YYYY-MM', end excluded)."""
    first_year, first_month = at.year - 3, at.month
    end = first_year * 12 + first_month - 1 + MONTHS
    return (
        first_year,
        first_month,
        f"{first_year:04d}-{first_month:02d}",
        f"{end // 12:04d}-{end % 12 + 1:02d}",
    )


def monthly_orders(conn: Connection, at: datetime) -> dict[str, np.ndarray]:
    """Category → orders in each of the 36 months from three years before `at`'s month (floats).

    Months are those of the stored UTC timestamps; categories without an order in the window
    are left out.
    """
    if conn.dialect.name == "sqlite":
        return _sqlite_counts(conn, at)
    return _grouped_counts(conn, at)


def _grouped_counts(conn: Connection, at: datetime) -> dict[str, np.ndarray]:
    first_year, first_month, start, _ = _window(at)
    month = func.to_char(func.timezone("UTC", purchases.c.ordered_at), "YYYY-MM")
    totals: dict[str, np.ndarray] = {}
    for category, ym, count in conn.execute(
        select(purchases.c.category, month, func.count())
        .where(and_(purchases.c.category.is_not(None), month >= start))
        .group_by(purchases.c.category, month)
    ):
        index = (int(ym[:4]) - first_year) * 12 + (int(ym[5:7]) - first_month)
        if 0 <= index < MONTHS:
            totals.setdefault(category, np.zeros(MONTHS))[index] += count
    return totals


def _sqlite_counts(conn: Connection, at: datetime) -> dict[str, np.ndarray]:
    first_year, first_month, start, end = _window(at)
    known = [
        r[0]
        for r in columns.rows(
            conn,
            "SELECT DISTINCT main_category FROM customer_metrics WHERE main_category IS NOT NULL",
        )
    ]
    categories = sorted(known)
    for every_category in (False, True):
        if every_category:  # some purchase's category is no customer's main one: list them all
            categories = sorted(
                r[0]
                for r in columns.rows(
                    conn, "SELECT DISTINCT category FROM transactions WHERE category IS NOT NULL"
                )
            )
        params: dict[str, object] = {f"c{i}": name for i, name in enumerate(categories)}
        code = (
            "CASE category "
            + " ".join(f"WHEN :c{i} THEN {i}" for i in range(len(categories)))
            + " ELSE -1 END"
        )
        month = f"CAST(substr(ordered_at, 1, 4) AS INTEGER) * 12 + CAST(substr(ordered_at, 6, 2) AS INTEGER) - {first_year * 12 + first_month}"
        (keys,) = columns.fetch(conn, f"""
            SELECT {code if categories else '-1'} * {MONTHS} + {month} FROM transactions
            WHERE category IS NOT NULL AND ordered_at >= :start AND ordered_at < :end""", {**params, "start": start, "end": end})  # fmt: skip
        if not np.any(keys < 0):
            break
    counts = np.bincount(keys, minlength=len(categories) * MONTHS).reshape(len(categories), MONTHS)
    return {
        name: counts[i].astype(np.float64) for i, name in enumerate(categories) if counts[i].any()
    }
