"""The calling rules: may this customer be called at this instant, and if not, why and when?

This module is the single implementation used by the queue, the claim, the disposition-form check
and the audit. It is pure: plain frozen dataclasses in, a :class:`Verdict` out. The values live
in ``calling_values`` and the calling hours in ``calling_calendar``; import them from here.

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
* A member of the control group (a stable random share of customers held back so the campaign
  can be measured against what happens anyway) is never called: a permanent block too, named
  after the legal ones.
* ``wrong_number`` retires that number: the caller's ``retired`` flag, or a number whose last
  attempt ended ``wrong_number``.
* Retry gaps after the most recent attempt, by its outcome (no_answer 4 h, busy 30 min,
  voicemail 1 day, an undecided conversation ``no_decision`` 7 days, elapsed time): 検討中 is
  not a refusal, so the customer may be asked again once the gap has passed. Caps per
  customer: attempts per local calendar day in the
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
control_group, no_valid_number, callback_other_owner, campaign_cap, holiday, outside_window, retry_gap,
daily_cap, weekly_cap — permanent blocks first so a do-not-call customer never shows as merely
"outside the window". ``next_eligible_at`` is the earliest instant ≥ ``at`` at which *every* rule
passes, given the attempts known now (None: never, or not within ``horizon_days``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from workbench.domain.calling_calendar import (
    is_closed_day,
    next_window_open,
    number_block,
    resolve_zones,
    utc,
    window_check,
    zone_info,
)
from workbench.domain.calling_caps import (
    Period,
    Rule,
    campaign_rule,
    cap_rule,
    day_start,
    release_at,
    rolling_cap_rule,
    waived,
    week_start,
)
from workbench.domain.calling_values import (
    DEFAULT_CALLBACK_GRACE,
    DEFAULT_POLICY,
    NO_DECISION_GAP_MAX_DAYS,
    UNKNOWN_ZONE,
    WEEKLY_WINDOWS,
    BlockCode,
    CallAttempt,
    CallingPolicy,
    CustomerContact,
    PendingCallback,
    PhoneNumber,
    Verdict,
)
from workbench.domain.codes import REFUSAL_OUTCOMES

__all__ = [
    "DEFAULT_CALLBACK_GRACE",
    "DEFAULT_POLICY",
    "NO_DECISION_GAP_MAX_DAYS",
    "UNKNOWN_ZONE",
    "WEEKLY_WINDOWS",
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

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_MAX_STEPS: Final = 10_000  # bound on the next-eligible search; each step passes a rule boundary
ROLLING_WEEK: Final = timedelta(days=7)  # elapsed time: 168 h, also across a DST change

# A time-dependent rule: at instant t, None if it passes, else (code, earliest instant ≥ t at
# which it passes, or None for never).


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
    at = utc(at)
    cb = customer.callback
    callback_due = cb is not None and at >= utc(cb.due) - policy.callback_window
    callback_overdue = cb is not None and at > utc(cb.due) + policy.callback_window

    def verdict(code: BlockCode | None, nxt: datetime | None, number: str | None = None) -> Verdict:
        return Verdict(code is None, code, nxt, callback_due, callback_overdue, number)

    permanent = permanent_block(customer)
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


# --- permanent rules -------------------------------------------------------------------------


# The order in which permanent blocks are named when several hold: the only precedence.
PERMANENT_BLOCKS: tuple[BlockCode, ...] = (
    BlockCode.DO_NOT_CALL,
    BlockCode.REFUSED,
    BlockCode.OPTED_OUT,
    BlockCode.CONTROL_GROUP,
)


def permanent_block(customer: CustomerContact) -> BlockCode | None:
    """The permanent rule that stops every call to this customer, if any (the first of
    :data:`PERMANENT_BLOCKS` that holds); every stored copy of the block must agree with it."""
    outcomes = {a.outcome for a in customer.attempts}
    if customer.do_not_call or "do_not_call" in outcomes:
        return BlockCode.DO_NOT_CALL
    if customer.refused or outcomes & REFUSAL_OUTCOMES:
        return BlockCode.REFUSED
    if customer.opted_out:
        return BlockCode.OPTED_OUT
    if customer.control_group:
        return BlockCode.CONTROL_GROUP
    return None


def _usable_numbers(customer: CustomerContact) -> list[PhoneNumber]:
    """Valid numbers not retired (flag or last attempt on it was ``wrong_number``)."""
    last: dict[str, CallAttempt] = {}
    sole = customer.numbers[0].e164 if len(customer.numbers) == 1 else None
    for attempt in sorted(customer.attempts, key=lambda a: utc(a.at)):
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
    attempts = [utc(a.at) for a in customer.attempts]
    cb = customer.callback
    slot_start: datetime | None = None
    waiver: datetime | None = None
    rules: list[Rule] = []
    if cb is not None:
        due = utc(cb.due)
        slot_start = due - policy.callback_window
        # The promised call itself is exempt from gaps and caps, but only once: any attempt
        # since the slot opened is that call, after which the ordinary pacing applies again.
        if not any(a >= slot_start for a in attempts):
            waiver = slot_start
        if cb.owner is not None and operator is not None and operator != cb.owner:
            rules.append(_handover_rule(cb, policy))
    if policy.campaign_cap is not None and campaign_id is not None:
        in_campaign = sum(1 for a in customer.attempts if a.campaign_id == campaign_id)
        rules.append(campaign_rule(in_campaign, policy.campaign_cap, waiver))
    rules.append(_calendar_rule(dialable, policy))
    if slot_start is not None:
        rules.append(_before(slot_start, BlockCode.RETRY_GAP))  # nobody calls before the slot
    rules.append(_gap_rule(customer, policy, waiver))
    if policy.daily_cap is not None:
        daily = Period(day_start, timedelta(days=1), BlockCode.DAILY_CAP)
        rules.append(cap_rule(attempts, policy.daily_cap, home, daily, waiver))
    if policy.weekly_cap is not None and policy.weekly_window == "iso_week":
        weekly = Period(week_start, timedelta(days=7), BlockCode.WEEKLY_CAP)
        rules.append(cap_rule(attempts, policy.weekly_cap, home, weekly, waiver))
    elif policy.weekly_cap is not None:
        rules.append(rolling_cap_rule(attempts, policy.weekly_cap, ROLLING_WEEK, waiver))
    return rules


def session_end(callback: PendingCallback, policy: CallingPolicy) -> datetime | None:
    """When the owner's open session ends if nothing more happens (None: never opened).

    An operator is working while holding a lease or within ``policy.session_idle`` of their
    latest claim or recorded call; the owner is working at t when t is before this instant.
    """
    ends = [utc(callback.owner_lease_until)] if callback.owner_lease_until is not None else []
    if callback.owner_seen_at is not None:
        ends.append(utc(callback.owner_seen_at) + policy.session_idle)
    return max(ends, default=None)


def _handover_rule(callback: PendingCallback, policy: CallingPolicy) -> Rule:
    """Another operator's turn: at due + hand-over while the owner is not working, at due + grace
    in any case."""
    due = utc(callback.due)
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
        codes = [number_block(t, zones, policy) for _, zones in dialable]
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
        latest = max(customer.attempts, key=lambda a: utc(a.at))
        gap = policy.retry_gaps.get(latest.outcome)
        if gap is not None:
            gap_end = utc(latest.at) + gap

    def rule(t: datetime) -> tuple[BlockCode, datetime | None] | None:
        if gap_end is None or t >= gap_end or waived(t, waiver):
            return None
        return BlockCode.RETRY_GAP, release_at(gap_end, t, waiver)

    return rule


def _home_zone(
    customer: CustomerContact,
    dialable: list[tuple[PhoneNumber, tuple[str, ...]]],
    policy: CallingPolicy,
) -> ZoneInfo:
    if customer.zone is not None and (info := zone_info(customer.zone)) is not None:
        return info
    for _, zones in dialable:
        if len(zones) == 1:
            return ZoneInfo(zones[0])
    return ZoneInfo(policy.default_zone)
