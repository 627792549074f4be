"""The supervisor's figures from `contact_attempts`: the funnel, the contact-rate heatmap, the
reasons customers gave and weekly trends, counted in SQL on SQLite and PostgreSQL.

A dial is an outbound call attempt; a conversation is an attempt whose outcome reached the
customer (`CONTACTED_OUTCOMES`, the definition script statistics use); a win-back is the
`reactivated` outcome, its amount the revenue.  Local hours, weekdays and weeks are in the
configured zone: the database groups attempts by UTC quarter-hour (one row per quarter
with calls, never one per call) and Python places each quarter in the zone, which is exact for
every zone in use (every offset is a whole number of quarter-hours: Asia/Tokyo, India's +5:30,
Nepal's +5:45, with DST).  `workbench report` counts its weeks from the same quarters.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine, Integer, case, func, literal, select

from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.store.models import ContactAttempt, Customer, CustomerMetrics, QueueScore
from workbench.talk.stats import SUCCESS_OUTCOME

attempts = ContactAttempt.__table__
customers = Customer.__table__
metrics = CustomerMetrics.__table__
scores = QueueScore.__table__

SEGMENTS: tuple[str, ...] = ("operator", "kind", "state")
UNKNOWN = "unknown"  # a segment value the row does not have (no operator, never scored)


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
        first = _monday(self.since.astimezone(self.zone).date())
        last = _monday((self.until - timedelta(microseconds=1)).astimezone(self.zone).date())
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


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _connect(bind: Engine | Connection) -> AbstractContextManager[Connection]:
    return bind.connect() if isinstance(bind, Engine) else nullcontext(bind)


def _dials(period: Period) -> Any:
    return _calls_between(period.since, period.until)


def _calls_between(since: datetime | None, until: datetime | None) -> Any:
    """Outbound calls at or after `since` and before `until` (either open)."""
    clause = (attempts.c.channel == "call") & (attempts.c.direction == "outbound")
    if since is not None:
        clause &= attempts.c.at >= since
    if until is not None:
        clause &= attempts.c.at < until
    return clause


def _quarter_bucket(conn: Connection) -> tuple[Any, Any]:
    """The attempt's UTC hour as text 'YYYY-MM-DD HH' and its quarter (0–3) within the hour
    (SQLite stores UTC text)."""
    if conn.dialect.name == "sqlite":
        minute = func.cast(func.strftime("%M", attempts.c.at), Integer)
        return func.strftime("%Y-%m-%d %H", attempts.c.at), minute // 15
    utc = func.timezone("UTC", attempts.c.at)
    return func.to_char(utc, "YYYY-MM-DD HH24"), func.floor(func.extract("minute", utc) / 15)


def _utc_quarter(hour: str, quarter: Any) -> datetime:
    start = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return start + timedelta(minutes=15 * int(quarter))


_CONTACTED = attempts.c.outcome.in_(sorted(CONTACTED_OUTCOMES))
_WON = attempts.c.outcome == SUCCESS_OUTCOME


def _funnel_columns() -> list[Any]:
    return [
        func.count(),
        func.sum(case((_CONTACTED, 1), else_=0)),
        func.sum(case((_WON, 1), else_=0)),
        func.sum(case((_WON, func.coalesce(attempts.c.amount, 0)), else_=0)),
    ]


def _funnel(n: Any, talked: Any, won: Any, amount: Any) -> Funnel:
    # PostgreSQL sums into NUMERIC (Decimal); every figure is a whole number.
    return Funnel(int(n or 0), int(talked or 0), int(won or 0), int(amount or 0))


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
    stmt = select(key, *_funnel_columns()).select_from(source).where(_dials(period)).group_by(key)
    totals: dict[str, Funnel] = defaultdict(Funnel)
    with _connect(bind) as conn:
        for value, *figures in conn.execute(stmt):
            totals[value or UNKNOWN] += _funnel(*figures)
    rows = [FunnelRow(k, f) for k, f in totals.items()]
    rows.sort(key=lambda r: (-r.funnel.dials, r.key))
    return rows


@dataclass(frozen=True)
class HourlyFigures:
    """The funnel per UTC quarter-hour (its start) of the period: the heatmap and the weekly
    trends (the supervisor's and the report's) come from it."""

    hours: dict[datetime, Funnel]

    def heatmap(self, zone: tzinfo) -> Heatmap:
        dials = [[0] * 24 for _ in range(7)]
        talked = [[0] * 24 for _ in range(7)]
        for hour, f in self.hours.items():
            local = hour.astimezone(zone)
            dials[local.weekday()][local.hour] += f.dials
            talked[local.weekday()][local.hour] += f.conversations
        return Heatmap(tuple(map(tuple, dials)), tuple(map(tuple, talked)))

    def by_week(self, zone: tzinfo) -> dict[date, Funnel]:
        """The funnel per local week (its Monday) that has calls."""
        weeks: dict[date, Funnel] = defaultdict(Funnel)
        for hour, f in self.hours.items():
            weeks[_monday(hour.astimezone(zone).date())] += f
        return dict(weeks)

    def weekly(self, period: Period) -> list[WeekPoint]:
        weeks: dict[date, Funnel] = {week: Funnel() for week in period.weeks()}
        for week, f in self.by_week(period.zone).items():
            weeks[week] = weeks.get(week, Funnel()) + f
        return [
            WeekPoint(w, f.dials, f.conversations, f.winbacks, f.revenue)
            for w, f in sorted(weeks.items())
        ]

    def total(self) -> Funnel:
        return sum(self.hours.values(), Funnel())


def hourly_figures(bind: Engine | Connection, period: Period) -> HourlyFigures:
    return call_figures(bind, period.since, period.until)


def call_figures(
    bind: Engine | Connection, since: datetime | None, until: datetime | None
) -> HourlyFigures:
    """The outbound calls' funnel per UTC quarter-hour from `since` to `until` (either open)."""
    with _connect(bind) as conn:
        hour, quarter = _quarter_bucket(conn)
        stmt = (
            select(hour, quarter, *_funnel_columns())
            .where(_calls_between(since, until))
            .group_by(hour, quarter)
        )
        quarters: dict[datetime, Funnel] = defaultdict(Funnel)
        for h, q, *rest in conn.execute(stmt):
            quarters[_utc_quarter(h, q)] += _funnel(*rest)
        return HourlyFigures(dict(quarters))


