"""The call view's data for one claimed customer: card, history, heatmap, script context.

Everything here reads one customer's rows; `load_call_view` is what the call view shows at
first, loaded in one go by the worker that claimed the customer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

import numpy as np

from workbench.domain.answer_model import HOURS_PER_WEEK, AnswerCounts, hour_of_week
from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.domain.phone import national_format
from workbench.services.calling import calling_policy
from workbench.services.customers import CustomerDetail, CustomerSummary, show_customer
from workbench.services.escalation_card import EmailOnCard, email_on_card
from workbench.services.model_state import answer_model_from_json
from workbench.services.operator_desk import answer_model_state
from workbench.services.queue import QueueEntry
from workbench.services.script_context import build_context, months_between
from workbench.services.talk_choice import library_for
from workbench.talk.model import TalkScript
from workbench.talk.render import RenderedSection, ScriptContext, render_script
from workbench.talk.select import candidates_for
from workbench.tui.session import Session

MONTHS_SHOWN = 24
# A call today that ended the conversation (a promised callback is expected to be followed).
REACHED = CONTACTED_OUTCOMES - {"callback"}
CONTACTS_SHOWN = 8


@dataclass(frozen=True)
class HeatGrid:
    """Hour-of-week cells, Monday 00h first: model P(answer), this customer's tries and answers,
    and whether the calling window is open in that hour (policy windows, local time)."""

    p: tuple[float, ...]
    tries: tuple[int, ...]
    answers: tuple[int, ...]
    open: tuple[bool, ...] = ()


@dataclass(frozen=True)
class ContactLine:
    at: datetime
    channel: str
    direction: str
    outcome: str
    operator: str
    note: str
    amount: int | None


@dataclass(frozen=True)
class CallData:
    entry: QueueEntry
    summary: CustomerSummary
    name_kana: str
    company: str
    contact_person: str
    previous_rep: str
    e164: str
    national: str
    zones: tuple[str, ...]
    zone: ZoneInfo
    months_since: int | None
    monthly: list[float]
    top_categories: list[tuple[str, int, int]]
    heat: HeatGrid
    evidence: str
    email: str
    email_status: str
    contacts: list[ContactLine]
    do_not_call: bool
    context: ScriptContext
    reached_today: str | None = None  # outcome when this customer was already reached today
    email_track: EmailOnCard | None = None  # a responder's email and answer (escalation on)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CallView:
    """What the call view shows when it opens: the card's data and the rendered script."""

    data: CallData
    script: TalkScript | None
    sections: list[RenderedSection]
    warnings: list[str]  # the script library's news since this UI last looked
    updated: tuple[str, ...] = ()  # ids of scripts edited since then (served in their new version)


def load_call_view(session: Session, entry: QueueEntry) -> CallView:
    data = load_call_data(session, entry)
    news = session.scripts.check()  # reloads edited files first
    library = library_for(session.settings)
    chosen = library.get(entry.script.script_id) if entry.script else None
    script = pick_script(entry, library.active(), chosen, data.context.months_dormant)
    sections = render_script(script, data.context) if script else []
    return CallView(data, script, sections, list(news.warnings), news.updated)


def pick_script(
    entry: QueueEntry,
    scripts: list[TalkScript],
    chosen: TalkScript | None,
    months_dormant: int | None,
) -> TalkScript | None:
    """The queue's pick; if the library lost it since, the first script selection still allows."""
    if chosen is not None and chosen.active:
        return chosen
    found, _ = candidates_for(scripts, entry.reason, entry.kind, months_dormant)
    return found[0] if found else None


def load_call_data(session: Session, entry: QueueEntry) -> CallData:
    at = session.now()
    detail = show_customer(session.engine, session.settings, entry.external_id, at)
    context = build_context(
        session.engine, session.settings, entry.external_id, session.operator, at
    )
    model_json = answer_model_state(session.engine)
    zone = (
        entry.local_time.tzinfo if isinstance(entry.local_time.tzinfo, ZoneInfo) else session.zone
    )
    customer = detail.customer
    phone = next(
        (p for p in detail.phones if p["e164"] == entry.phone),
        detail.phones[0] if detail.phones else None,
    )
    zones = tuple(z for z in str(phone["time_zones"] if phone else "").split(",") if z)
    last = detail.summary.last_order_at
    local_today = at.astimezone(zone).date()
    return CallData(
        entry=entry,
        summary=detail.summary,
        name_kana=str(customer.get("name_kana") or ""),
        company=str(customer.get("company") or ""),
        contact_person=str(customer.get("contact_person") or ""),
        previous_rep=str(customer.get("previous_rep") or ""),
        e164=entry.phone,
        national=national_format(entry.phone) if entry.phone else "",
        zones=zones,
        zone=zone,
        months_since=None
        if last is None
        else months_between(last.astimezone(zone).date(), local_today),
        monthly=monthly_amounts(detail, at, zone),
        top_categories=top_categories(detail),
        heat=heat_grid(session, detail, model_json, entry.kind),
        evidence=evidence(session, entry, detail),
        email=str(customer.get("email") or ""),
        email_status=email_status(detail),
        contacts=contact_lines(detail),
        email_track=email_on_card(session.engine, entry.customer_id) if entry.escalation else None,
        do_not_call=bool(detail.do_not_call),
        context=context,
        reached_today=reached_today(detail, at, session.zone),
    )


