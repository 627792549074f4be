"""The calling rules: may this customer be called at this instant, and if not, why and when?

This module is the single implementation used by the queue, the claim, the disposition-form check
and the audit. It is pure: plain frozen dataclasses in, a :class:`Verdict` out.

Rules (DOMAIN.md "Calling the right way"):

* Calling hours are judged in the *called party's* time zone(s), never the server's. A number
  whose phonenumbers zone list spans several zones (US toll-free, some area codes) is callable only
  when the instant is inside the window in **every** zone. An empty list or ``Etc/Unknown`` falls
  back to ``CallingPolicy.default_zone``. Windows are half-open, [start, end): a call may not start
  at 20:00 in a 09:00–20:00 window. No calls on public holidays (``holidays`` package) or on
  ``closed_dates``. Japan has no statutory hours; 09:00–20:00 Mon–Sat is the safe default. The US
  TCPA allows 08:00–21:00 local (``CallingPolicy.every_day``).
* A refusal (特定商取引法 Art. 17: ``not_interested``), a do-not-call request (customer, number, or
  a ``do_not_call`` outcome) and a marketing opt-out (GDPR Art. 21) block for good.
* ``wrong_number`` retires that number: the caller's ``retired`` flag, or a number whose last
  attempt ended ``wrong_number``.
* Retry gaps after the most recent attempt, by its outcome (no_answer 4 h, busy 30 min,
  voicemail 1 day, elapsed time). Caps per customer: attempts per local calendar day in the
  customer's home zone; per week either over the rolling 7 days up to the instant (attempts
  with ``at > t − 7 days``, as US Regulation F's 7-in-7 counts) or per local ISO week
  (``weekly_window = "iso_week"``, which allows twice the cap in 7 days across a Monday); and
  optionally per campaign.
* A pending callback: nobody calls before ``due − callback_window`` (reported as ``retry_gap``:
  the agreed time is the end of the gap). Its owner may call from then on. Another operator may
  call from ``due + callback_handover`` while the owner has no open session (no lease and
  nothing claimed or recorded within ``session_idle``), and from ``due + callback_owner_grace``
  in any case; before that they get ``callback_other_owner``. No operator (the team's view)
  sees every callback. The promised call is exempt from retry gaps and caps (the customer asked
  for it) but only once: any attempt made since ``due − callback_window`` counts as that call.
  Windows, holidays and every permanent block still apply.

The first blocking rule is reported in this order: do_not_call, refused, opted_out,
no_valid_number, callback_other_owner, campaign_cap, holiday, outside_window, retry_gap,
daily_cap, weekly_cap — permanent blocks first so a do-not-call customer never shows as merely
"outside the window". ``next_eligible_at`` is the earliest instant ≥ ``at`` at which *every* rule
passes, given the attempts known now (None: never, or not within ``horizon_days``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import phonenumbers
from phonenumbers import timezone as phone_timezone

from workbench.domain.codes import REFUSAL_OUTCOMES

__all__ = [
    "DEFAULT_POLICY",
    "BlockCode",
    "CallAttempt",
    "CallingPolicy",
    "CustomerContact",
    "PendingCallback",
    "PhoneNumber",
    "Verdict",
    "evaluate",
    "is_closed_day",
    "next_window_open",
    "resolve_zones",
    "session_end",
    "window_check",
]

UNKNOWN_ZONE: Final = "Etc/Unknown"
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_MAX_STEPS: Final = 10_000  # bound on the next-eligible search; each step passes a rule boundary
ROLLING_WEEK: Final = timedelta(days=7)  # elapsed time: 168 h, also across a DST change

Window = tuple[time, time]


class BlockCode(StrEnum):
    """Why a customer may not be called now (the first blocking rule)."""

    OUTSIDE_WINDOW = "outside_window"
    HOLIDAY = "holiday"
    RETRY_GAP = "retry_gap"
    DAILY_CAP = "daily_cap"
    WEEKLY_CAP = "weekly_cap"
    CAMPAIGN_CAP = "campaign_cap"
    DO_NOT_CALL = "do_not_call"
    REFUSED = "refused"
    OPTED_OUT = "opted_out"
    NO_VALID_NUMBER = "no_valid_number"
    CALLBACK_OTHER_OWNER = "callback_other_owner"


def _default_windows() -> dict[int, Window | None]:
    windows: dict[int, Window | None] = {day: (time(9), time(20)) for day in range(6)}
    windows[6] = None
    return windows


WEEKLY_WINDOWS: Final = ("rolling", "iso_week")
DEFAULT_CALLBACK_GRACE: Final = timedelta(minutes=30)


def _default_gaps() -> dict[str, timedelta]:
    return {
        "no_answer": timedelta(hours=4),
        "busy": timedelta(minutes=30),
        "voicemail": timedelta(days=1),
    }


@dataclass(frozen=True)
class CallingPolicy:
    """Calling hours, holidays, retry gaps, caps and callback timing.

    ``windows`` maps weekday (Monday 0) to a local (start, end) or None (no calls); a missing
    weekday means no calls. Caps of None are off. ``weekly_window`` is ``"rolling"`` (the last
    7 days) or ``"iso_week"`` (the local Monday–Sunday week). ``callback_handover`` (at most
    ``callback_owner_grace``) is how long after its time a callback waits for an owner who is
    not working; ``session_idle`` how long after a claim or a recorded call an operator counts
    as working.
    """

    windows: Mapping[int, Window | None] = field(default_factory=_default_windows)
    holiday_country: str | None = "JP"
    holiday_subdiv: str | None = None
    closed_dates: frozenset[date] = frozenset()
    default_zone: str = "Asia/Tokyo"
    retry_gaps: Mapping[str, timedelta] = field(default_factory=_default_gaps)
    daily_cap: int | None = 2
    weekly_cap: int | None = 5
    weekly_window: str = "rolling"
    campaign_cap: int | None = None
    callback_window: timedelta = timedelta(minutes=5)
    callback_owner_grace: timedelta = DEFAULT_CALLBACK_GRACE
    callback_handover: timedelta = timedelta(0)
    session_idle: timedelta = timedelta(minutes=30)
    horizon_days: int = 62

    def __post_init__(self) -> None:
        for day, window in self.windows.items():
            if day not in range(7):
                raise ValueError(f"weekday {day} is not 0..6")
            if window is not None and not window[0] < window[1]:
                raise ValueError(
                    f"window {window} must start before it ends (no overnight windows)"
                )
        ZoneInfo(self.default_zone)
        if any(gap < timedelta(0) for gap in self.retry_gaps.values()):
            raise ValueError("retry gaps must be >= 0")
        if self.callback_window < timedelta(0) or self.callback_owner_grace < timedelta(0):
            raise ValueError("callback window and grace must be >= 0")
        if not timedelta(0) <= self.callback_handover <= self.callback_owner_grace:
            raise ValueError("callback hand-over must be between 0 and the owner's grace")
        if self.session_idle < timedelta(0):
            raise ValueError("session idle time must be >= 0")
        if self.weekly_window not in WEEKLY_WINDOWS:
            raise ValueError(f"weekly window {self.weekly_window!r} is not one of {WEEKLY_WINDOWS}")

    @classmethod
    def every_day(cls, start: time, end: time, **kwargs: Any) -> CallingPolicy:
        """A policy with the same window on all seven days, e.g. the US TCPA's 08:00–21:00."""
        windows: dict[int, Window | None] = {day: (start, end) for day in range(7)}
        return cls(windows=windows, **kwargs)