def contact_heatmap(bind: Engine | Connection, period: Period) -> Heatmap:
    """Dials and conversations per local weekday × hour of the period."""
    return hourly_figures(bind, period).heatmap(period.zone)


def weekly_trend(bind: Engine | Connection, period: Period) -> list[WeekPoint]:
    """Dials, conversations, win-backs and revenue per local week, every week of the period."""
    return hourly_figures(bind, period).weekly(period)


def _heard(period: Period) -> Any:
    """Calls of the period that reached the customer and recorded the reason they gave (a reason
    cannot be heard on an unanswered call or read from an email event; `workbench report` counts
    the same)."""
    return (
        (attempts.c.channel == "call")
        & _CONTACTED
        & attempts.c.reason.is_not(None)
        & (attempts.c.at >= period.since)
        & (attempts.c.at < period.until)
    )


def reason_counts(bind: Engine | Connection, period: Period) -> list[ReasonCount]:
    """Each reason heard in the period: times, distinct customers, and the count per local week
    (aligned with `period.weeks()`); most heard first."""
    weeks = period.weeks()
    index = {week: i for i, week in enumerate(weeks)}
    with _connect(bind) as conn:
        totals = conn.execute(
            select(attempts.c.reason, func.count(), func.count(attempts.c.customer_id.distinct()))
            .where(_heard(period))
            .group_by(attempts.c.reason)
        ).all()
        hour, quarter = _quarter_bucket(conn)
        per_quarter = conn.execute(
            select(attempts.c.reason, hour, quarter, func.count())
            .where(_heard(period))
            .group_by(attempts.c.reason, hour, quarter)
        ).all()
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    for reason, h, q, n in per_quarter:
        week = _monday(_utc_quarter(h, q).astimezone(period.zone).date())
        series[reason][index[week]] += int(n)
    rows = [ReasonCount(r, int(n), int(c), tuple(series[r])) for r, n, c in totals]
    rows.sort(key=lambda r: (-r.heard, r.reason))
    return rows


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
        .where(_heard(period))
        .group_by(key, attempts.c.reason)
    )
    grouped: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with _connect(bind) as conn:
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
        .where(_heard(period), attempts.c.reason == reason)
        .where(attempts.c.note.is_not(None), func.trim(attempts.c.note) != "")
        .order_by(attempts.c.at.desc(), attempts.c.id.desc())
        .limit(limit)
    )
    with _connect(bind) as conn:
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
    with _connect(bind) as conn:
        hourly = hourly_figures(conn, period)
        return Overview(
            period=period,
            total=hourly.total(),
            by_segment={s: funnel_by(conn, s, period) for s in SEGMENTS},
            heatmap=hourly.heatmap(period.zone),
            trend=hourly.weekly(period),
            reasons=reasons_heard(conn, period),
        )