def monthly_amounts(detail: CustomerDetail, at: datetime, zone: ZoneInfo) -> list[float]:
    """Order amounts per calendar month, the last MONTHS_SHOWN months, oldest first."""
    local = at.astimezone(zone)
    end = local.year * 12 + local.month - 1
    totals = [0.0] * MONTHS_SHOWN
    for purchase in detail.purchases:
        ordered = purchase["ordered_at"]
        assert isinstance(ordered, datetime)
        when = ordered.astimezone(zone)
        index = MONTHS_SHOWN - 1 - (end - (when.year * 12 + when.month - 1))
        if 0 <= index < MONTHS_SHOWN:
            totals[index] += float(purchase["amount"])  # type: ignore[arg-type]
    return totals


def top_categories(detail: CustomerDetail, n: int = 3) -> list[tuple[str, int, int]]:
    amounts: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for purchase in detail.purchases:
        category = str(purchase["category"] or "-")
        amounts[category] += int(purchase["amount"])  # type: ignore[call-overload]
        counts[category] += 1
    return [(category, amount, counts[category]) for category, amount in amounts.most_common(n)]


def heat_grid(
    session: Session, detail: CustomerDetail, model_json: dict | None, kind: str
) -> HeatGrid:  # type: ignore[type-arg]
    """Tries and answers per hour of week from the customer's call history (the queue's zone),
    shaded by the answer model's estimate for them when a model has been fitted."""
    tries = [0] * HOURS_PER_WEEK
    answers = [0] * HOURS_PER_WEEK
    for contact in detail.contacts:
        if contact["channel"] != "call" or contact["direction"] != "outbound":
            continue
        at = contact["at"]
        assert isinstance(at, datetime)
        cell = hour_of_week(at, session.zone)
        tries[cell] += 1
        answers[cell] += contact["outcome"] in CONTACTED_OUTCOMES
    p: tuple[float, ...] = ()
    if model_json is not None:
        model = answer_model_from_json(model_json)
        p = tuple(
            float(x)
            for x in model.probabilities(
                AnswerCounts(
                    np.asarray(tries, dtype=np.int64), np.asarray(answers, dtype=np.int64)
                ),
                kind,
            )
        )
    return HeatGrid(p, tuple(tries), tuple(answers), open_hours(session))


def open_hours(session: Session) -> tuple[bool, ...]:
    """Hours of the week that overlap the configured calling window (holidays aside)."""
    windows = calling_policy(session.settings).windows
    cells = []
    for day in range(7):
        window = windows.get(day)
        for hour in range(24):
            start, end = time(hour), (time(hour + 1) if hour < 23 else time.max)
            cells.append(window is not None and window[0] < end and start < window[1])
    return tuple(cells)


def evidence(session: Session, entry: QueueEntry, detail: CustomerDetail) -> str:
    """Why we believe the dormancy reason: the call where it was heard, or the basis of the guess."""
    tr = session.tr
    if entry.reason_source == "heard":
        for contact in reversed(detail.contacts):
            if contact["reason"] == entry.reason:
                at = contact["at"]
                assert isinstance(at, datetime)
                return tr("evidence.heard", date=f"{at.astimezone(session.zone):%Y-%m-%d}",
                          operator=contact["operator"] or "-", note=contact["note"] or "-")  # fmt: skip
    if entry.reason == "quality_dissatisfaction":
        complaints = [c["at"] for c in detail.contacts if c["outcome"] == "complaint"]
        if complaints:
            last = max(complaints)  # type: ignore[type-var]
            assert isinstance(last, datetime)
            return tr("evidence.complaint", date=f"{last.astimezone(session.zone):%Y-%m-%d}")
    customer = detail.customer
    if entry.reason == "contact_person_changed" and customer.get("previous_rep"):
        return tr("evidence.previous_rep", rep=customer["previous_rep"])
    if entry.reason == "usage_decreased":
        return tr("evidence.usage", n=detail.summary.n_orders)
    return tr("evidence.none")


def email_status(detail: CustomerDetail) -> str:
    if detail.customer.get("email_opt_out"):
        return "opted_out"
    events = [c for c in detail.contacts if c["channel"] == "email"]
    if events and events[-1]["outcome"] in ("bounced", "unsubscribed"):
        return "bounced" if events[-1]["outcome"] == "bounced" else "opted_out"
    return "ok"


def contact_lines(detail: CustomerDetail) -> list[ContactLine]:
    lines = []
    for c in reversed(detail.contacts[-CONTACTS_SHOWN:]):
        at = c["at"]
        assert isinstance(at, datetime)
        amount = c["amount"]
        lines.append(ContactLine(
            at, str(c["channel"]), str(c["direction"]), str(c["outcome"]), str(c["operator"] or "-"),
            str(c["note"] or ""), int(amount) if isinstance(amount, int) else None,
        ))  # fmt: skip
    return lines


def reached_today(detail: CustomerDetail, at: datetime, zone: ZoneInfo) -> str | None:
    """The outcome of a call today that reached the customer, if any (the screen warns)."""
    today = at.astimezone(zone).date()
    reached = None
    for c in detail.contacts:
        when = c["at"]
        assert isinstance(when, datetime)
        if (
            c["channel"] == "call"
            and c["outcome"] in REACHED
            and when.astimezone(zone).date() == today
            and when <= at
        ):
            reached = str(c["outcome"])
    return reached


def month_labels(at: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """The first and last month of the sparkline, 'YYYY-MM'."""
    local = at.astimezone(zone)
    end = local.year * 12 + local.month - 1
    start = end - MONTHS_SHOWN + 1
    return f"{start // 12}-{start % 12 + 1:02d}", f"{end // 12}-{end % 12 + 1:02d}"
