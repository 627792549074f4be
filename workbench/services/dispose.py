"""Applying a disposition: the one path from the operator form, `workbench dispose` and batches.

Everything a call's outcome changes is written in one transaction: the attempt (with script id
and version, which the statistics read), do-not-call entries, a retired number, the callback,
the customer's heard reason in the queue, the escalation's step and the lease's release.  The
calling rules are checked here too: a call recorded without the operator's lease must have been
allowed at that instant.

A win-back is a win: `reactivated` with an amount records the order as a purchase (`source =
'call'`, the customer's main category, no product) and refreshes the customer's metrics, so the
next scoring run sees an active customer. The order's identity is the one a transactions import
gives a row without `transaction_id`: (customer, the call's instant, amount, category, no product).
A transactions file that carries the same order with those values adds nothing; a shop system's own
record of it (its own time, a product) is a different row. Contact history imported with
`reactivated` describes the past and writes no purchase: the transactions file carries those
orders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, insert, select, update

from workbench.config import Settings
from workbench.domain import codes
from workbench.domain.calling_calendar import next_window_open
from workbench.domain.calling_rules import (
    BlockCode,
    CallingPolicy,
    CustomerContact,
    evaluate,
    permanent_block,
    window_check,
)
from workbench.domain.local_time import home_zone, iso
from workbench.domain.outcomes import effects_of
from workbench.importing import records, writer
from workbench.messages import say
from workbench.services.calling import blocked_until, calling_policy, load_contacts
from workbench.services.claim import hold_for_disposition, release
from workbench.services.dispose_credit import CreditError, check_operator, credited_script
from workbench.services.disposition import (
    Disposition,
    DispositionError,
    DispositionResult,
    validate_codes,
)
from workbench.services.escalation import after_disposition
from workbench.services.talk_choice import note_outcome
from workbench.store.engine import writer_turn
from workbench.store.models import (
    Callback,
    ContactAttempt,
    Customer,
    CustomerMetrics,
    DoNotCall,
    Lease,
    Phone,
    Purchase,
    QueueScore,
)

attempts = ContactAttempt.__table__
customers = Customer.__table__
callbacks = Callback.__table__
dnc = DoNotCall.__table__
phones = Phone.__table__
leases = Lease.__table__
scores = QueueScore.__table__
purchases = Purchase.__table__
metrics = CustomerMetrics.__table__


CALLBACK_WINDOW = timedelta(minutes=5)
BATCH_SHOWN = 20  # problems listed for a batch, at most


def dispose(engine: Engine, settings: Settings, disposition: Disposition) -> DispositionResult:
    with writer_turn(engine), engine.begin() as conn:
        result = apply(conn, settings, disposition)
    _count_in(engine, [result])
    return result


def dispose_many(
    engine: Engine, settings: Settings, batch: list[tuple[int, Disposition]]
) -> list[DispositionResult]:
    """All or nothing: every row is checked and applied in one transaction; errors carry the line."""
    results, errors = [], []
    with writer_turn(engine), engine.begin() as conn:
        for line, disposition in batch:
            try:
                results.append(apply(conn, settings, disposition))
            except DispositionError as exc:
                errors.append(say("dispose.batch_line", line=line, problem=exc))
        if errors:
            # One problem per line, as `dispose --file` prints them.
            more = len(errors) - BATCH_SHOWN
            shown = errors[:BATCH_SHOWN] + ([say("dispose.more", count=more)] if more > 0 else [])
            raise DispositionError("file", "dispose.batch", problems="\n".join(shown))
    _count_in(engine, results)
    return results


def _count_in(engine: Engine, results: list[DispositionResult]) -> None:
    for r in results:
        note_outcome(str(engine.url), r.script_id, r.script_version, r.outcome)


def apply(conn: Connection, settings: Settings, d: Disposition) -> DispositionResult:
    """Validate and apply one disposition inside the caller's transaction."""
    validate_codes(d)
    cid = conn.execute(
        select(customers.c.id).where(customers.c.external_id == d.customer_id)
    ).scalar_one_or_none()
    if cid is None:
        raise DispositionError(
            "customer_id", "dispose.unknown_customer", customer=repr(d.customer_id)
        )
    hold_for_disposition(conn, cid)  # before the rules' inputs are read, so they are current
    try:
        check_operator(conn, d.operator)
    except CreditError as exc:
        raise DispositionError(exc.field, exc.code, **exc.values) from None
    warnings: list[str] = []
    # The rules' inputs, read once: the customer as they were before this disposition.
    policy = calling_policy(settings)
    needs_contact = _is_outbound_call(d) or d.outcome in ("callback", "reactivated")
    contact = (
        load_contacts(conn, [cid], d.at, settings)[cid] if needs_contact else CustomerContact(())
    )
    number = _check_rules(conn, settings, policy, contact, cid, d) if _is_outbound_call(d) else None
    if d.outcome == "callback":
        _check_callback(settings, policy, contact, d)
    try:
        script_id, version = credited_script(
            conn, settings, cid, named=d.script, named_version=d.script_version, at=d.at,
            operator=d.operator, outbound_call=_is_outbound_call(d),
        )  # fmt: skip
    except CreditError as exc:
        raise DispositionError(exc.field, exc.code, **exc.values) from None
    # The segment the queue scored the customer in, so the win-back model counts this conversation there.
    segment = None
    if _is_outbound_call(d):
        segment = conn.execute(
            select(scores.c.winback_key).where(scores.c.customer_id == cid)
        ).scalar_one_or_none()
    attempt_id = conn.execute(
        insert(attempts)
        .values(
            customer_id=cid,
            channel=d.channel,
            direction=d.direction,
            at=d.at,
            operator=d.operator,
            outcome=d.outcome,
            script_id=script_id,
            script_version=version,
            reason=d.reason,
            amount=d.amount,
            callback_at=d.callback_at,
            note=d.note,
            phone_e164=number,
            started_at=d.started_at,
            ended_at=d.ended_at,
            source=d.source,
            winback_key=segment,
        )  # fmt: skip
        .returning(attempts.c.id)
    ).scalar_one()
    _effects(conn, settings, policy, cid, d, number)
    after_disposition(conn, settings, cid, d.channel, d.direction, d.outcome, d.at, d.source)
    if d.outcome == "reactivated":
        warnings += _record_order(conn, settings, contact, cid, d)
    return DispositionResult(
        attempt_id, d.customer_id, d.outcome, warnings, script_id, version, d.callback_at
    )


