"""The supervisor's figures from `contact_attempts`: the funnel, the contact-rate heatmap, the
reasons customers gave and weekly trends, counted in SQL on SQLite and PostgreSQL.

A dial is an outbound call attempt; a conversation is an attempt whose outcome reached the
customer (`CONTACTED_OUTCOMES`, the definition script statistics use); a win-back is the
`reactivated` outcome, its amount the revenue.  Local hours, weekdays and weeks are in the
configured zone, from the calls' funnel per UTC quarter-hour (`services.call_funnel`); the
reasons heard are counted by `services.heard_reasons`.  `workbench report` counts from both too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine, func, literal, select

from workbench.services.call_funnel import (
    CallFigures,
    Funnel,
    call_figures,
    calls_between,
    funnel_columns,
    funnel_of,
    monday,
    quarter_bucket,
    utc_quarter,
)
from workbench.services.heard_reasons import heard, noted, reason_totals
from workbench.store.engine import connection_of
from workbench.store.models import ContactAttempt, Customer, CustomerMetrics, QueueScore

attempts = ContactAttempt.__table__
customers = Customer.__table__
metrics = CustomerMetrics.__table__
scores = QueueScore.__table__

SEGMENTS: tuple[str, ...] = ("operator", "kind", "state")
UNKNOWN = "unknown"  # a segment value the row does not have (no operator, never scored)


@dataclass(frozen=True)
class FunnelRow:
    key: str
    funnel: Funnel


@dataclass(frozen=True)
class Heatmap:
    """Dials and conversations per local weekday (0 = Monday) × hour (0–23)."""

    dials: tuple[tuple[int, ...], ...]
    conversations: tuple[tuple[int, ...], ...]

    def rate(self, weekday: int, hour: int) -> float | None:
        n = self.dials[weekday][hour]
        return self.conversations[weekday][hour] / n if n else None


@dataclass(frozen=True)
class WeekPoint:
    """One local week (starting Monday) of the trend series."""

    week: date
    dials: int
    conversations: int
    winbacks: int
    revenue: int


@dataclass(frozen=True)
class ReasonCount:
    """How often a reason was heard, from how many customers, and per week (the trend)."""

    reason: str
    heard: int
    customers: int
    weekly: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReasonNote:
    customer_id: str
    at: datetime
    operator: str | None
    note: str


@dataclass(frozen=True)
class Period:
    """[since, until) as aware instants; dates are local midnights in `zone`."""

    since: datetime
    until: datetime
    zone: tzinfo

    @classmethod
    def of(cls, since: date | datetime, until: date | datetime, zone: tzinfo) -> Period:
        return cls(_instant(since, zone), _instant(until, zone), zone)

    def weeks(self) -> list[date]:
        """The Monday of every local week the period touches, oldest first."""
        first = monday(self.since.astimezone(self.zone).date())
        last = monday((self.until - timedelta(microseconds=1)).astimezone(self.zone).date())
        return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


@dataclass(frozen=True)
class Reasons:
    counts: list[ReasonCount]
    by_kind: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    by_category: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _instant(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.min, tzinfo=zone)


def _dials(period: Period) -> Any:
    return calls_between(period.since, period.until)


def funnel_by(bind: Engine | Connection, segment: str, period: Period) -> list[FunnelRow]:
    """The funnel per operator, customer kind or lifecycle state (the queue's latest scoring),
    most dials first; a missing value is `unknown`."""
    if segment not in SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}: one of {', '.join(SEGMENTS)}")
    source: Any = attempts
    if segment == "operator":
        key: Any = attempts.c.operator
    elif segment == "kind":
        source = attempts.join(customers, customers.c.id == attempts.c.customer_id)
        key = customers.c.kind
    else:
        source = attempts.outerjoin(scores, scores.c.customer_id == attempts.c.customer_id)
        key = scores.c.state
    stmt = select(key, *funnel_columns()).select_from(source).where(_dials(period)).group_by(key)
    totals: dict[str, Funnel] = defaultdict(Funnel)
    with connection_of(bind) as conn:
        for value, *figures in conn.execute(stmt):
            totals[value or UNKNOWN] += funnel_of(*figures)
    rows = [FunnelRow(k, f) for k, f in totals.items()]
    rows.sort(key=lambda r: (-r.funnel.dials, r.key))
    return rows


def _heatmap(figures: CallFigures, zone: tzinfo) -> Heatmap:
    dials = [[0] * 24 for _ in range(7)]
    talked = [[0] * 24 for _ in range(7)]
    for start, f in figures.quarters.items():
        local = start.astimezone(zone)
        dials[local.weekday()][local.hour] += f.dials
        talked[local.weekday()][local.hour] += f.conversations
    return Heatmap(tuple(map(tuple, dials)), tuple(map(tuple, talked)))


def _weekly(figures: CallFigures, period: Period) -> list[WeekPoint]:
    weeks: dict[date, Funnel] = {week: Funnel() for week in period.weeks()}
    for week, f in figures.by_week(period.zone).items():
        weeks[week] = weeks.get(week, Funnel()) + f
    return [
        WeekPoint(w, f.dials, f.conversations, f.winbacks, f.revenue)
        for w, f in sorted(weeks.items())
    ]


def _figures(bind: Engine | Connection, period: Period) -> CallFigures:
    return call_figures(bind, period.since, period.until)


def contact_heatmap(bind: Engine | Connection, period: Period) -> Heatmap:
    """Dials and conversations per local weekday × hour of the period."""
    return _heatmap(_figures(bind, period), period.zone)


def weekly_trend(bind: Engine | Connection, period: Period) -> list[WeekPoint]:
    """Dials, conversations, win-backs and revenue per local week, every week of the period."""
    return _weekly(_figures(bind, period), period)


def reason_counts(bind: Engine | Connection, period: Period) -> list[ReasonCount]:
    """Each reason heard in the period: times, distinct customers, and the count per local week
    (aligned with `period.weeks()`); most heard first."""
    weeks = period.weeks()
    index = {week: i for i, week in enumerate(weeks)}
    with connection_of(bind) as conn:
        totals = reason_totals(conn, period.since, period.until)
        hour, quarter = quarter_bucket(conn)
        per_quarter = conn.execute(
            select(attempts.c.reason, hour, quarter, func.count())
            .where(heard(period.since, period.until))
            .group_by(attempts.c.reason, hour, quarter)
        ).all()
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    for reason, h, q, n in per_quarter:
        week = monday(utc_quarter(h, q).astimezone(period.zone).date())
        series[reason][index[week]] += int(n)
    return [ReasonCount(t.reason, t.heard, t.customers, tuple(series[t.reason])) for t in totals]


def top_reasons(
    bind: Engine | Connection, period: Period, by: str, limit: int = 3
) -> dict[str, list[tuple[str, int]]]:
    """The most heard reasons per customer kind (`by="kind"`) or main purchase category
    (`by="category"`): value → [(reason, times)], at most `limit` each, most heard first."""
    if by == "kind":
        key: Any = customers.c.kind
        source: Any = attempts.join(customers, customers.c.id == attempts.c.customer_id)
    elif by == "category":
        key = func.coalesce(metrics.c.main_category, literal(UNKNOWN))
        source = attempts.outerjoin(metrics, metrics.c.customer_id == attempts.c.customer_id)
    else:
        raise ValueError(f"unknown grouping {by!r}: kind or category")
    stmt = (
        select(key, attempts.c.reason, func.count())
        .select_from(source)
        .where(heard(period.since, period.until))
        .group_by(key, attempts.c.reason)
    )
    grouped: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with connection_of(bind) as conn:
        for value, reason, n in conn.execute(stmt):
            grouped[value].append((reason, int(n)))
    return {
        value: sorted(pairs, key=lambda p: (-p[1], p[0]))[:limit]
        for value, pairs in sorted(grouped.items())
    }


def reason_notes(
    bind: Engine | Connection, reason: str, period: Period, limit: int = 10
) -> list[ReasonNote]:
    """The latest notes recorded with `reason` in the period, newest first."""
    stmt = (
        select(customers.c.external_id, attempts.c.at, attempts.c.operator, attempts.c.note)
        .select_from(attempts.join(customers, customers.c.id == attempts.c.customer_id))
        .where(heard(period.since, period.until), attempts.c.reason == reason)
        .where(noted())
        .order_by(attempts.c.at.desc(), attempts.c.id.desc())
        .limit(limit)
    )
    with connection_of(bind) as conn:
        return [ReasonNote(ext, at, op, note) for ext, at, op, note in conn.execute(stmt)]


def reasons_heard(bind: Engine | Connection, period: Period, limit: int = 3) -> Reasons:
    return Reasons(
        reason_counts(bind, period),
        top_reasons(bind, period, "kind", limit),
        top_reasons(bind, period, "category", limit),
    )


@dataclass(frozen=True)
class Overview:
    """Everything the supervisor screen shows except the script table, read in one go."""

    period: Period
    total: Funnel
    by_segment: dict[str, list[FunnelRow]]
    heatmap: Heatmap
    trend: list[WeekPoint]
    reasons: Reasons


def overview(bind: Engine | Connection, period: Period) -> Overview:
    with connection_of(bind) as conn:
        figures = _figures(conn, period)
        return Overview(
            period=period,
            total=figures.total(),
            by_segment={s: funnel_by(conn, s, period) for s in SEGMENTS},
            heatmap=_heatmap(figures, period.zone),
            trend=_weekly(figures, period),
            reasons=reasons_heard(conn, period),
        )
