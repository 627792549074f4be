"""Per-customer purchase aggregates computed in SQL, stored or as of an instant.

One query shape serves `customer_metrics` (every purchase) and classification at
an instant in the past (purchases up to that instant only), so both give the same
columns by the same rules: first and last order, orders, spend, main category,
and the customer-base models' transactions: purchases merged per local calendar
day (`n_days`) and the amount of the first such day (`first_day_amount`).

The local day is taken in the configured time zone.  PostgreSQL has the zone
database; SQLite stores UTC text, so the zone's UTC offsets since 1970 become a
modifier for `date()` (a constant for zones without daylight saving, such as Japan).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, func, select, text

from workbench.store.bulk import stored_time
from workbench.store.models import CustomerMetrics

metrics = CustomerMetrics.__table__

COLUMNS = "customer_id, first_order_at, last_order_at, n_orders, monetary, main_category, n_days, first_day_amount"
# customer id, first, last, orders, spend, main category, purchase days, first day's amount
MetricsRow = tuple[int, datetime | None, datetime | None, int, int, str | None, int, int]

_SELECT = """
SELECT t.customer_id, MIN(t.ordered_at), MAX(t.ordered_at), COUNT(*), SUM(t.amount),
       (SELECT t2.category FROM transactions t2 WHERE t2.customer_id = t.customer_id
         AND t2.category IS NOT NULL {cut2} GROUP BY t2.category
         ORDER BY COUNT(*) DESC, MAX(t2.ordered_at) DESC LIMIT 1),
       COUNT(DISTINCT {day_t}),
       (SELECT SUM(t3.amount) FROM transactions t3 WHERE t3.customer_id = t.customer_id
         AND t3.ordered_at < {next_day} AND {day_t3} = {day_first} {cut3})
FROM transactions t {where} GROUP BY t.customer_id
"""
_SINCE = datetime(1970, 1, 1, tzinfo=UTC)
_UNTIL = datetime(2100, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=16)
def _offsets(zone: str) -> tuple[tuple[datetime, int], ...]:
    """(UTC instant from which it holds, UTC offset in seconds) of `zone` since 1970, newest first."""
    tz = ZoneInfo(zone)

    def offset(at: datetime) -> int:
        delta = at.astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    changes = [(_SINCE, offset(_SINCE))]
    day = _SINCE
    while day < _UNTIL:
        nxt = day + timedelta(days=1)
        if offset(nxt) != changes[-1][1]:
            lo, hi = day, nxt  # the change falls in (lo, hi]: find its second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == changes[-1][1] else (lo, mid)
            changes.append((hi, offset(hi)))
        day = nxt
    return tuple(reversed(changes))


def _sqlite_day(column: str, zone: str) -> str:
    offsets = _offsets(zone)
    if len(offsets) == 1:
        return f"date({column}, '{offsets[0][1]:+d} seconds')"
    cases = " ".join(
        f"WHEN {column} >= '{_sqlite_text(since)}' THEN '{seconds:+d} seconds'"
        for since, seconds in offsets[:-1]
    )
    return f"date({column}, CASE {cases} ELSE '{offsets[-1][1]:+d} seconds' END)"


def _sqlite_text(at: datetime) -> str:
    """The stored SQLite form of a timestamp (as `bulk.stored_time` writes it)."""
    return at.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def local_day(conn: Connection, column: str, zone: str) -> str:
    """SQL for the calendar day in `zone` of the UTC timestamp `column`."""
    ZoneInfo(zone)  # an unknown zone fails here, before it reaches SQL text
    if conn.dialect.name == "sqlite":
        return _sqlite_day(column, zone)
    return f"CAST(({column} AT TIME ZONE '{zone}') AS DATE)"


def _select(conn: Connection, zone: str, where: str, cut: bool) -> str:
    sqlite = conn.dialect.name == "sqlite"
    first = "MIN(t.ordered_at)"
    return _SELECT.format(
        cut2=" AND t2.ordered_at <= :at" if cut else "",
        cut3=" AND t3.ordered_at <= :at" if cut else "",
        day_t=local_day(conn, "t.ordered_at", zone),
        day_t3=local_day(conn, "t3.ordered_at", zone),
        day_first=local_day(conn, first, zone),
        # A bound for the index range only (a local day may last 25 hours); the day test decides.
        next_day=f"datetime({first}, '+2 days')" if sqlite else f"({first} + INTERVAL '2 days')",
        where=where,
    )


def refresh(conn: Connection, zone: str, customer_ids: Iterable[int] | None = None) -> None:
    """Rewrite `customer_metrics` from every stored purchase, for all customers or the given ones."""
    if customer_ids is None:
        conn.execute(metrics.delete())
        conn.execute(
            text(f"INSERT INTO customer_metrics ({COLUMNS}) " + _select(conn, zone, "", cut=False))
        )
        return
    ids = sorted(set(customer_ids))
    stmt = text(
        f"INSERT INTO customer_metrics ({COLUMNS}) "
        + _select(conn, zone, "WHERE t.customer_id IN :ids", cut=False)
    )
    stmt = stmt.bindparams(bindparam("ids", expanding=True))
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        conn.execute(metrics.delete().where(metrics.c.customer_id.in_(chunk)))
        conn.execute(stmt, {"ids": chunk})


def newest_purchase(conn: Connection) -> datetime | None:
    """The latest order anyone placed, from the metrics (an index lookup)."""
    return conn.execute(select(func.max(metrics.c.last_order_at))).scalar_one_or_none()


def lacks_day_counts(conn: Connection) -> bool:
    """Metrics written before day counts existed (migration 0006 left them at 0)."""
    return (
        conn.execute(select(metrics.c.customer_id).where(metrics.c.n_days == 0).limit(1)).first()
        is not None
    )


def as_of(
    conn: Connection, zone: str, at: datetime, customer_ids: list[int] | None = None
) -> dict[int, MetricsRow]:
    """Aggregates of the purchases placed up to `at`, for customers whose stored metrics include later ones.

    Others' stored metrics already are their metrics at `at`.  With `customer_ids`,
    just those customers (whatever their stored metrics say).  A customer whose
    every purchase came later is absent: a prospect at `at`.
    """
    time = stored_time(conn)
    if customer_ids is None:
        where = "WHERE t.ordered_at <= :at AND t.customer_id IN (SELECT customer_id FROM customer_metrics WHERE last_order_at > :at)"
        params: dict[str, object] = {"at": time(at)}
        stmt = text(_select(conn, zone, where, cut=True))
    else:
        where = "WHERE t.ordered_at <= :at AND t.customer_id IN :ids"
        params = {"at": time(at), "ids": customer_ids}
        stmt = text(_select(conn, zone, where, cut=True)).bindparams(
            bindparam("ids", expanding=True)
        )
    return {row[0]: _typed(row) for row in conn.execute(stmt, params)}


def _typed(row) -> MetricsRow:  # type: ignore[no-untyped-def]
    cid, first, last, n, monetary, category, n_days, first_day = row
    return (
        cid,
        aware_utc(first),
        aware_utc(last),
        int(n),
        int(monetary or 0),
        category,
        int(n_days),
        int(first_day or 0),
    )


def aware_utc(value: object) -> datetime | None:
    """A timestamp from raw SQL as an aware UTC datetime: SQLite gives text, PostgreSQL a datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