def _is_outbound_call(d: Disposition) -> bool:
    return d.channel == codes.Channel.CALL and d.direction == codes.Direction.OUTBOUND


def _check_rules(conn: Connection, settings: Settings, policy: CallingPolicy, contact: CustomerContact,
                 cid: int, d: Disposition) -> str | None:  # fmt: skip
    """The number that was dialled; refuses a call the rules did not allow (unless leased)."""
    lease = conn.execute(
        select(leases.c.operator, leases.c.claimed_at).where(
            and_(leases.c.customer_id == cid, leases.c.expires_at > d.at)
        )
    ).first()
    if lease is not None and lease.operator != d.operator:
        raise DispositionError(
            "operator", "dispose.leased", customer=d.customer_id, operator=lease.operator
        )
    # With a lease the rules were checked at claim time; the call happened within the lease.
    check_at = lease.claimed_at if lease is not None else d.at
    verdict = evaluate(load_contacts(conn, [cid], check_at, settings)[cid] if lease is not None else contact,
                       check_at, policy, operator=d.operator)  # fmt: skip
    if verdict.code is BlockCode.CONTROL_GROUP:
        raise DispositionError("customer_id", "dispose.control_group", customer=d.customer_id)
    if not verdict.callable:
        raise DispositionError(
            "at", "dispose.not_allowed", customer=d.customer_id,
            at=_local(contact, settings, d.at), rule=verdict.code,
        )  # fmt: skip
    return verdict.number


def _check_callback(
    settings: Settings, policy: CallingPolicy, contact: CustomerContact, d: Disposition
) -> None:
    assert d.callback_at is not None
    zones = next((n.zones for n in contact.numbers if not n.retired), ())
    if not window_check(d.callback_at, zones, policy):
        # A callback at a time no one may call is a promise the centre cannot keep.
        opens = next_window_open(d.callback_at, zones, policy)
        zone = home_zone([zones], settings.timezone)  # the customer's clock, with its offset
        hint = say("dispose.callback_earliest", opens=iso(opens, zone)) if opens else ""
        raise DispositionError(
            "callback_at", "dispose.callback_window", at=iso(d.callback_at, zone), hint=hint
        )


def _local(contact: CustomerContact, settings: Settings, at: datetime) -> str:
    """`at` in the customer's zone, ISO 8601 with the offset, for messages."""
    return str(iso(at, home_zone((n.zones for n in contact.numbers), settings.timezone)))


