"""Customer listings and one customer's history, classified at a given instant.

Everything is seen as it was known at `at`: purchases, complaints, refusals and
do-not-call entries recorded later are left out.  The stored `customer_metrics`
aggregate every purchase, so they serve whenever `at` is at or after the newest
purchase (the usual case, and the fast path on a million customers); earlier, the
customers who bought after `at` are aggregated again from their purchases up to `at`.
A churned complainer who left for a reason since fixed is dormant here as in the queue
(`services.reapproach`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, and_, func, select

from workbench.config import Settings
from workbench.domain.codes import LifecycleState
from workbench.domain.lifecycle import NO_TIME, PurchaseHistory, classify
from workbench.domain.local_time import (
    home_zone,
    iso,
    iso_date,
    localised,
    split_zones,
    zone_name,
    zone_named,
)
from workbench.services.calling import dnc_known
from workbench.services.control_group import is_control
from workbench.services.customer_rfm import one_rfm, rfm_as_of
from workbench.services.customer_table import (  # noqa: F401  (lifecycle_policy, ensure_day_counts, RFM_CUTS_KEY: this module's API)
    CHURN_OUTCOMES,
    RFM_CUTS_KEY,
    ensure_day_counts,
    lifecycle_policy,
    load_customer_table,
)
from workbench.services.reapproach import OwnRecord, reapproached_state, reapproached_table
from workbench.store import columns, purchase_metrics
from workbench.store.columns import datetime_of
from workbench.store.models import (
    ContactAttempt,
    Customer,
    CustomerMetrics,
    DoNotCall,
    ModelState,
    Phone,
    Purchase,
)

customers = Customer.__table__
metrics = CustomerMetrics.__table__
attempts = ContactAttempt.__table__
dnc = DoNotCall.__table__
phones = Phone.__table__
purchases = Purchase.__table__
model_state = ModelState.__table__


class UnknownCustomer(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    id: int
    external_id: str
    name: str
    kind: str
    company: str | None
    state: str
    first_order_at: datetime | None
    last_order_at: datetime | None
    days_since_last_order: int | None
    n_orders: int
    monetary: int
    main_category: str | None
    recency: int | None
    frequency: int | None
    monetary_score: int | None
    phone: str | None
    # Purchases merged per local day (the customer-base models' transactions) and the first day's amount.
    n_days: int = 0
    first_day_amount: int = 0
    # The customer's zone (their first single-zone number, else the configured one): their times are shown in it.
    zone: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "customer_id": self.external_id,
            "name": self.name,
            "kind": self.kind,
            "company": self.company,
            "state": self.state,
            "last_order_at": iso(self.last_order_at, zone_named(self.zone)),
            "days_since_last_order": self.days_since_last_order,
            "orders": self.n_orders,
            "monetary": self.monetary,
            "main_category": self.main_category,
            "rfm": {"r": self.recency, "f": self.frequency, "m": self.monetary_score},
            "phone": self.phone,
            "purchase_days": self.n_days,
            "first_day_amount": self.first_day_amount,
        }


NO_PURCHASES = (
    None,
    None,
    0,
    0,
    None,
    0,
    0,
)  # first, last, orders, spend, category, days, first day


def classify_all(engine: Engine, settings: Settings, at: datetime) -> list[CustomerSummary]:
    """Every customer with state and RFM at `at` (RFM only for those who bought by then)."""
    table = reapproached_table(engine, settings, load_customer_table(engine, settings, at), at)
    with engine.connect() as conn:
        _, external_ids, names, companies = columns.fetch(
            conn,
            "SELECT id, external_id, name, company FROM customers",
            kinds="ittt",
            by_first=True,
        )
        primary: dict[int, str] = {}
        numbers: dict[int, list[tuple[str, ...]]] = {}
        for cid, e164, position, stored_zones in conn.execute(
            select(phones.c.customer_id, phones.c.e164, phones.c.position, phones.c.time_zones)
            .order_by(phones.c.customer_id, phones.c.position)
        ):  # fmt: skip
            if position == 1:
                primary[cid] = e164
            numbers.setdefault(cid, []).append(split_zones(stored_zones))
    zone_of = {
        cid: zone_name(home_zone(zones, settings.timezone)) for cid, zones in numbers.items()
    }
    states, categories = table.state_names().tolist(), table.category_names().tolist()
    days, kinds = table.days_since_last_order.tolist(), np.where(table.b2b, "b2b", "b2c").tolist()
    out = []
    for i, (cid, first, last, n_orders, monetary, n_days, first_day, r, f, m) in enumerate(zip(
        table.id.tolist(), table.first_us.tolist(), table.last_us.tolist(), table.n_orders.tolist(),
        table.monetary.tolist(), table.n_days.tolist(), table.first_day_amount.tolist(), table.recency.tolist(),
        table.frequency.tolist(), table.monetary_score.tolist(), strict=True,
    )):  # fmt: skip
        external_id, name, company = external_ids[i], names[i], companies[i]
        bought = last != NO_TIME
        out.append(CustomerSummary(
            cid, external_id, name, kinds[i], company, states[i], datetime_of(first, NO_TIME),
            datetime_of(last, NO_TIME), days[i] if bought else None, n_orders, monetary, categories[i] or None,
            r or None, f or None, m or None, primary.get(cid), n_days, first_day,
            zone_of.get(cid, settings.timezone),
        ))  # fmt: skip
    return out


def attack_list(
    engine: Engine,
    settings: Settings,
    at: datetime,
    state: str | None = None,
    limit: int | None = None,
) -> list[CustomerSummary]:
    """Customers in `state`, the most valuable (RFM F+M, then shortest lapse) first."""
    if state is not None and state not in set(LifecycleState):
        raise ValueError(f"unknown state {state!r}: one of {', '.join(LifecycleState)}")
    rows = [c for c in classify_all(engine, settings, at) if state is None or c.state == state]
    rows.sort(
        key=lambda c: (
            -((c.frequency or 0) + (c.monetary_score or 0)),
            c.days_since_last_order or 0,
            c.external_id,
        )
    )
    return rows[:limit] if limit else rows


@dataclass(frozen=True)
class CustomerDetail:
    summary: CustomerSummary
    # Rows as read (column → value, of each column's type): the faces format them field by field.
    customer: dict[str, Any]
    phones: list[dict[str, Any]]
    purchases: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    do_not_call: list[dict[str, Any]]
    # Held back from every call and email (services.control_group).
    control_group: bool = False

    def as_json(self) -> dict[str, object]:
        """`customers show --json`: every time in the customer's zone with its offset; each
        purchase also gives `ordered_on`, its local date there (the day the customer bought)."""
        zone = zone_named(self.summary.zone)
        return {
            **self.summary.as_json(),
            "customer": localised(self.customer, zone),
            "phones": [localised(p, zone) for p in self.phones],
            "purchases": [
                {**localised(p, zone), "ordered_on": iso_date(p["ordered_at"], zone)}  # type: ignore[arg-type]
                for p in self.purchases
            ],
            "contacts": [localised(c, zone) for c in self.contacts],
            "do_not_call": [localised(d, zone) for d in self.do_not_call],
            "control_group": self.control_group,
        }


def summarise_one(
    conn: Connection, settings: Settings, external_id: str, at: datetime
) -> CustomerSummary:
    """One customer's summary at `at` without classifying the whole base."""
    row = conn.execute(
        select(
            customers.c.id,
            customers.c.external_id,
            customers.c.name,
            customers.c.kind,
            customers.c.company,
            customers.c.call_opt_out,
            metrics.c.first_order_at,
            metrics.c.last_order_at,
            metrics.c.n_orders,
            metrics.c.monetary,
            metrics.c.main_category,
            metrics.c.n_days,
            metrics.c.first_day_amount,
        )  # fmt: skip
        .select_from(customers.outerjoin(metrics, metrics.c.customer_id == customers.c.id))
        .where(customers.c.external_id == external_id)
    ).first()
    if row is None:
        raise UnknownCustomer(f"unknown customer {external_id!r}")
    first, last, n_orders, monetary, category, n_days, first_day = (
        row.first_order_at, row.last_order_at, row.n_orders or 0, row.monetary or 0, row.main_category,
        row.n_days or 0, row.first_day_amount or 0,
    )  # fmt: skip
    if (last is not None and last > at) or (n_orders and not n_days):
        # Bought after `at`, or metrics from before day counts: this customer's purchases up to `at`.
        earlier = purchase_metrics.as_of(conn, settings.timezone, at, [row.id]).get(row.id)
        first, last, n_orders, monetary, category, n_days, first_day = (
            earlier[1:] if earlier else NO_PURCHASES
        )
    complaint = conn.execute(
        select(func.max(attempts.c.at)).where(
            and_(
                attempts.c.customer_id == row.id,
                attempts.c.outcome.in_(CHURN_OUTCOMES),
                attempts.c.at <= at,
            )
        )
    ).scalar_one_or_none()
    blocked = (
        row.call_opt_out
        or conn.execute(
            select(func.count()).where(and_(dnc.c.customer_id == row.id, dnc_known(at)))
        ).scalar_one()
        > 0
    )
    history = PurchaseHistory(
        kind=row.kind, n_orders=n_orders, first_order_at=first, last_order_at=last, main_category=category,
        last_complaint_at=complaint, do_not_contact=blocked,
    )  # fmt: skip
    numbers = conn.execute(
        select(phones.c.e164, phones.c.position, phones.c.time_zones)
        .where(phones.c.customer_id == row.id)
        .order_by(phones.c.position)
    ).all()  # fmt: skip
    phone = next((n.e164 for n in numbers if n.position == 1), None)
    zone = zone_name(home_zone((split_zones(n.time_zones) for n in numbers), settings.timezone))
    newest = purchase_metrics.newest_purchase(conn)
    state = classify(history, at, lifecycle_policy(settings))
    if state is LifecycleState.CHURNED:
        record = OwnRecord(row.kind, last, complaint is not None, bool(blocked))
        state = reapproached_state(conn.engine, settings, row.id, at, record)
    rfm = (
        one_rfm(conn, last, n_orders, monetary)
        if newest is None or newest <= at
        else rfm_as_of(conn, settings, at, last, n_orders, monetary)
    )
    return CustomerSummary(
        id=row.id, external_id=row.external_id, name=row.name, kind=row.kind, company=row.company,
        state=state.value,
        first_order_at=first, last_order_at=last,
        days_since_last_order=None if last is None else int((at - last).days),
        n_orders=n_orders, monetary=monetary, main_category=category,
        **rfm, phone=phone, n_days=n_days, first_day_amount=first_day, zone=zone,
    )  # fmt: skip


