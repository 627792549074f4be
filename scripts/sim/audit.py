"""An independent audit of every dial against the README's calling rules.

Re-implemented here from the README's text ("Calling rules" in the queue
section) and the simulator's own log; it never imports the product's rule code.

- windows in the customer's local time per weekday (default Mon–Sat 09:00–20:00, none on Sunday;
  a call may start at 09:00 and not at 20:00), every zone of the number;
- no calls on JP public holidays (`holidays` package);
- no call to a customer with a do-not-call flag or after a do_not_call / not_interested outcome;
- no call to a number after it turned out wrong;
- retry gaps after the most recent attempt: no_answer 4 h, busy 30 min, voicemail 1 day,
  no_decision (検討中) 7 days, contact_changed 1 day, reactivated and complaint 30 days;
- at most 2 attempts per local day and at most 5 in any rolling 7 days.

A call that keeps a callback the customer asked for (the first call from 5 minutes before the
promised time on) is exempt from gaps and caps: the customer asked for it.  Such calls are
counted apart (`waived`), never hidden.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from phonenumbers import timezone as phone_timezone

DEFAULT_WINDOWS: dict[int, tuple[time, time] | None] = {
    d: (time(9), time(20)) for d in range(6)
} | {6: None}
GAPS = {
    "no_answer": timedelta(hours=4),
    "busy": timedelta(minutes=30),
    "voicemail": timedelta(days=1),
    "no_decision": timedelta(days=7),
    "contact_changed": timedelta(days=1),
    "reactivated": timedelta(days=30),
    "complaint": timedelta(days=30),
}
REFUSALS = {"not_interested", "do_not_call"}
CALLBACK_EARLY = timedelta(minutes=5)


@dataclass(frozen=True)
class Dial:
    customer_id: str
    at: datetime
    outcome: str
    callback_at: datetime | None = None


@dataclass(frozen=True)
class AuditRules:
    windows: dict[int, tuple[time, time] | None] = field(
        default_factory=lambda: dict(DEFAULT_WINDOWS)
    )
    holiday_country: str = "JP"
    max_per_day: int = 2
    max_in_7_days: int = 5


@dataclass
class AuditReport:
    checked: int = 0
    violations: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    waived: int = 0

    @property
    def total(self) -> int:
        return sum(self.violations.values())


def zones_for(phone: str, region: str = "JP") -> tuple[str, ...]:
    number = phonenumbers.parse(phone, region)
    zones = tuple(z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    return zones or ("Asia/Tokyo",)


def audit(dials: Iterable[Dial], history: Iterable[Dial], zones: dict[str, tuple[str, ...]],
          do_not_call: set[str], rules: AuditRules | None = None) -> AuditReport:  # fmt: skip
    """Check every dial in `dials`; `history` (earlier attempts, e.g. imported) only informs the rules."""
    rules = rules or AuditRules()
    report = AuditReport()
    past: dict[str, list[Dial]] = defaultdict(list)
    for d in sorted(history, key=lambda d: d.at):
        past[d.customer_id].append(d)
    cache: dict[int, holidays.HolidayBase] = {}
    for dial in sorted(dials, key=lambda d: d.at):
        report.checked += 1
        before = past[dial.customer_id]
        found = _check(
            dial,
            before,
            zones.get(dial.customer_id, ("Asia/Tokyo",)),
            dial.customer_id in do_not_call,
            rules,
            cache,
        )
        waived = _keeps_callback(dial, before)
        for rule in found:
            if waived and rule in ("retry_gap", "daily_cap", "weekly_cap"):
                report.waived += 1
                continue
            report.violations[rule] += 1
            if len(report.examples) < 20:
                report.examples.append(f"{rule}: {dial.customer_id} at {dial.at.isoformat()}")
        before.append(dial)
    return report


def _check(dial: Dial, before: list[Dial], zones: tuple[str, ...], flagged: bool, rules: AuditRules,
           cache: dict[int, holidays.HolidayBase]) -> list[str]:  # fmt: skip
    found = []
    for name in zones:
        local = dial.at.astimezone(ZoneInfo(name))
        window = rules.windows.get(local.weekday())
        if window is None or not (window[0] <= local.time() < window[1]):
            found.append("outside_window")
        if _is_holiday(local.date(), rules.holiday_country, cache):
            found.append("holiday")
    if flagged or any(d.outcome == "do_not_call" for d in before):
        found.append("do_not_call")
    if any(d.outcome == "not_interested" for d in before):
        found.append("refused")
    if any(d.outcome == "wrong_number" for d in before):
        found.append("wrong_number")
    if before:
        last = before[-1]
        gap = GAPS.get(last.outcome)
        if gap is not None and dial.at - last.at < gap:
            found.append("retry_gap")
    home = ZoneInfo(zones[0])
    today = dial.at.astimezone(home).date()
    if sum(1 for d in before if d.at.astimezone(home).date() == today) + 1 > rules.max_per_day:
        found.append("daily_cap")
    if sum(1 for d in before if dial.at - d.at < timedelta(days=7)) + 1 > rules.max_in_7_days:
        found.append("weekly_cap")
    return sorted(set(found), key=found.index)


def _keeps_callback(dial: Dial, before: list[Dial]) -> bool:
    """The first call from 5 minutes before a callback the customer asked for keeps that promise."""
    for i in range(len(before) - 1, -1, -1):
        d = before[i]
        if d.outcome == "callback" and d.callback_at is not None:
            opens = d.callback_at - CALLBACK_EARLY
            later = before[i + 1 :]
            return dial.at >= opens and not any(x.at >= opens for x in later)
    return False


def _is_holiday(day: date, country: str, cache: dict[int, holidays.HolidayBase]) -> bool:
    if day.year not in cache:
        cache[day.year] = holidays.country_holidays(country, years=day.year)
    return day in cache[day.year]
