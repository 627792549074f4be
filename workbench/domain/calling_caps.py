"""The attempt caps (per day, per ISO week or rolling 7 days, per campaign) as calling rules.

Each rule takes an instant and answers None (open) or (code, when it opens again); a
callback's waiver opens every cap from its slot on.  Composed in ``calling_rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workbench.domain.calling_calendar import local_midnight
from workbench.domain.calling_values import BlockCode

Rule = Callable[[datetime], tuple[BlockCode, datetime | None] | None]


def waived(t: datetime, waiver: datetime | None) -> bool:
    return waiver is not None and t >= waiver


def release_at(candidate: datetime | None, t: datetime, waiver: datetime | None) -> datetime | None:
    """The earlier of a rule's own release and a waiver still ahead of t."""
    if waiver is None or waiver <= t:
        return candidate
    return waiver if candidate is None else min(candidate, waiver)


@dataclass(frozen=True)
class Period:
    start: Callable[[date], date]  # the first local day of the period containing a day
    length: timedelta
    code: BlockCode


def cap_rule(
    attempts: list[datetime],
    cap: int,
    zone: ZoneInfo,
    period: Period,
    waiver: datetime | None,
) -> Rule:
    """At most ``cap`` attempts per local period (day or ISO week) of ``zone``."""
    counts: dict[date, int] = {}
    for a in attempts:
        key = period.start(a.astimezone(zone).date())
        counts[key] = counts.get(key, 0) + 1

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        current = period.start(t.astimezone(zone).date())
        if counts.get(current, 0) < cap or waived(t, waiver):
            return None
        release: datetime | None = None
        if cap > 0:
            nxt = current + period.length
            while counts.get(nxt, 0) >= cap:
                nxt += period.length
            release = local_midnight(nxt, zone)
        return period.code, release_at(release, t, waiver)

    return rule


def rolling_cap_rule(
    attempts: list[datetime], cap: int, span: timedelta, waiver: datetime | None
) -> Rule:
    """At most ``cap`` attempts in any ``span`` ending at the instant (attempts at > t − span).

    Every known attempt precedes the instants judged, so the count only falls as t advances:
    it drops below the cap when the cap-th newest attempt leaves the window.
    """
    ordered = sorted(attempts)

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        if waived(t, waiver):
            return None
        inside = [a for a in ordered if a > t - span]
        if len(inside) < cap:
            return None
        release = inside[len(inside) - cap] + span if cap > 0 else None
        return BlockCode.WEEKLY_CAP, release_at(release, t, waiver)

    return rule


def campaign_rule(count: int, cap: int, waiver: datetime | None) -> Rule:
    """At most ``cap`` attempts in the campaign: once reached, never again (bar a callback)."""

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        if count < cap or waived(t, waiver):
            return None
        return BlockCode.CAMPAIGN_CAP, release_at(None, t, waiver)

    return rule


def day_start(day: date) -> date:
    return day


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