DEFAULT_POLICY: Final = CallingPolicy()


@dataclass(frozen=True)
class PhoneNumber:
    """One number of a customer: E.164 text, phonenumbers time zones and suppression flags."""

    e164: str
    zones: tuple[str, ...] = ()
    retired: bool = False
    do_not_call: bool = False
    valid: bool = True

    @classmethod
    def parse(
        cls, raw: str, region: str = "JP", *, retired: bool = False, do_not_call: bool = False
    ) -> PhoneNumber:
        """Parse with phonenumbers: E.164 form, validity and ``time_zones_for_number``."""
        try:
            parsed = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            return cls(raw, (), retired, do_not_call, valid=False)
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        zones = tuple(phone_timezone.time_zones_for_number(parsed))
        return cls(e164, zones, retired, do_not_call, phonenumbers.is_valid_number(parsed))


@dataclass(frozen=True)
class CallAttempt:
    """A past call: when, its outcome code, and optionally the number dialled and the campaign."""

    at: datetime
    outcome: str
    number: str | None = None
    campaign_id: str | None = None


@dataclass(frozen=True)
class PendingCallback:
    """A callback promised for ``due``, owned by operator ``owner`` (None: anyone).

    What is known of the owner's session at the instant judged: ``owner_seen_at``, their latest
    claim or recorded call, and ``owner_lease_until``, the end of the latest lease they took
    (None: none). Nothing later is known, so the session is projected to end when both run out.
    """

    due: datetime
    owner: str | None = None
    owner_seen_at: datetime | None = None
    owner_lease_until: datetime | None = None


