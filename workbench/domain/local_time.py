"""Times as people and tools read them: every printed instant in a zone, with its offset.

The store keeps instants in UTC; nothing leaves the workbench in UTC unless UTC is the
zone that counts.  A time that belongs to a customer (their orders, calls, callbacks,
the next instant they may be called) is shown in the customer's zone; any other (the
instant a command acts at, script figures) in the configured zone (`timezone`).  Both
come out as ISO 8601 with the offset, so `2026-11-04T09:00:00+09:00` names the same
instant any ISO parser read before as `2026-11-04T00:00:00+00:00`.  A date (an order's
day) is the local date in that zone, never the UTC date: an order at 00:30 in Tokyo
is on that day, not the day before.

Every face formats times through this module, so the rule has one home.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from workbench.domain.calling_calendar import zone_info


def zone_named(name: str | None, default: str | tzinfo = UTC) -> tzinfo:
    """The zone called `name`; `default` (a name or a zone) when it is empty or unknown."""
    found = zone_info(name) if name else None
    if found is not None:
        return found
    if isinstance(default, str):
        return zone_info(default) or UTC
    return default


def home_zone(number_zones: Iterable[Sequence[str]], default: str) -> tzinfo:
    """A customer's zone: that of their first number that maps to exactly one known zone.

    A number spanning several zones (US toll-free, some area codes) says nothing about
    where the person is, so it is passed over; without any, the configured zone.
    """
    for zones in number_zones:
        known = [z for z in zones if zone_info(z) is not None]
        if len(known) == 1:
            return ZoneInfo(known[0])
    return zone_named(default)


def zone_name(zone: tzinfo) -> str:
    """The IANA name of a zone (`Asia/Tokyo`), as settings and phone rows spell it."""
    return str(getattr(zone, "key", None) or zone.tzname(None) or "UTC")


def split_zones(stored: str | None) -> tuple[str, ...]:
    """A phone row's stored `time_zones` ("Asia/Tokyo" or "A,B,C") as a tuple."""
    return tuple(z for z in (stored or "").split(",") if z)


def in_zone(at: datetime | None, zone: tzinfo) -> datetime | None:
    """The same instant on the clock of `zone` (a naive value is taken as UTC, as stored)."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(zone)


def iso(at: datetime | None, zone: tzinfo) -> str | None:
    """ISO 8601 with the offset of `zone`: `2026-11-04T09:00:00+09:00`; None stays None."""
    local = in_zone(at, zone)
    return None if local is None else local.isoformat()


def iso_date(at: datetime | None, zone: tzinfo) -> str | None:
    """The local date in `zone`, ISO 8601 (`1997-10-01`); None stays None."""
    local = in_zone(at, zone)
    return None if local is None else local.date().isoformat()


def localised(row: Mapping[str, object], zone: tzinfo) -> dict[str, object]:
    """A record with every datetime value as ISO 8601 in `zone`, the other values as they are."""
    return {k: iso(v, zone) if isinstance(v, datetime) else v for k, v in row.items()}
