"""Reading the call queue: candidates by stored score, the calling rules, P(answer now).

The scoring run stores each customer's time-independent score; here the best
candidates are checked against every calling rule at `at` and re-ranked by the
hour-of-week answer model.  Due callbacks come first.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, and_, exists, func, or_, select, text

from workbench.config import Settings
from workbench.domain.answer_model import AnswerCounts, AnswerModel, hour_of_week
from workbench.domain.answer_windows import best_windows, describe_windows
from workbench.domain.calling_rules import CustomerContact, Verdict, evaluate
from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.domain.local_time import iso
from workbench.domain.scoring import ScoreParts
from workbench.services import escalation_queue as esc_queue
from workbench.services.calling import calling_policy, load_contacts, pending_at
from workbench.services.model_state import answer_model_from_json, load_state
from workbench.services.script_context import months_between
from workbench.services.talk_choice import ScriptPick, customer_draw, pick_script
from workbench.services.winback_stats import load_winback_model, winback_counts_since
from workbench.store import models
from workbench.store.lease_queries import live_at
from workbench.store.models import Callback, ContactAttempt, Customer, Lease, Purchase, QueueScore
from workbench.store.purchase_metrics import aware_utc

scores = QueueScore.__table__
leases = Lease.__table__
callbacks = Callback.__table__
attempts = ContactAttempt.__table__
customers = Customer.__table__
purchases = Purchase.__table__

PAGE = 200
MAX_PAGES = 50


@dataclass(frozen=True)
class QueueEntry:
    customer_id: int
    external_id: str
    name: str
    kind: str
    parts: ScoreParts
    phone: str
    local_time: datetime
    state: str
    reason: str
    reason_source: str
    script: ScriptPick | None
    callback_due: bool = False
    callback_overdue: bool = False
    callback_at: datetime | None = None
    callback_owner: str | None = None
    windows: str = ""
    reason_confidence: float = 1.0
    escalation: esc_queue.EscalationMark | None = None  # only with the escalation on

    @property
    def score(self) -> float:
        return self.parts.score

    def as_json(self) -> dict[str, object]:
        return {
            "customer_id": self.external_id,
            "score": round(self.score, 6),
            "components": self.parts.as_json(),
            "phone": self.phone,
            "local_time": self.local_time.isoformat(),
            "state": self.state,
            "reason": self.reason,
            "reason_source": self.reason_source,
            "script": self.script.script_id if self.script else None,
            "script_version": self.script.version if self.script else None,
            "channel": "call",
            "name": self.name,
            "callback_due": self.callback_due,
            # The customer's zone, the same as local_time's (the instant is unchanged).
            "callback_at": iso(self.callback_at, self.local_time.tzinfo or UTC),
            "answers_best": self.windows,
            "reason_confidence": round(self.reason_confidence, 4),
            **esc_queue.entry_json(self.escalation, self.local_time.tzinfo or UTC),
        }


def eligible_states(settings: Settings) -> tuple[str, ...]:
    return (
        ("dormant", "at_risk", "churned")
        if settings.calling.include_churned
        else ("dormant", "at_risk")
    )


def read_queue(
    conn: Connection,
    settings: Settings,
    at: datetime,
    operator: str | None,
    limit: int,
    rng: random.Random | None = None,
    exclude: set[int] | None = None,
    only: list[int] | None = None,
) -> list[QueueEntry]:
    """The best `limit` customers this operator may call at `at`, best first, nothing claimed.

    `only` checks just those customers.
    """
    policy = calling_policy(settings)
    skip = set(exclude or ())
    callable_: list[tuple[int, Verdict, CustomerContact]] = []
    due_ids = _due_callbacks(conn, at, policy.callback_window)
    due_ids += esc_queue.responders(conn, settings, eligible_states(settings), due_ids)
    seen: set[int] = set()
    pages = (
        [only]
        if only is not None
        else _candidate_pages(conn, settings, due_ids, min(PAGE, limit * 4 + 16), at, operator)
    )
    for page in pages:
        ids = [cid for cid in page if cid not in skip and cid not in seen]
        seen.update(ids)
        taken = _leased_to_others(conn, ids, at, operator)
        ids = [cid for cid in ids if cid not in taken]
        contacts = load_contacts(conn, ids, at, settings)
        for cid in ids:
            verdict = evaluate(contacts[cid], at, policy, operator=operator)
            if verdict.callable:
                callable_.append((cid, verdict, contacts[cid]))
        if len(callable_) >= limit * 3 + 10:
            break
    return _entries(conn, settings, at, callable_, rng, limit)


def _leased_to_others(
    conn: Connection, ids: list[int], at: datetime, operator: str | None
) -> set[int]:
    if not ids:
        return set()
    return set(
        conn.execute(
            select(leases.c.customer_id).where(
                and_(
                    leases.c.customer_id.in_(ids),
                    live_at(at),
                    leases.c.operator != (operator or ""),
                )
            )
        ).scalars()
    )


def _due_callbacks(conn: Connection, at: datetime, window: timedelta) -> list[int]:
    """Customers with a callback due by `at` (overdue ones stay until made), earliest first."""
    return list(
        conn.execute(
            select(callbacks.c.customer_id)
            .where(and_(pending_at(at), callbacks.c.due_at <= at + window))
            .order_by(callbacks.c.due_at, callbacks.c.customer_id)
        ).scalars()
    )


def _candidate_pages(conn: Connection, settings: Settings, first: list[int], page_size: int,
                     at: datetime, operator: str | None):  # type: ignore[no-untyped-def]  # fmt: skip
    if first:
        yield first
    states = eligible_states(settings)
    taken = exists().where(
        and_(
            leases.c.customer_id == scores.c.customer_id,
            live_at(at),
            leases.c.operator != (operator or ""),
        )
    )
    last: tuple[float, int] | None = None
    for _ in range(MAX_PAGES):
        stmt = select(scores.c.customer_id, scores.c.base_score).where(
            and_(
                text(
                    models.QUEUE_CANDIDATES
                ),  # the partial index's own terms, so the index is used
                scores.c.state.in_(states),
                scores.c.permanent_block.is_(None),
                *esc_queue.held(settings),
                or_(scores.c.blocked_until.is_(None), scores.c.blocked_until <= at),
                ~taken,
            )
        )
        if last is not None:
            # Keyset paging on (score, id): ties with the previous page's last row continue after it.
            score, cid = last
            stmt = stmt.where(
                or_(
                    scores.c.base_score < score,
                    and_(scores.c.base_score == score, scores.c.customer_id > cid),
                )
            )
        stmt = stmt.order_by(scores.c.base_score.desc(), scores.c.customer_id).limit(page_size)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        yield [r.customer_id for r in rows]
        if len(rows) < page_size:
            return
        last = (rows[-1].base_score, rows[-1].customer_id)
        # Deep blocks (a morning's retry gaps not yet in the hints) are crossed in few steps.
        page_size = min(page_size * 2, 5000)


def _entries(conn: Connection, settings: Settings, at: datetime, found: list[tuple[int, Verdict, CustomerContact]],
             rng: random.Random | None, limit: int) -> list[QueueEntry]:  # fmt: skip
    """Score every callable candidate with P(answer now); build full entries for the best."""
    if not found:
        return []
    ids = [cid for cid, _, _ in found]
    stored = {
        r.customer_id: r for r in conn.execute(select(scores).where(scores.c.customer_id.in_(ids)))
    }
    people = {
        r.id: r
        for r in conn.execute(
            select(
                customers.c.id, customers.c.external_id, customers.c.name, customers.c.kind
            ).where(customers.c.id.in_(ids))
        )
    }
    model = _answer_model(conn)
    history = _answer_history(conn, ids, settings, at)
    win_rate = _live_win_rate(conn, at)
    marks = esc_queue.marks(conn, settings, ids)
    ranked = []
    for cid, verdict, contact in found:
        zone = _zone(contact, verdict, settings)
        probs = (
            model.probabilities(history.get(cid, AnswerCounts.empty()), people[cid].kind)
            if model
            else None
        )
        p_answer = float(probs[hour_of_week(at, zone)]) if probs is not None else None
        row = stored.get(cid)
        parts = _parts(row, p_answer)
        if win_rate is not None and row is not None and row.winback_key:
            parts = parts.with_win_rate(win_rate(row.winback_key))
        parts = esc_queue.boosted(parts, marks.get(cid))
        ranked.append(
            (
                not verdict.callback_due,
                contact.callback.due if contact.callback else at,
                -parts.score,
                cid,
                verdict,
                contact,
                zone,
                probs,
                parts,
            )
        )
    ranked.sort(key=lambda r: r[:4])
    dormant = _months_dormant(conn, [r[3] for r in ranked[:limit]], at, ZoneInfo(settings.timezone))
    out = []
    for _, _, _, cid, verdict, contact, zone, probs, parts in ranked[:limit]:
        row, person = stored.get(cid), people[cid]
        reason = row.reason if row else "unknown"
        out.append(
            QueueEntry(
                customer_id=cid,
                external_id=person.external_id,
                name=person.name,
                kind=person.kind,
                parts=parts,
                phone=verdict.number or (contact.numbers[0].e164 if contact.numbers else ""),
                local_time=at.astimezone(zone),
                state=row.state if row else "unknown",
                reason=reason,
                reason_source=row.reason_source if row else "guessed",
                reason_confidence=row.reason_confidence if row else 0.0,
                script=pick_script(
                    conn,
                    settings,
                    reason,
                    person.kind,
                    rng or customer_draw(cid, at),
                    months_dormant=dormant.get(cid),
                    reason_source=row.reason_source if row else "guessed",
                    reason_confidence=row.reason_confidence if row else 0.0,
                ),
                callback_due=verdict.callback_due,
                callback_overdue=verdict.callback_overdue,
                callback_at=contact.callback.due if contact.callback else None,
                callback_owner=contact.callback.owner if contact.callback else None,
                windows=_windows(probs, history.get(cid), settings),
                escalation=marks.get(cid),
            )
        )
    return out


def _months_dormant(
    conn: Connection, ids: list[int], at: datetime, zone: ZoneInfo
) -> dict[int, int]:
    """Whole months since each customer's last order up to `at` (the talk script's `months_dormant`)."""
    if not ids:
        return {}
    rows = conn.execute(
        select(purchases.c.customer_id, func.max(purchases.c.ordered_at))
        .where(and_(purchases.c.customer_id.in_(ids), purchases.c.ordered_at <= at))
        .group_by(purchases.c.customer_id)
    ).all()
    today = at.astimezone(zone).date()
    return {
        cid: months_between(aware_utc(last).astimezone(zone).date(), today)  # type: ignore[union-attr]
        for cid, last in rows
        if last is not None
    }


def _windows(probs: object, counts: AnswerCounts | None, settings: Settings) -> str:
    """The customer's best answer windows in words, only once they have answered a call: before
    that the hours are the segment's, not the customer's, and claiming a best time would mislead."""
    if probs is None or counts is None or int(counts.answers.sum()) == 0:
        return ""
    return describe_windows(best_windows(probs, n=2), settings.language)  # type: ignore[arg-type]


def _zone(contact: CustomerContact, verdict: Verdict, settings: Settings) -> ZoneInfo:
    for number in contact.numbers:
        if number.e164 == verdict.number and len(number.zones) == 1:
            return ZoneInfo(number.zones[0])
    return ZoneInfo(settings.timezone)


def _parts(row, p_answer: float | None) -> ScoreParts:  # type: ignore[no-untyped-def]
    if row is None:
        return ScoreParts(0.0, 0.0, 0.0, 0.0, 0.0, False, 0.0, p_answer)
    return ScoreParts(
        value=row.value,
        p_alive=row.p_alive,
        expected_orders=row.expected_orders,
        p_come_back=row.p_come_back,
        season=row.season,
        deadline=bool(row.deadline),
        base=row.base_score,
        p_answer=p_answer,
        expected_spend=row.expected_spend,
        horizon_weeks=row.horizon_weeks,
        reason_fixed=row.reason_fixed,
    )


def _live_win_rate(conn: Connection, at: datetime) -> Callable[[str], float] | None:
    """P(win-back | conversation) per segment with the outcomes recorded since the scoring run."""
    loaded = load_winback_model(conn)
    if loaded is None:
        return None
    model, through_id = loaded
    since = winback_counts_since(conn, through_id, at)
    return lambda key: model.rate(key, since)


def _answer_model(conn: Connection) -> AnswerModel | None:
    data = load_state(conn, "answer_model")
    return None if data is None else answer_model_from_json(data)


def _answer_history(
    conn: Connection, ids: list[int], settings: Settings, at: datetime
) -> dict[int, AnswerCounts]:
    """Each customer's outbound calls by hour of week, as known at `at` (as the fit's)."""
    zone = ZoneInfo(settings.timezone)
    tallies: dict[int, tuple[list[int], list[int]]] = {}
    for cid, called, outcome in conn.execute(
        select(attempts.c.customer_id, attempts.c.at, attempts.c.outcome).where(
            and_(
                attempts.c.customer_id.in_(ids),
                attempts.c.channel == "call",
                attempts.c.direction == "outbound",
                attempts.c.at <= at,
            )
        )
    ):
        tries, answers = tallies.setdefault(cid, ([0] * 168, [0] * 168))
        how = hour_of_week(called, zone)
        tries[how] += 1
        answers[how] += outcome in CONTACTED_OUTCOMES
    return {
        cid: AnswerCounts(np.asarray(t, dtype=np.int64), np.asarray(a, dtype=np.int64))
        for cid, (t, a) in tallies.items()
    }