@dataclass(frozen=True)
class CustomerContact:
    """Everything the rules need about one customer.

    ``zone`` is the home zone for daily and weekly caps; by default the zone of the first
    single-zone dialable number, else the policy's default zone.
    """

    numbers: tuple[PhoneNumber, ...]
    attempts: tuple[CallAttempt, ...] = ()
    callback: PendingCallback | None = None
    do_not_call: bool = False
    refused: bool = False
    opted_out: bool = False
    zone: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The answer for one customer at one instant.

    ``next_eligible_at`` is ``at`` itself when callable, None when never (or beyond the search
    horizon). ``callback_due``: a pending callback's slot has begun (at ≥ due − window), overdue
    included; ``callback_overdue``: at > due + window. ``number`` is the number to dial when
    callable (the first dialable number inside its window).
    """

    callable: bool
    code: BlockCode | None
    next_eligible_at: datetime | None
    callback_due: bool = False
    callback_overdue: bool = False
    number: str | None = None


# A time-dependent rule: at instant t, None if it passes, else (code, earliest instant ≥ t at
# which it passes, or None for never).
Rule = Callable[[datetime], tuple[BlockCode, datetime | None] | None]


def evaluate(
    customer: CustomerContact,
    at: datetime,
    policy: CallingPolicy = DEFAULT_POLICY,
    *,
    operator: str | None = None,
    campaign_id: str | None = None,
) -> Verdict:
    """Apply every calling rule to ``customer`` at the aware instant ``at``.

    ``operator`` is who would dial (for callback ownership); ``campaign_id`` selects the attempts
    that count toward ``policy.campaign_cap``.
    """
    at = _utc(at)
    cb = customer.callback
    callback_due = cb is not None and at >= _utc(cb.due) - policy.callback_window
    callback_overdue = cb is not None and at > _utc(cb.due) + policy.callback_window

    def verdict(code: BlockCode | None, nxt: datetime | None, number: str | None = None) -> Verdict:
        return Verdict(code is None, code, nxt, callback_due, callback_overdue, number)

    permanent = _permanent_block(customer)
    if permanent is not None:
        return verdict(permanent, None)
    dialable = _dialable_numbers(customer, policy)
    if not dialable:
        usable = _usable_numbers(customer)
        return verdict(BlockCode.DO_NOT_CALL if usable else BlockCode.NO_VALID_NUMBER, None)

    rules = _time_rules(customer, dialable, policy, operator, campaign_id)
    first, earliest = _earliest_pass(rules, at)
    if first is not None:
        return verdict(first, earliest)
    number = next(n.e164 for n, zones in dialable if window_check(at, zones, policy))
    return verdict(None, at, number)


def _earliest_pass(rules: list[Rule], at: datetime) -> tuple[BlockCode | None, datetime | None]:
    """The first rule blocking at ``at`` and the earliest instant ≥ ``at`` passing every rule.

    Each rule's release is the earliest instant it passes, so it never jumps past the common
    earliest instant; jumping release to release therefore ends exactly there.
    """
    t = at
    first: BlockCode | None = None
    for _ in range(_MAX_STEPS):
        blocked = _first_block(rules, t)
        if blocked is None:
            return first, t
        code, release = blocked
        first = first or code
        if release is None:
            return first, None
        t = release
    return first, None


def window_check(
    at: datetime, zones: Sequence[str], policy: CallingPolicy = DEFAULT_POLICY
) -> bool:
    """True when ``at`` is inside the calling window, on a non-holiday, in every zone.

    Unknown or missing zones count as ``policy.default_zone``; holidays are the policy's country's,
    judged on each zone's local date.
    """
    at = _utc(at)
    return all(_zone_block(at, zone, policy) is None for zone in _zone_infos(zones, policy))


def next_window_open(
    at: datetime, zones: Sequence[str], policy: CallingPolicy = DEFAULT_POLICY
) -> datetime | None:
    """The earliest instant ≥ ``at`` (UTC) inside the window in every zone; ``at`` if open now.

    None when the zones share no window within ``policy.horizon_days`` (e.g. a US toll-free number
    spanning Guam to American Samoa under an 11-hour window).
    """
    at = _utc(at)
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


# --- permanent rules -------------------------------------------------------------------------


def _permanent_block(customer: CustomerContact) -> BlockCode | None:
    outcomes = {a.outcome for a in customer.attempts}
    if customer.do_not_call or "do_not_call" in outcomes:
        return BlockCode.DO_NOT_CALL
    if customer.refused or outcomes & REFUSAL_OUTCOMES:
        return BlockCode.REFUSED
    if customer.opted_out:
        return BlockCode.OPTED_OUT
    return None


def _usable_numbers(customer: CustomerContact) -> list[PhoneNumber]:
    """Valid numbers not retired (flag or last attempt on it was ``wrong_number``)."""
    last: dict[str, CallAttempt] = {}
    sole = customer.numbers[0].e164 if len(customer.numbers) == 1 else None
    for attempt in sorted(customer.attempts, key=lambda a: _utc(a.at)):
        # An attempt without a number can only be attributed when the customer has one number.
        number = attempt.number if attempt.number is not None else sole
        if number is not None:
            last[number] = attempt
    return [
        n
        for n in customer.numbers
        if n.valid
        and _E164.match(n.e164)
        and not n.retired
        and not (n.e164 in last and last[n.e164].outcome == "wrong_number")
    ]


def _dialable_numbers(
    customer: CustomerContact, policy: CallingPolicy
) -> list[tuple[PhoneNumber, tuple[str, ...]]]:
    return [
        (n, resolve_zones(n.zones, policy)) for n in _usable_numbers(customer) if not n.do_not_call
    ]


# --- time-dependent rules --------------------------------------------------------------------


def _time_rules(
    customer: CustomerContact,
    dialable: list[tuple[PhoneNumber, tuple[str, ...]]],
    policy: CallingPolicy,
    operator: str | None,
    campaign_id: str | None,
) -> list[Rule]:
    """The time-dependent rules in reporting order (after the permanent ones)."""
    home = _home_zone(customer, dialable, policy)
    attempts = [_utc(a.at) for a in customer.attempts]
    cb = customer.callback
    slot_start: datetime | None = None
    waiver: datetime | None = None
    rules: list[Rule] = []
    if cb is not None:
        due = _utc(cb.due)
        slot_start = due - policy.callback_window
        # The promised call itself is exempt from gaps and caps, but only once: any attempt
        # since the slot opened is that call, after which the ordinary pacing applies again.
        if not any(a >= slot_start for a in attempts):
            waiver = slot_start
        if cb.owner is not None and operator is not None and operator != cb.owner:
            rules.append(_handover_rule(cb, policy))
    if policy.campaign_cap is not None and campaign_id is not None:
        in_campaign = sum(1 for a in customer.attempts if a.campaign_id == campaign_id)
        rules.append(_campaign_rule(in_campaign, policy.campaign_cap, waiver))
    rules.append(_calendar_rule(dialable, policy))
    if slot_start is not None:
        rules.append(_before(slot_start, BlockCode.RETRY_GAP))  # nobody calls before the slot
    rules.append(_gap_rule(customer, policy, waiver))
    if policy.daily_cap is not None:
        daily = _Period(_day_start, timedelta(days=1), BlockCode.DAILY_CAP)
        rules.append(_cap_rule(attempts, policy.daily_cap, home, daily, waiver))
    if policy.weekly_cap is not None and policy.weekly_window == "iso_week":
        weekly = _Period(_week_start, timedelta(days=7), BlockCode.WEEKLY_CAP)
        rules.append(_cap_rule(attempts, policy.weekly_cap, home, weekly, waiver))
    elif policy.weekly_cap is not None:
        rules.append(_rolling_cap_rule(attempts, policy.weekly_cap, ROLLING_WEEK, waiver))
    return rules


def session_end(callback: PendingCallback, policy: CallingPolicy) -> datetime | None:
    """When the owner's open session ends if nothing more happens (None: never opened).

    An operator is working while holding a lease or within ``policy.session_idle`` of their
    latest claim or recorded call; the owner is working at t when t is before this instant.
    """
    ends = [_utc(callback.owner_lease_until)] if callback.owner_lease_until is not None else []
    if callback.owner_seen_at is not None:
        ends.append(_utc(callback.owner_seen_at) + policy.session_idle)
    return max(ends, default=None)


def _handover_rule(callback: PendingCallback, policy: CallingPolicy) -> Rule:
    """Another operator's turn: at due + hand-over while the owner is not working, at due + grace
    in any case."""
    due = _utc(callback.due)
    grace_end = due + policy.callback_owner_grace
    handover = due + policy.callback_handover
    working_until = session_end(callback, policy)

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        working = working_until is not None and t < working_until
        if t >= grace_end or (not working and t >= handover):
            return None
        if working and working_until is not None:  # the projected session ends, then hand over
            return BlockCode.CALLBACK_OTHER_OWNER, min(grace_end, max(working_until, handover))
        return BlockCode.CALLBACK_OTHER_OWNER, handover

    return rule


def _before(release: datetime, code: BlockCode) -> Rule:
    """Blocked with ``code`` until ``release``."""

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        return (code, release) if t < release else None

    return rule


def _waived(t: datetime, waiver: datetime | None) -> bool:
    return waiver is not None and t >= waiver


def _release(candidate: datetime | None, t: datetime, waiver: datetime | None) -> datetime | None:
    """The earlier of a rule's own release and a waiver still ahead of t."""
    if waiver is None or waiver <= t:
        return candidate
    return waiver if candidate is None else min(candidate, waiver)


