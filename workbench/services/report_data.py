"""The figures of `workbench report`: what the calls achieved in a period, per script, per
week and per reason heard, read from `contact_attempts` (SQLite and PostgreSQL alike).

UI-free: the HTML and CSV writers in `workbench.report` only lay these values out.  The
script table is `script_stats`'s (the same totals, Wilson bounds and P(best)); only the
period's end is added here, since `script_report` has a start only.

The KPIs against the control group are `services.kpi`'s, for the same dates (its default
period, the 90 days up to today, where the report's period is open).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import Engine, select

from workbench.config import Settings
from workbench.services.call_funnel import call_figures
from workbench.services.heard_reasons import heard, noted, reason_totals
from workbench.services.kpi import BREAKDOWNS, KpiReport, kpi_report, library_serves
from workbench.services.script_stats import script_report
from workbench.store.models import ContactAttempt
from workbench.talk.stats import ScriptGroup, wilson_interval

attempts = ContactAttempt.__table__


@dataclass(frozen=True)
class Funnel:
    """Outbound calls of a period: dials → conversations → win-backs, with the win-back rate
    per conversation (None without conversations) and its Wilson 95 % interval."""

    dials: int
    conversations: int
    reactivations: int
    revenue: int
    rate: float | None
    wilson_low: float
    wilson_high: float


@dataclass(frozen=True)
class Week:
    """One ISO week (Monday `start`, local dates in the configured zone) of the trend."""

    start: date
    funnel: Funnel


@dataclass(frozen=True)
class ReasonHeard:
    """A dormancy reason recorded on calls of the period: how often, from how many customers,
    how many of those calls won the customer back, and the latest notes written with it."""

    reason: str
    mentions: int
    customers: int
    reactivations: int
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows; `since`/`until` are the local dates asked for (inclusive)."""

    since: date | None
    until: date | None
    generated_at: datetime
    totals: Funnel
    weeks: tuple[Week, ...]
    scripts: tuple[ScriptGroup, ...]
    reasons: tuple[ReasonHeard, ...]
    kpis: KpiReport | None = None  # None: not asked for (no settings given)


def funnel(dials: int, conversations: int, reactivations: int, revenue: int) -> Funnel:
    low, high = wilson_interval(reactivations, conversations)
    rate = reactivations / conversations if conversations else None
    return Funnel(dials, conversations, reactivations, revenue, rate, low, high)


def _bounds(
    since: date | None, until: date | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    start = None if since is None else datetime.combine(since, time.min, tzinfo=zone)
    end = None if until is None else datetime.combine(until + timedelta(days=1), time.min, zone)
    return start, end


def _weeks(
    engine: Engine, start: datetime | None, end: datetime | None, zone: tzinfo
) -> list[Week]:
    """Calls per local ISO week, first to last, from the calls' quarter-hour funnel
    (one row per quarter-hour with calls, whatever the number of calls)."""
    sums = call_figures(engine, start, end).by_week(zone)
    if not sums:
        return []
    # Every week from the first to the last with a call: a week without calls is a zero on the
    # trend, not a gap the line would jump over.
    first, last = min(sums), max(sums)
    mondays = [first + timedelta(weeks=k) for k in range((last - first).days // 7 + 1)]
    empty = (0, 0, 0, 0)
    return [
        Week(m, funnel(*((f.dials, f.conversations, f.winbacks, f.revenue) if (f := sums.get(m)) else empty)))
        for m in mondays
    ]  # fmt: skip


def _reasons(
    engine: Engine, start: datetime | None, end: datetime | None, notes_per_reason: int
) -> list[ReasonHeard]:
    """The reasons heard (`services.heard_reasons`), most mentioned first, each with its latest
    `notes_per_reason` notes (stripped, blank ones skipped), newest first."""
    with_notes = (
        select(attempts.c.reason, attempts.c.note)
        .where(heard(start, end), noted())
        .order_by(attempts.c.at.desc(), attempts.c.id.desc())
    )
    notes: dict[str, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        totals = reason_totals(conn, start, end)
        for reason, note in conn.execute(with_notes):
            text = note.strip()  # also the Unicode spaces SQL's trim was not given
            if text and len(notes[reason]) < notes_per_reason:
                notes[reason].append(text)
    return [
        ReasonHeard(t.reason, t.heard, t.customers, t.winbacks, tuple(notes[t.reason]))
        for t in totals
    ]


def report_data(
    engine: Engine,
    since: date | None = None,
    until: date | None = None,
    *,
    zone: tzinfo = UTC,
    now: datetime | None = None,
    draws: int = 20_000,
    notes_per_reason: int = 3,
    settings: Settings | None = None,
) -> ReportData:
    """The report's figures for the local dates `since`…`until` (both inclusive, either open);
    with `settings`, the KPIs against the control group too."""
    if since is not None and until is not None and until < since:
        raise ValueError(f"the period ends ({until}) before it starts ({since})")
    start, end = _bounds(since, until, zone)
    weeks = _weeks(engine, start, end, zone)
    totals = funnel(
        sum(w.funnel.dials for w in weeks),
        sum(w.funnel.conversations for w in weeks),
        sum(w.funnel.reactivations for w in weeks),
        sum(w.funnel.revenue for w in weeks),
    )
    return ReportData(
        since=since,
        until=until,
        generated_at=now or datetime.now(UTC),
        totals=totals,
        weeks=tuple(weeks),
        scripts=tuple(script_report(engine, "reason", start, zone=zone, draws=draws, until=end)),
        reasons=tuple(_reasons(engine, start, end, notes_per_reason)),
        kpis=None if settings is None else _kpis(engine, settings, since, until, now),
    )


def _kpis(
    engine: Engine, settings: Settings, since: date | None, until: date | None, now: datetime | None
) -> KpiReport | None:
    """The KPIs with every breakdown (the CSV holds them all); None for a period that starts
    after today (nothing has happened in it yet)."""
    try:
        return kpi_report(engine, settings, since, until, BREAKDOWNS, now=now,
                          serves=library_serves(settings))  # fmt: skip
    except ValueError:
        return None
