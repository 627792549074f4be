"""Calling hours in the called party's zones: windows, public holidays, the next opening.

Part of the calling rules (see calling_rules): pure functions of instants, zone names and the
policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from workbench.domain.calling_values import DEFAULT_POLICY, UNKNOWN_ZONE, BlockCode, CallingPolicy


def window_check(
    at: datetime, zones: Sequence[str], policy: CallingPolicy = DEFAULT_POLICY
) -> bool:
    """True when ``at`` is inside the calling window, on a non-holiday, in every zone.

    Unknown or missing zones count as ``policy.default_zone``; holidays are the policy's country's,
    judged on each zone's local date.
    """
    at = utc(at)
    return all(_zone_block(at, zone, policy) is None for zone in _zone_infos(zones, policy))


def next_window_open(
    at: datetime, zones: Sequence[str], policy: CallingPolicy = DEFAULT_POLICY
) -> datetime | None:
    """The earliest instant ≥ ``at`` (UTC) inside the window in every zone; ``at`` if open now.

    None when the zones share no window within ``policy.horizon_days`` (e.g. a US toll-free number
    spanning Guam to American Samoa under an 11-hour window).
    """
    at = utc(at)
    infos = _zone_infos(zones, policy)
    limit = at + timedelta(days=policy.horizon_days)
    t = at
    # Each zone's next opening is a lower bound on the common one; iterate to the fixed point.
    while t <= limit:
        opens = [_zone_next_open(t, zone, policy, limit) for zone in infos]
        if any(o is None for o in opens):
            return None
        latest = max(o for o in opens if o is not None)
        if latest == t:
            return t
        t = latest
    return None


def resolve_zones(zones: Sequence[str], policy: CallingPolicy = DEFAULT_POLICY) -> tuple[str, ...]:
    """The zones to judge a number by: known IANA names, else the policy's default zone."""
    return tuple(z.key for z in _zone_infos(zones, policy))


def is_closed_day(day: date, policy: CallingPolicy = DEFAULT_POLICY) -> bool:
    """A public holiday of ``policy.holiday_country`` or one of ``policy.closed_dates``."""
    if day in policy.closed_dates:
        return True
    if policy.holiday_country is None:
        return False
    return day in _holiday_dates(policy.holiday_country, policy.holiday_subdiv, day.year)


def number_block(t: datetime, zones: Sequence[str], policy: CallingPolicy) -> BlockCode | None:
    blocks = [_zone_block(t, zone, policy) for zone in _zone_infos(zones, policy)]
    if BlockCode.HOLIDAY in blocks:
        return BlockCode.HOLIDAY
    if BlockCode.OUTSIDE_WINDOW in blocks:
        return BlockCode.OUTSIDE_WINDOW
    return None


def _zone_block(t: datetime, zone: ZoneInfo, policy: CallingPolicy) -> BlockCode | None:
    day = t.astimezone(zone).date()
    if is_closed_day(day, policy):
        return BlockCode.HOLIDAY
    interval = _day_interval(day, zone, policy)
    if interval is None or not interval[0] <= t < interval[1]:
        return BlockCode.OUTSIDE_WINDOW
    return None


def _day_interval(
    day: date, zone: ZoneInfo, policy: CallingPolicy
) -> tuple[datetime, datetime] | None:
    """The window of one local day as a UTC interval, or None if closed that day."""
    if is_closed_day(day, policy):
        return None
    window = policy.windows.get(day.weekday())
    if window is None:
        return None
    start = datetime.combine(day, window[0], tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, window[1], tzinfo=zone).astimezone(UTC)
    return (start, end) if start < end else None


def _zone_next_open(
    t: datetime, zone: ZoneInfo, policy: CallingPolicy, limit: datetime
) -> datetime | None:
    """The earliest instant ≥ t inside the window in one zone, scanning local days up to limit."""
    day = t.astimezone(zone).date()
    while True:
        interval = _day_interval(day, zone, policy)
        if interval is not None and t < interval[1]:
            return max(t, interval[0])
        day += timedelta(days=1)
        if local_midnight(day, zone) > limit:
            return None


def _zone_infos(zones: Sequence[str], policy: CallingPolicy) -> list[ZoneInfo]:
    infos = [info for z in zones if (info := zone_info(z)) is not None]
    return infos or [ZoneInfo(policy.default_zone)]


@lru_cache(maxsize=512)
def zone_info(name: str) -> ZoneInfo | None:
    if not name or name == UNKNOWN_ZONE:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # Where a DST jump skips midnight, fold=0 maps it to the first instant of the new day.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("calling rules need aware datetimes")
    return at.astimezone(UTC)
