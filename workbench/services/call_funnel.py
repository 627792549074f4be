"""The outbound calls' funnel per UTC quarter-hour, read from `contact_attempts` in SQL.

Dials → conversations (`CONTACTED_OUTCOMES`) → win-backs (`reactivated`, with their yen).  The
database groups the calls by UTC quarter-hour (one row per quarter with calls, never one per
call) and Python places each quarter in a zone, which is exact for every zone in use (every
offset is a whole number of quarter-hours: Asia/Tokyo, India's +5:30, Nepal's +5:45, with DST).
The supervisor's heatmap and trends and the report's weeks all count from here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine, Integer, case, func, select

from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.store.engine import connection_of
from workbench.store.models import ContactAttempt
from workbench.talk.stats import SUCCESS_OUTCOME

attempts = ContactAttempt.__table__

_CONTACTED = attempts.c.outcome.in_(sorted(CONTACTED_OUTCOMES))
_WON = attempts.c.outcome == SUCCESS_OUTCOME


@dataclass(frozen=True)
class Funnel:
    """Dials → conversations → win-backs (and their yen) of one group of calls."""

    dials: int = 0
    conversations: int = 0
    winbacks: int = 0
    revenue: int = 0

    @property
    def answer_rate(self) -> float | None:
        """Conversations per dial; None without dials."""
        return self.conversations / self.dials if self.dials else None

    @property
    def win_rate(self) -> float | None:
        """Win-backs per conversation; None without conversations."""
        return self.winbacks / self.conversations if self.conversations else None

    def __add__(self, other: Funnel) -> Funnel:
        return Funnel(
            self.dials + other.dials,
            self.conversations + other.conversations,
            self.winbacks + other.winbacks,
            self.revenue + other.revenue,
        )


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def calls_between(since: datetime | None, until: datetime | None) -> Any:
    """Outbound calls at or after `since` and before `until` (either open)."""
    clause = (attempts.c.channel == "call") & (attempts.c.direction == "outbound")
    if since is not None:
        clause &= attempts.c.at >= since
    if until is not None:
        clause &= attempts.c.at < until
    return clause


def quarter_bucket(conn: Connection) -> tuple[Any, Any]:
    """The attempt's UTC hour as text 'YYYY-MM-DD HH' and its quarter (0–3) within the hour
    (SQLite stores UTC text)."""
    if conn.dialect.name == "sqlite":
        minute = func.cast(func.strftime("%M", attempts.c.at), Integer)
        return func.strftime("%Y-%m-%d %H", attempts.c.at), minute // 15
    utc = func.timezone("UTC", attempts.c.at)
    return func.to_char(utc, "YYYY-MM-DD HH24"), func.floor(func.extract("minute", utc) / 15)


def utc_quarter(hour: str, quarter: Any) -> datetime:
    start = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return start + timedelta(minutes=15 * int(quarter))


def funnel_columns() -> list[Any]:
    return [
        func.count(),
        func.sum(case((_CONTACTED, 1), else_=0)),
        func.sum(case((_WON, 1), else_=0)),
        func.sum(case((_WON, func.coalesce(attempts.c.amount, 0)), else_=0)),
    ]


def funnel_of(n: Any, talked: Any, won: Any, amount: Any) -> Funnel:
    # PostgreSQL sums into NUMERIC (Decimal); every figure is a whole number.
    return Funnel(int(n or 0), int(talked or 0), int(won or 0), int(amount or 0))


@dataclass(frozen=True)
class CallFigures:
    """The funnel per UTC quarter-hour (keyed by its start)."""

    quarters: dict[datetime, Funnel]

    def by_week(self, zone: tzinfo) -> dict[date, Funnel]:
        """The funnel per local week (its Monday) that has calls."""
        weeks: dict[date, Funnel] = defaultdict(Funnel)
        for start, f in self.quarters.items():
            weeks[monday(start.astimezone(zone).date())] += f
        return dict(weeks)

    def total(self) -> Funnel:
        return sum(self.quarters.values(), Funnel())


def call_figures(
    bind: Engine | Connection, since: datetime | None, until: datetime | None
) -> CallFigures:
    """The outbound calls' funnel per UTC quarter-hour from `since` to `until` (either open)."""
    with connection_of(bind) as conn:
        hour, quarter = quarter_bucket(conn)
        stmt = (
            select(hour, quarter, *funnel_columns())
            .where(calls_between(since, until))
            .group_by(hour, quarter)
        )
        quarters: dict[datetime, Funnel] = defaultdict(Funnel)
        for h, q, *rest in conn.execute(stmt):
            quarters[utc_quarter(h, q)] += funnel_of(*rest)
        return CallFigures(dict(quarters))