def show_customer(
    engine: Engine, settings: Settings, external_id: str, at: datetime
) -> CustomerDetail:
    """One customer as known at `at`: later purchases, contacts and do-not-call entries are left out."""
    with engine.connect() as conn:
        summary = summarise_one(conn, settings, external_id, at)
        customer = (
            conn.execute(select(customers).where(customers.c.id == summary.id)).mappings().one()
        )
        cid = summary.id
        numbers = _rows(
            conn, select(phones).where(phones.c.customer_id == cid).order_by(phones.c.position)
        )
        for number in numbers:
            if number["retired_at"] is not None and number["retired_at"] > at:  # type: ignore[operator]
                number["retired_at"] = None
        return CustomerDetail(
            summary=summary,
            customer=dict(customer),
            phones=numbers,
            purchases=_rows(
                conn,
                select(purchases)
                .where(and_(purchases.c.customer_id == cid, purchases.c.ordered_at <= at))
                .order_by(purchases.c.ordered_at, purchases.c.id),
            ),
            contacts=_rows(
                conn,
                select(attempts)
                .where(and_(attempts.c.customer_id == cid, attempts.c.at <= at))
                .order_by(attempts.c.at, attempts.c.id),
            ),
            do_not_call=_rows(
                conn,
                select(dnc)
                .where(
                    and_(
                        (dnc.c.customer_id == cid)
                        | dnc.c.e164.in_(select(phones.c.e164).where(phones.c.customer_id == cid)),
                        dnc_known(at),
                    )
                )
                .order_by(dnc.c.created_at, dnc.c.id),
            ),
            control_group=is_control(conn, settings, cid),
        )


def _rows(conn: Connection, stmt) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return [dict(r) for r in conn.execute(stmt).mappings()]