def _first_block(rules: list[Rule], t: datetime) -> tuple[BlockCode, datetime | None] | None:
    for rule in rules:
        blocked = rule(t)
        if blocked is not None:
            return blocked
    return None


def _calendar_rule(
    dialable: list[tuple[PhoneNumber, tuple[str, ...]]], policy: CallingPolicy
) -> Rule:
    """Open when any dialable number is inside its window in all of its zones."""

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        codes = [_number_block(t, zones, policy) for _, zones in dialable]
        if any(code is None for code in codes):
            return None
        code = BlockCode.HOLIDAY if BlockCode.HOLIDAY in codes else BlockCode.OUTSIDE_WINDOW
        opens = [o for _, zones in dialable if (o := next_window_open(t, zones, policy))]
        return code, min(opens, default=None)

    return rule


def _gap_rule(customer: CustomerContact, policy: CallingPolicy, waiver: datetime | None) -> Rule:
    """Closed until the gap after the most recent attempt (by its outcome) has passed."""
    gap_end: datetime | None = None
    if customer.attempts:
        latest = max(customer.attempts, key=lambda a: _utc(a.at))
        gap = policy.retry_gaps.get(latest.outcome)
        if gap is not None:
            gap_end = _utc(latest.at) + gap

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        if gap_end is None or t >= gap_end or _waived(t, waiver):
            return None
        return BlockCode.RETRY_GAP, _release(gap_end, t, waiver)

    return rule


