"""Orders per category and month over the 36 months up to an instant: the season indices' data.

The counts per category and UTC month of every purchase are kept in `model_state`
(`season_months`) with the highest purchase id they cover and how many purchases that was.
A reader counts only the purchases added since (an import brings the counts up to date in its
own transaction, so a rescore right after it counts nothing); if purchases at or below that id
were removed meanwhile (the count no longer matches), everything is counted afresh.

Ten million purchases: a GROUP BY on SQLite sorts every one of them (most of a minute on a
shared machine).  Instead SQLite computes one small integer per purchase, category × 10⁵ +
month number, hands them over as one column (`workbench.store.columns.fetch`) and numpy counts
them.  The category's number comes from a CASE over the categories known beforehand (the main
categories of `customer_metrics` and those already counted); a purchase in any other category
sends the count round once more with every category the new purchases name.  PostgreSQL
groups them itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection, func, select

from workbench.services.model_state import load_state
from workbench.store import columns
from workbench.store.models import ModelState, Purchase

purchases = Purchase.__table__
model_state = ModelState.__table__
MONTHS = 36
STATE_KEY = "season_months"
_SPAN = 100_000  # month numbers (year × 12 + month − 1) stay below this


@dataclass
class MonthCounts:
    """Orders per category and month number (year × 12 + month − 1, UTC) of every purchase
    with an id up to `through_id`; `rows` is how many purchases (any category) that was."""

    through_id: int = 0
    rows: int = 0
    counts: dict[str, dict[int, int]] = field(default_factory=dict)
    changed: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "through_id": self.through_id,
            "rows": self.rows,
            "counts": {
                c: {str(m): n for m, n in sorted(v.items())} for c, v in self.counts.items()
            },
        }


def current_counts(conn: Connection) -> MonthCounts:
    """The stored counts brought up to date with the purchases added since (not saved)."""
    stored = load_state(conn, STATE_KEY)
    base = MonthCounts()
    if stored is not None:
        through = int(stored["through_id"])
        rows = conn.execute(
            select(func.count()).select_from(purchases).where(purchases.c.id <= through)
        ).scalar_one()
        if rows == int(stored["rows"]):
            counts = {
                c: {int(m): int(n) for m, n in v.items()} for c, v in stored["counts"].items()
            }
            base = MonthCounts(through, rows, counts)
    top, added = conn.execute(
        select(func.max(purchases.c.id), func.count()).where(purchases.c.id > base.through_id)
    ).one()
    if not added:
        base.changed = stored is None or base.through_id != int(stored["through_id"])
        return base
    new = _sqlite_new(conn, base) if conn.dialect.name == "sqlite" else _grouped_new(conn, base)
    for category, months in new.items():
        mine = base.counts.setdefault(category, {})
        for month, n in months.items():
            mine[month] = mine.get(month, 0) + n
    return MonthCounts(int(top), base.rows + int(added), base.counts, changed=True)


def refresh_month_counts(conn: Connection) -> MonthCounts:
    """Bring the stored counts up to date, in the caller's transaction (an import's)."""
    counts = current_counts(conn)
    if counts.changed:
        save_month_counts(conn, counts)
    return counts


def save_month_counts(conn: Connection, counts: MonthCounts) -> None:
    # Written under the key only when newer: a rescore's read may predate an import's update.
    stored = load_state(conn, STATE_KEY)
    if stored is not None and int(stored["through_id"]) > counts.through_id:
        return
    conn.execute(model_state.delete().where(model_state.c.key == STATE_KEY))
    conn.execute(
        model_state.insert().values(
            key=STATE_KEY, value=json.dumps(counts.as_json()), fitted_at=datetime.now(UTC)
        )
    )


def window(counts: MonthCounts, at: datetime) -> dict[str, np.ndarray]:
    """Category → orders in each of the 36 months from three years before `at`'s month, up to
    the month before it (floats); categories without an order in the window are left out."""
    first = (at.year - 3) * 12 + at.month - 1
    totals: dict[str, np.ndarray] = {}
    for category, months in counts.counts.items():
        row = np.zeros(MONTHS)
        for month, n in months.items():
            if first <= month < first + MONTHS:
                row[month - first] += n
        if row.any():
            totals[category] = row
    return totals


def monthly_orders(conn: Connection, at: datetime) -> dict[str, np.ndarray]:
    """Category → orders in each of the 36 months up to `at`'s month (see `window`).

    Months are those of the stored UTC timestamps.
    """
    return window(current_counts(conn), at)


def _grouped_new(conn: Connection, base: MonthCounts) -> dict[str, dict[int, int]]:
    utc = func.timezone("UTC", purchases.c.ordered_at)
    month = func.extract("year", utc) * 12 + func.extract("month", utc) - 1
    new: dict[str, dict[int, int]] = {}
    for category, number, count in conn.execute(
        select(purchases.c.category, month, func.count())
        .where(purchases.c.category.is_not(None), purchases.c.id > base.through_id)
        .group_by(purchases.c.category, month)
    ):
        new.setdefault(category, {})[int(number)] = int(count)
    return new


def _sqlite_new(conn: Connection, base: MonthCounts) -> dict[str, dict[int, int]]:
    known = {
        r[0]
        for r in columns.rows(
            conn,
            "SELECT DISTINCT main_category FROM customer_metrics WHERE main_category IS NOT NULL",
        )
    }
    categories = sorted(known | set(base.counts))
    for every_category in (False, True):
        if every_category:  # some purchase's category is no customer's main one: list them all
            categories = sorted(
                r[0]
                for r in conn.execute(
                    select(purchases.c.category)
                    .where(purchases.c.category.is_not(None), purchases.c.id > base.through_id)
                    .distinct()
                )
            )
        params: dict[str, object] = {f"c{i}": name for i, name in enumerate(categories)}
        code = (
            "CASE category "
            + " ".join(f"WHEN :c{i} THEN {i}" for i in range(len(categories)))
            + " ELSE -1 END"
        )
        month = "CAST(substr(ordered_at, 1, 4) AS INTEGER) * 12 + CAST(substr(ordered_at, 6, 2) AS INTEGER) - 1"
        (keys,) = columns.fetch(conn, f"""
            SELECT ({code if categories else '-1'}) * {_SPAN} + {month} FROM transactions
            WHERE category IS NOT NULL AND id > :through""", {**params, "through": base.through_id})  # fmt: skip
        if not np.any(keys < 0):
            break
    values, counts = np.unique(keys, return_counts=True)
    new: dict[str, dict[int, int]] = {}
    for value, count in zip(values.tolist(), counts.tolist(), strict=True):
        new.setdefault(categories[value // _SPAN], {})[value % _SPAN] = count
    return new
