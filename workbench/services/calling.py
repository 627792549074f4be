"""Loading what the calling rules need, for a set of customers, from the database.

Queue, claim, disposition and `queue --explain` all come through here and then
through `workbench.domain.calling_rules.evaluate`: one path for every rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta

from sqlalchemy import Connection, and_, func, or_, select

from workbench.config import WEEKDAYS, Settings, parse_window
from workbench.domain.calling_rules import (
    NO_DECISION_GAP_MAX_DAYS,
    BlockCode,
    CallingPolicy,
    evaluate,
)

# The records this module builds from the store for the rules to judge.
from workbench.domain.calling_values import (
    CallAttempt,
    CustomerContact,
    PendingCallback,
    PhoneNumber,
)
from workbench.domain.codes import REFUSAL_OUTCOMES
from workbench.services.control_group import control_ids
from workbench.store.models import Callback, ContactAttempt, Customer, DoNotCall, Lease, Phone

phones = Phone.__table__
attempts = ContactAttempt.__table__
dnc = DoNotCall.__table__
callbacks = Callback.__table__
customers = Customer.__table__
leases = Lease.__table__

# Attempts older than this cannot affect gaps or daily/weekly caps.
# A customer who was reached is not called again straight away, whatever the score says.
AFTER_CONTACT = {
    "reactivated": timedelta(days=30),
    "complaint": timedelta(days=30),
    "contact_changed": timedelta(days=1),
    "wrong_number": timedelta(days=1),
}
# Every gap (the configurable no_decision gap is at most NO_DECISION_GAP_MAX_DAYS) and the weekly cap.
RULE_LOOKBACK = max(
    *AFTER_CONTACT.values(), timedelta(days=NO_DECISION_GAP_MAX_DAYS), timedelta(days=7)
) + timedelta(days=1)
BLOCK_HORIZON = timedelta(days=7)
# Whether a callback's owner is working matters only around its time (sessions last at most a day).
SESSION_REACH = timedelta(days=1)
CHUNK = 2000


def calling_policy(settings: Settings) -> CallingPolicy:
    c = settings.calling
    windows: dict[int, tuple[time, time] | None] = {}
    for index, day in enumerate(WEEKDAYS):
        parsed = parse_window(c.windows.get(day, ""), f"calling.windows.{day}")
        windows[index] = None if parsed is None else (_time(parsed[0]), _time(parsed[1]))
    return CallingPolicy(
        windows=windows,
        holiday_country=c.holidays or None,
        default_zone=settings.timezone,
        retry_gaps={
            "no_answer": timedelta(minutes=c.no_answer_gap_minutes),
            "busy": timedelta(minutes=c.busy_gap_minutes),
            "voicemail": timedelta(minutes=c.voicemail_gap_minutes),
            "no_decision": timedelta(days=c.no_decision_gap_days),
            **AFTER_CONTACT,
        },
        daily_cap=c.max_per_day or None,
        weekly_cap=c.max_per_week or None,
        weekly_window=c.max_per_week_window,
        campaign_cap=c.max_per_campaign or None,
        callback_handover=timedelta(minutes=c.callback_handover_minutes),
        session_idle=timedelta(minutes=c.session_idle_minutes),
    )


def _time(minutes: int) -> time:
    return time.max if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def load_contacts(
    conn: Connection, customer_ids: Sequence[int], at: datetime, settings: Settings
) -> dict[int, CustomerContact]:
    """The calling-rule inputs of each customer, as of `at` (the control group by `settings`)."""
    result: dict[int, CustomerContact] = {}
    for chunk in _chunks(list(customer_ids)):
        result.update(_load_chunk(conn, chunk, at, control_ids(conn, settings, chunk)))
    return result


def _load_chunk(
    conn: Connection, ids: list[int], at: datetime, control: set[int]
) -> dict[int, CustomerContact]:
    numbers = defaultdict(list)
    phone_rows = conn.execute(
        select(phones.c.customer_id, phones.c.e164, phones.c.time_zones, phones.c.retired_at)
        .where(phones.c.customer_id.in_(ids))
        .order_by(phones.c.customer_id, phones.c.position)
    ).all()
    e164s = [r.e164 for r in phone_rows]
    blocked_numbers = set(
        conn.execute(select(dnc.c.e164).where(and_(dnc.c.e164.in_(e164s), dnc.c.customer_id.is_(None), dnc_known(at)))).scalars()
    ) if e164s else set()  # fmt: skip
    blocked_pairs = set(
        conn.execute(
            select(dnc.c.customer_id, dnc.c.e164).where(
                and_(dnc.c.customer_id.in_(ids), dnc.c.e164.is_not(None), dnc_known(at))
            )
        ).all()
    )
    for r in phone_rows:
        retired = r.retired_at is not None and r.retired_at <= at
        blocked = r.e164 in blocked_numbers or (r.customer_id, r.e164) in blocked_pairs
        zones = tuple(z for z in (r.time_zones or "").split(",") if z)
        numbers[r.customer_id].append(
            PhoneNumber(r.e164, zones, retired=retired, do_not_call=blocked)
        )

    customer_dnc = set(
        conn.execute(
            select(dnc.c.customer_id).where(
                and_(dnc.c.customer_id.in_(ids), dnc.c.e164.is_(None), dnc_known(at))
            )
        ).scalars()
    )
    opted_out = set(
        conn.execute(
            select(customers.c.id).where(
                and_(customers.c.id.in_(ids), customers.c.call_opt_out.is_(True))
            )
        ).scalars()
    )
    refused = set(
        conn.execute(
            select(attempts.c.customer_id).where(
                and_(
                    attempts.c.customer_id.in_(ids),
                    attempts.c.outcome.in_(REFUSAL_OUTCOMES),
                    attempts.c.at <= at,
                )
            )
        ).scalars()
    )
    recent = defaultdict(list)
    for r in conn.execute(
        select(attempts.c.customer_id, attempts.c.at, attempts.c.outcome, attempts.c.phone_e164)
        .where(
            and_(
                attempts.c.customer_id.in_(ids),
                attempts.c.channel == "call",
                attempts.c.direction == "outbound",
                or_(attempts.c.at > at - RULE_LOOKBACK, attempts.c.outcome == "wrong_number"),
                attempts.c.at <= at,
            )
        )
        .order_by(attempts.c.at)
    ):
        recent[r.customer_id].append(CallAttempt(r.at, r.outcome, r.phone_e164))
    pending: dict[int, PendingCallback] = {}
    for cb in conn.execute(
        select(callbacks.c.customer_id, callbacks.c.due_at, callbacks.c.operator)
        .where(and_(callbacks.c.customer_id.in_(ids), pending_at(at)))
        .order_by(callbacks.c.due_at)
    ):
        pending.setdefault(cb.customer_id, PendingCallback(cb.due_at, cb.operator))
    near = {
        cb.owner
        for cb in pending.values()
        if cb.owner is not None and abs(cb.due - at) <= SESSION_REACH
    }
    if near:
        seen, lease_until = operator_activity(conn, sorted(near), at)
        pending = {
            cid: replace(cb, owner_seen_at=seen.get(cb.owner), owner_lease_until=lease_until.get(cb.owner))
            if cb.owner in near and abs(cb.due - at) <= SESSION_REACH else cb
            for cid, cb in pending.items()
        }  # fmt: skip
    return {
        cid: CustomerContact(
            numbers=tuple(numbers.get(cid, ())),
            attempts=tuple(recent.get(cid, ())),
            callback=pending.get(cid),
            do_not_call=cid in customer_dnc,
            refused=cid in refused,
            opted_out=cid in opted_out,
            control_group=cid in control,
        )
        for cid in ids
    }


def pending_at(at: datetime):  # type: ignore[no-untyped-def]
    """Callbacks promised by `at` and not yet made at `at` (a later call does not count)."""
    return and_(
        callbacks.c.created_at <= at, or_(callbacks.c.done_at.is_(None), callbacks.c.done_at > at)
    )


def operator_activity(
    conn: Connection, operators: Sequence[str], at: datetime
) -> tuple[dict[str, datetime], dict[str, datetime]]:
    """Each operator's latest claim or recorded contact, and latest lease end, as of `at`.

    Nothing after `at` counts, so a queue read in the past sees the sessions as they were.
    A lease released by a disposition is gone from the table, but the disposition's attempt
    remains (by the same operator), so the session is still seen.
    """
    seen: dict[str, datetime] = {}
    for operator in operators:
        # One index seek on (operator, at) each; a grouped max would read all their history.
        last = conn.execute(
            select(attempts.c.at)
            .where(and_(attempts.c.operator == operator, attempts.c.at <= at))
            .order_by(attempts.c.at.desc())
            .limit(1)
        ).scalar_one_or_none()
        if last is not None:
            seen[operator] = last
    lease_until: dict[str, datetime] = {}
    for operator, claimed, expires in conn.execute(
        select(leases.c.operator, func.max(leases.c.claimed_at), func.max(leases.c.expires_at))
        .where(and_(leases.c.operator.in_(operators), leases.c.claimed_at <= at))
        .group_by(leases.c.operator)
    ):
        seen[operator] = max(seen.get(operator, claimed), claimed)
        lease_until[operator] = expires
    return seen, lease_until


def dnc_known(at: datetime):  # type: ignore[no-untyped-def]
    """Do-not-call entries known at `at`: dated ones from their creation on.

    A customers file's do_not_call flag carries no date (like the call opt-out),
    so it counts at every instant: suppression errs on the side of not calling.
    """
    return or_(dnc.c.created_at <= at, dnc.c.source == "import")


def blocked_until(contact: CustomerContact, at: datetime, policy: CallingPolicy) -> datetime | None:
    """When a customer held back by a time rule may be looked at again (None: look now).

    Callbacks are left out: their owner may call when others may not.
    """
    verdict = evaluate(contact, at, policy)
    if verdict.callable or verdict.callback_due or verdict.code is BlockCode.CALLBACK_OTHER_OWNER:
        return None
    return verdict.next_eligible_at or at + BLOCK_HORIZON