@dataclass(frozen=True)
class _Period:
    start: Callable[[date], date]  # the first local day of the period containing a day
    length: timedelta
    code: BlockCode


def _cap_rule(
    attempts: list[datetime],
    cap: int,
    zone: ZoneInfo,
    period: _Period,
    waiver: datetime | None,
) -> Rule:
    """At most ``cap`` attempts per local period (day or ISO week) of ``zone``."""
    counts: dict[date, int] = {}
    for a in attempts:
        key = period.start(a.astimezone(zone).date())
        counts[key] = counts.get(key, 0) + 1

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        current = period.start(t.astimezone(zone).date())
        if counts.get(current, 0) < cap or _waived(t, waiver):
            return None
        release: datetime | None = None
        if cap > 0:
            nxt = current + period.length
            while counts.get(nxt, 0) >= cap:
                nxt += period.length
            release = _local_midnight(nxt, zone)
        return period.code, _release(release, t, waiver)

    return rule


def _rolling_cap_rule(
    attempts: list[datetime], cap: int, span: timedelta, waiver: datetime | None
) -> Rule:
    """At most ``cap`` attempts in any ``span`` ending at the instant (attempts at > t − span).

    Every known attempt precedes the instants judged, so the count only falls as t advances:
    it drops below the cap when the cap-th newest attempt leaves the window.
    """
    ordered = sorted(attempts)

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        if _waived(t, waiver):
            return None
        inside = [a for a in ordered if a > t - span]
        if len(inside) < cap:
            return None
        release = inside[len(inside) - cap] + span if cap > 0 else None
        return BlockCode.WEEKLY_CAP, _release(release, t, waiver)

    return rule