def _effects(
    conn: Connection,
    settings: Settings,
    policy: CallingPolicy,
    cid: int,
    d: Disposition,
    number: str | None,
) -> None:
    effects = effects_of(d.outcome)
    if effects.suppress_calls:
        _add_dnc(conn, cid, None, d)
        if number:
            _add_dnc(conn, cid, number, d)
    if effects.retire_number and number:
        conn.execute(
            update(phones)
            .where(and_(phones.c.customer_id == cid, phones.c.e164 == number))
            .values(retired_at=d.at)
        )
    if effects.email_opt_out:
        conn.execute(update(customers).where(customers.c.id == cid).values(email_opt_out=True))
    if _is_outbound_call(d):
        # Any call from the callback's slot on keeps the promise; a new one may follow.
        slot_open = d.at + CALLBACK_WINDOW
        conn.execute(
            update(callbacks)
            .where(
                and_(
                    callbacks.c.customer_id == cid,
                    callbacks.c.done_at.is_(None),
                    callbacks.c.due_at <= slot_open,
                )
            )
            .values(done_at=d.at)
        )
        release(conn, cid)
    if d.outcome == "callback":
        conn.execute(
            insert(callbacks).values(
                customer_id=cid, due_at=d.callback_at, operator=d.operator, created_at=d.at
            )
        )
    _update_score(conn, settings, policy, cid, d)


def _record_order(
    conn: Connection, settings: Settings, contact: CustomerContact, cid: int, d: Disposition
) -> list[str]:
    """The order taken on a win-back call, as a purchase; the customer's metrics follow."""
    if d.amount is None:
        return [say("dispose.no_amount")]
    category = conn.execute(
        select(metrics.c.main_category).where(metrics.c.customer_id == cid)
    ).scalar_one_or_none()
    # The import's own parsing gives the stored instant and the fingerprint a transactions row would have.
    row = {
        "customer_id": d.customer_id,
        "ordered_at": d.at.isoformat(),
        "amount": str(d.amount),
        "category": category or "",
    }
    record = records.transaction(row, d.at.tzinfo)  # type: ignore[arg-type]
    exists = conn.execute(
        select(purchases.c.id).where(purchases.c.fingerprint == record.fingerprint)
    ).first()
    if exists is not None:
        return [
            say("dispose.order_exists", amount=f"{d.amount:,}", at=_local(contact, settings, d.at))
        ]
    conn.execute(
        insert(purchases).values(
            customer_id=cid,
            ordered_at=d.at,
            amount=d.amount,
            category=record.category,
            product=None,
            fingerprint=record.fingerprint,
            source="call",
        )  # fmt: skip
    )
    writer.refresh_metrics(conn, [cid], settings.timezone)
    return []


def _add_dnc(conn: Connection, cid: int, number: str | None, d: Disposition) -> None:
    match = dnc.c.e164.is_(None) if number is None else dnc.c.e164 == number
    exists = conn.execute(select(dnc.c.id).where(and_(dnc.c.customer_id == cid, match))).first()
    if exists is None:
        conn.execute(
            insert(dnc).values(
                customer_id=cid, e164=number, source="disposition", reason=d.note, created_at=d.at
            )
        )


def _update_score(
    conn: Connection, settings: Settings, policy: CallingPolicy, cid: int, d: Disposition
) -> None:
    values: dict[str, object] = {}
    contact = None
    # Read again: the attempt, the do-not-call entries and the callback written above are
    # what the rules must see now (one read for both uses below).
    if _is_outbound_call(d) or effects_of(d.outcome).ends_solicitation:
        contact = load_contacts(conn, [cid], d.at, settings)[cid]
    if _is_outbound_call(d):
        assert contact is not None
        values["blocked_until"] = blocked_until(contact, d.at, policy)
    if d.reason:
        values.update(reason=d.reason, reason_source="heard")
    effects = effects_of(d.outcome)
    if effects.ends_solicitation:
        assert contact is not None
        block = permanent_block(contact)
        values["permanent_block"] = None if block is None else str(block)
    # Won back or lost after trouble: out of the win-back queue until the next scoring run says otherwise.
    if effects.state_after is not None:
        values["state"] = str(effects.state_after)
    if values:
        conn.execute(update(scores).where(scores.c.customer_id == cid).values(**values))
