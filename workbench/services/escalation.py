"""The email-then-call escalation's use cases: advancing cadences, email events, call outcomes.

`advance_cadences` tiers every customer the queue scores that has no cadence yet, applies
the email events an import brought (a provider's opens, clicks, replies, bounces), moves
every cadence due and writes the emails due into the outbox, all in its own
transactions and once at a time across processes (a named lock; each cadence is also
written with a conditional update and each email with its `dedupe_key`, so even two
writers would write an email once).  `record_email_event` and `on_call_outcome` take the
caller's connection or session and never commit: the sender, the mail ingest and the
disposition commit them with their own writes.  The rules are `workbench.domain.escalation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert

from workbench.config import EscalationSettings, Settings
from workbench.domain import codes
from workbench.domain.escalation import (
    STATES,
    WIN_BACK_LIFECYCLES,
    Cadence,
    CadenceRules,
    TierRules,
    on_call,
    on_email,
    start,
    tick,
    tier_of,
)
from workbench.services import control_group
from workbench.services.control_group import control_ids
from workbench.services.escalation_mail import OutboxWriter, mail_facts
from workbench.store import escalation_queries as eq
from workbench.store import outbox_queries
from workbench.store.engine import writer_turn
from workbench.store.locks import named_lock
from workbench.store.models import ContactAttempt

attempts = ContactAttempt.__table__

ADVANCE_LOCK = "escalation"
WAIT_SECONDS = 600.0
CHUNK = 500
IMPORTED_MARK = "escalation_imported_through"  # the last imported email contact applied


@dataclass
class AdvanceSummary:
    """What one run did: emails queued, cadences ended, emails not written by reason; and
    how many responders are waiting for their call after it."""

    queued: int = 0
    responders: int = 0
    ended: int = 0
    started: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def as_json(self) -> dict[str, object]:
        return {"queued": self.queued, "responders": self.responders, "ended": self.ended,
                "started": self.started, "skipped": dict(sorted(self.skipped.items()))}  # fmt: skip


def cadence_rules(e: EscalationSettings) -> CadenceRules:
    return CadenceRules(e.mid_wait_days, e.mid_reminder_wait_days, e.mid_after_reminder,
                        tuple(e.low_steps_days))  # fmt: skip


def tier_rules(e: EscalationSettings) -> TierRules:
    return TierRules(e.high_value_min, e.high_p_alive_min, e.mid_value_min)


def advance_cadences(engine: Engine, settings: Settings, at: datetime) -> AdvanceSummary:
    """Start, move and email every cadence due at `at` (nothing when the escalation is off)."""
    from workbench.services.freshness import ensure_scored

    summary = AdvanceSummary()
    if not settings.escalation.enabled:
        return summary
    ensure_scored(engine, settings, at, wait=True)
    rules = cadence_rules(settings.escalation)
    with named_lock(engine, ADVANCE_LOCK, WAIT_SECONDS, "the escalation run"):
        with writer_turn(engine), engine.begin() as conn:
            _apply_imported(conn, rules, summary)
            _start_new(conn, settings, at, summary)
        writer: Any = None
        seen: set[int] = set()
        while True:
            with writer_turn(engine), engine.begin() as conn:
                batch = [(cid, c) for cid, c in eq.due(conn, at, CHUNK) if cid not in seen]
                if batch and writer is None:
                    writer = OutboxWriter(conn, settings)
                seen.update(cid for cid, _ in batch)
                if batch:
                    _move_due(conn, settings, writer, rules, batch, at, summary)
            if len(batch) < CHUNK:
                break
        with engine.connect() as conn:
            summary.responders = eq.count_state(conn, "responded")
    return summary


def _start_new(conn: Connection, settings: Settings, at: datetime, summary: AdvanceSummary) -> None:
    rules, tiers = cadence_rules(settings.escalation), tier_rules(settings.escalation)
    new = []
    candidates = eq.untiered(conn, tuple(sorted(WIN_BACK_LIFECYCLES)))
    # The scores already leave the control group out; a share raised since the rescore too.
    held = control_ids(conn, settings, [row.customer_id for row in candidates])
    for row in candidates:
        if row.customer_id in held:
            continue
        tier = tier_of(row.value, row.p_alive, row.state, tiers)
        if tier is not None:
            new.append((row.customer_id, start(tier, at, rules)))
    for first in range(0, len(new), 5000):
        summary.started += eq.insert_cadences(conn, new[first : first + 5000], at)


def _move_due(conn: Connection, settings: Settings, writer: Any, rules: CadenceRules,
              batch: list[tuple[int, Cadence]], at: datetime, summary: AdvanceSummary) -> None:  # fmt: skip
    ids = [cid for cid, _ in batch]
    reach, facts = control_group.reach(conn, settings, ids), mail_facts(conn, ids)
    for cid, c in batch:
        move = tick(c, at, rules, None)
        if move is None:
            continue
        composed = None
        if move.email is not None:
            reason = reach[cid].email_block() if cid in reach else "no_customer"
            if reason is None:
                composed = writer.compose(facts[cid], move.cadence, move.email, at)
                reason = composed.skip
            if reason is not None:
                summary.skip(reason)
                move, composed = tick(c, at, rules, reason), None
                assert move is not None
        if not eq.save_move(conn, cid, c, move, at):
            continue  # another writer moved it first
        if composed is not None and composed.values is not None:
            summary.queued += writer.write(conn, composed.values)
        summary.ended += move.cadence.state == "ended"


def _apply_imported(conn: Connection, rules: CadenceRules, summary: AdvanceSummary) -> None:
    """The email events an import wrote since the last run move cadences like ingested ones."""
    through = eq.read_mark(conn, IMPORTED_MARK)
    last = through
    while True:
        rows = eq.imported_email_events(conn, last, 5000)
        for r in rows:
            if r.outcome in codes.EMAIL_EVENTS:
                state = _email_effects(
                    conn, rules, r.customer_id, r.outcome, r.at, r.message_id, "import"
                )
                summary.ended += state == "ended"
            last = r.id
        if len(rows) < 5000:
            break
    if last != through:
        eq.write_mark(conn, IMPORTED_MARK, last, _now())


def _now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


def record_email_event(
    session: eq.Conn,
    *,
    customer_id: int,
    event: str,
    at: datetime,
    message_id: str | None,
    source: str,
    settings: Settings | None = None,
    note: str | None = None,
) -> None:
    """Record an email event as the customer's contact and move their cadence.

    Opened, clicked, replied: a response (the strongest counts); bounced: the address is
    suppressed; unsubscribed: the customer opts out of email (calls go on); sent: the wait
    for a response starts.  An event already recorded (same time, message) is not recorded
    twice.  `settings` gives the cadence's waits (the defaults without); `note` is what the
    customer wrote (a reply's first lines), shown on the operator's card.
    """
    if event not in codes.EMAIL_EVENTS:
        raise ValueError(f"{event!r} is not an email event ({', '.join(codes.EMAIL_EVENTS)})")
    if not eq.email_contact_recorded(session, customer_id, event, at, message_id):
        session.execute(
            insert(attempts).values(customer_id=customer_id, channel="email", direction="outbound",
                                    at=at, outcome=event, message_id=message_id, source=source[:10],
                                    note=note)
        )  # fmt: skip
    rules = cadence_rules(settings.escalation if settings else EscalationSettings())
    _email_effects(session, rules, customer_id, event, at, message_id, source)


def _email_effects(conn: eq.Conn, rules: CadenceRules, cid: int, event: str, at: datetime,
                   message_id: str | None, source: str) -> str | None:  # fmt: skip
    """Suppression, opt-out and the cadence's move; the cadence's state after (None: none)."""
    if event == "bounced":
        address = eq.address_of(conn, cid, message_id)
        if address:
            outbox_queries.suppress(conn, address, "bounced", message_id, source[:20], at)  # type: ignore[arg-type]
    elif event == "unsubscribed":
        eq.opt_out(conn, cid)
    c = eq.load_cadence(conn, cid)
    if c is None:
        return None
    move = on_email(c, event, at, rules)
    if move is not None and eq.save_move(conn, cid, c, move, at):
        return move.cadence.state
    return c.state


def on_call_outcome(
    session: eq.Conn, settings: Settings, *, customer_id: int, outcome: str, at: datetime
) -> None:
    """A call's outcome moves the customer's cadence (after the disposition's own effects:
    a do-not-call ends it only when email is barred too)."""
    c = eq.load_cadence(session, customer_id)
    if c is None:
        return
    reach = control_group.reach(session, settings, [customer_id]).get(customer_id)
    move = on_call(c, outcome, at, reach.email_block() if reach else "no_customer")
    if move is not None:
        eq.save_move(session, customer_id, c, move, at)


def after_disposition(conn: Connection, settings: Settings, customer_id: int, channel: str,
                      direction: str, outcome: str, at: datetime, source: str) -> None:  # fmt: skip
    """The escalation's part of a disposition (services.dispose), in its transaction."""
    if channel == codes.Channel.EMAIL:
        record_email_event(conn, customer_id=customer_id, event=outcome, at=at, message_id=None,
                           source=source, settings=settings)  # fmt: skip
    elif channel == codes.Channel.CALL and direction == codes.Direction.OUTBOUND:
        on_call_outcome(conn, settings, customer_id=customer_id, outcome=outcome, at=at)


# Reading cadences.


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class CadenceEventView:
    at: datetime
    kind: str
    state: str
    step: int
    detail: str | None

    def as_json(self) -> dict[str, object]:
        return {"at": _iso(self.at), "kind": self.kind, "state": self.state, "step": self.step,
                "detail": self.detail}  # fmt: skip


@dataclass(frozen=True)
class EmailContactView:
    at: datetime
    event: str
    message_id: str | None
    source: str

    def as_json(self) -> dict[str, object]:
        return {"at": _iso(self.at), "event": self.event, "message_id": self.message_id,
                "source": self.source}  # fmt: skip


@dataclass(frozen=True)
class CadenceRow:
    customer_id: str  # the external id
    tier: str
    state: str
    step: int
    next_at: datetime | None
    response: str | None
    response_at: datetime | None
    ended_reason: str | None
    started_at: datetime
    updated_at: datetime

    def as_json(self) -> dict[str, object]:
        return {
            "customer_id": self.customer_id, "tier": self.tier, "state": self.state,
            "step": self.step, "next_at": _iso(self.next_at), "response": self.response,
            "response_at": _iso(self.response_at), "ended_reason": self.ended_reason,
            "started_at": _iso(self.started_at), "updated_at": _iso(self.updated_at),
        }  # fmt: skip


@dataclass(frozen=True)
class CadenceView(CadenceRow):
    events: tuple[CadenceEventView, ...] = ()
    emails: tuple[EmailContactView, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = super().as_json()
        data["events"] = [e.as_json() for e in self.events]
        data["emails"] = [e.as_json() for e in self.emails]
        return data


def _row(r: Any) -> CadenceRow:
    return CadenceRow(r.external_id, r.tier, r.state, r.step, r.next_at, r.response,
                      r.response_at, r.ended_reason, r.started_at, r.updated_at)  # fmt: skip


def cadence_view(engine: Engine, customer_id: int | str) -> CadenceView | None:
    """One customer's cadence with its events and email contacts; `customer_id` is the
    internal id (int) or the external one (str).  None without a cadence."""
    with engine.connect() as conn:
        cid = customer_id if isinstance(customer_id, int) else eq.customer_id_of(conn, customer_id)
        if cid is None:
            return None
        found = next(iter(eq.listed(conn, None, 1, customer_id=cid)), None)
        if found is None:
            return None
        events = tuple(CadenceEventView(e.at, e.kind, e.state, e.step, e.detail)
                       for e in eq.events_of(conn, cid))  # fmt: skip
        emails = tuple(EmailContactView(e.at, e.outcome, e.message_id, e.source)
                       for e in eq.email_contacts(conn, cid))  # fmt: skip
    row = _row(found)
    return CadenceView(**{f.name: getattr(row, f.name) for f in fields(row)}, events=events,
                       emails=emails)  # fmt: skip


def list_cadences(
    engine: Engine, *, state: str | None = None, limit: int | None = None
) -> list[CadenceRow]:
    """Cadences, the most recently moved first; ValueError for an unknown state."""
    if state is not None and state not in STATES:
        raise ValueError(f"unknown state {state!r}; one of {', '.join(STATES)}")
    with engine.connect() as conn:
        return [_row(r) for r in eq.listed(conn, state, limit)]