def _campaign_rule(count: int, cap: int, waiver: datetime | None) -> Rule:
    """At most ``cap`` attempts in the campaign: once reached, never again (bar a callback)."""

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        if count < cap or _waived(t, waiver):
            return None
        return BlockCode.CAMPAIGN_CAP, _release(None, t, waiver)

    return rule


# --- calendar helpers ------------------------------------------------------------------------


def _number_block(t: datetime, zones: Sequence[str], policy: CallingPolicy) -> BlockCode | None:
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
        if _local_midnight(day, zone) > limit:
            return None


def _zone_infos(zones: Sequence[str], policy: CallingPolicy) -> list[ZoneInfo]:
    infos = [info for z in zones if (info := _zone_info(z)) is not None]
    return infos or [ZoneInfo(policy.default_zone)]


@lru_cache(maxsize=512)
def _zone_info(name: str) -> ZoneInfo | None:
    if not name or name == UNKNOWN_ZONE:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())


def _home_zone(
    customer: CustomerContact,
    dialable: list[tuple[PhoneNumber, tuple[str, ...]]],
    policy: CallingPolicy,
) -> ZoneInfo:
    if customer.zone is not None and (info := _zone_info(customer.zone)) is not None:
        return info
    for _, zones in dialable:
        if len(zones) == 1:
            return ZoneInfo(zones[0])
    return ZoneInfo(policy.default_zone)


def _day_start(day: date) -> date:
    return day


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # ISO weeks start on Monday


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # Where a DST jump skips midnight, fold=0 maps it to the first instant of the new day.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("calling rules need aware datetimes")
    return at.astimezone(UTC)
