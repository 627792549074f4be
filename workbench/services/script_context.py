"""The talk-script variables for one database customer, seen at a given instant."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select

from workbench.config import Settings
from workbench.domain.category_labels import category_label
from workbench.domain.lifecycle import PurchaseHistory, classify
from workbench.domain.reason_fixes import fixed_on, left_for, reason_known
from workbench.services.customers import UnknownCustomer, lifecycle_policy
from workbench.services.fixed_reasons import fixes_at
from workbench.store.engine import connection_of
from workbench.store.models import (
    ContactAttempt,
    Customer,
    CustomerMetrics,
    DoNotCall,
    Operator,
    QueueScore,
)
from workbench.talk.render import ScriptContext

customers = Customer.__table__
metrics = CustomerMetrics.__table__
attempts = ContactAttempt.__table__
dnc = DoNotCall.__table__
operators = Operator.__table__

# The same signals `services.customers._churn_signals` uses for the whole base.
_CHURN_OUTCOMES = ("complaint", "do_not_call")


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 when `end` is not later): 12-20 → 11-25 is 11."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(0, months)


def operator_name(conn: Connection, code: str | None) -> str:
    """The display name of an operator code; the code itself when the table has no such row."""
    if not code:
        return ""
    name = conn.execute(select(operators.c.name).where(operators.c.code == code)).scalar()
    return name or code


def build_context(
    bind: Engine | Connection,
    settings: Settings,
    external_id: str,
    operator_code: str | None,
    at: datetime,
) -> ScriptContext:
    """Everything a script may say about customer `external_id` when called at `at`.

    `purpose` stays empty so each script's front matter supplies it, and `offer` stays
    empty (offers do not live in the database). Raises `LookupError` (`UnknownCustomer`)
    for an unknown customer.
    """
    zone = ZoneInfo(settings.timezone)
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone)
    with connection_of(bind) as conn:
        row = conn.execute(
            select(
                customers.c.id,
                customers.c.name,
                customers.c.name_kana,
                customers.c.kind,
                customers.c.company,
                customers.c.contact_person,
                customers.c.previous_rep,
                customers.c.call_opt_out,
                metrics.c.first_order_at,
                metrics.c.last_order_at,
                metrics.c.n_orders,
                metrics.c.main_category,
            )
            .select_from(customers.outerjoin(metrics, metrics.c.customer_id == customers.c.id))
            .where(customers.c.external_id == external_id)
        ).first()
        if row is None:
            raise UnknownCustomer(f"unknown customer {external_id!r}")
        last_complaint = conn.execute(
            select(func.max(attempts.c.at)).where(
                attempts.c.customer_id == row.id, attempts.c.outcome.in_(_CHURN_OUTCOMES)
            )
        ).scalar()
        on_dnc = conn.execute(select(dnc.c.id).where(dnc.c.customer_id == row.id).limit(1)).first()
        reason = conn.execute(
            select(attempts.c.reason)
            .where(
                attempts.c.customer_id == row.id,
                attempts.c.reason.is_not(None),
                attempts.c.at <= at,
            )
            .order_by(attempts.c.at.desc(), attempts.c.id.desc())
            .limit(1)
        ).scalar()
        heard = reason is not None
        confidence = 1.0
        if reason is None:
            # Not heard yet: the queue's guess from the history is what the script was chosen for.
            guess = conn.execute(
                select(
                    QueueScore.__table__.c.reason, QueueScore.__table__.c.reason_confidence
                ).where(QueueScore.__table__.c.customer_id == row.id)
            ).first()
            reason, confidence = (guess.reason, guess.reason_confidence) if guess else (None, 0.0)
        operator = operator_name(conn, operator_code)
        fixes = fixes_at(conn, settings, at)
    history = PurchaseHistory(
        kind=row.kind,
        n_orders=row.n_orders or 0,
        first_order_at=row.first_order_at,
        last_order_at=row.last_order_at,
        main_category=row.main_category,
        last_complaint_at=last_complaint,
        do_not_contact=bool(row.call_opt_out) or on_dnc is not None,
    )
    today = at.astimezone(zone).date()
    last = row.last_order_at.astimezone(zone).date() if row.last_order_at else None
    fixed = fixed_on(fixes.days, reason or "unknown", row.kind)
    known = reason_known(heard, confidence, fixes.confidence_min)
    return ScriptContext(
        customer_name=row.name or "",
        customer_kana=row.name_kana or "",
        kind=row.kind,
        customer_company=row.company or "",
        contact_person=row.contact_person or "",
        previous_rep=row.previous_rep or "",
        operator=operator,
        company=settings.company_name,
        last_purchase_date=last,
        last_category=category_label(
            row.main_category, settings.language, settings.category_labels()
        ),
        months_dormant=None if last is None else months_between(last, today),
        lifecycle=classify(history, at, lifecycle_policy(settings)).value,
        reason=reason or "unknown",
        language=settings.language,
        today=today,
        reason_fixed_on=fixed if left_for(fixed, last, known) else None,
    )
