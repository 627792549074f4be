"""Human-readable tables for the CLI (rich), kept apart from the command wiring."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from workbench.domain.local_time import iso, zone_named

if TYPE_CHECKING:
    from workbench.services.customers import CustomerDetail, CustomerSummary
    from workbench.services.explain import Explanation
    from workbench.services.queue import QueueEntry

# Piped output gets a wide console so tables are not squeezed to 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)


def _yen(amount: int | None) -> str:
    return "" if amount is None else f"¥{amount:,}"


def customers_table(rows: list[CustomerSummary]) -> None:
    table = Table(show_lines=False)
    for column in ("ID", "Name", "Kind", "State", "Days", "Orders", "Spend", "RFM", "Phone"):
        table.add_column(
            column, no_wrap=column != "Name", min_width=12 if column == "Name" else None
        )
    for c in rows:
        rfm = f"{c.recency}{c.frequency}{c.monetary_score}" if c.recency else "-"
        name = f"{c.name} ({c.company})" if c.company else c.name
        days = "" if c.days_since_last_order is None else str(c.days_since_last_order)
        table.add_row(
            c.external_id,
            name,
            c.kind,
            c.state,
            days,
            str(c.n_orders),
            _yen(c.monetary),
            rfm,
            c.phone or "",
        )
    console.print(table)
    console.print(f"{len(rows)} customers")


def customer_detail(detail: CustomerDetail) -> None:
    s = detail.summary
    console.print(
        f"[bold]{s.name}[/bold]  {s.external_id}  {s.kind}  state: [bold]{s.state}[/bold]"
    )
    for key in ("name_kana", "company", "contact_person", "previous_rep", "email", "prefecture"):
        if detail.customer.get(key):
            console.print(f"  {key}: {detail.customer[key]}")
    for phone in detail.phones:
        retired = "  (retired)" if phone["retired_at"] else ""
        console.print(
            f"  phone {phone['position']}: {phone['e164']} {phone['number_type']} {phone['time_zones']}{retired}"
        )
    console.print(
        f"  orders: {s.n_orders}, spend {_yen(s.monetary)}, RFM {s.recency}/{s.frequency}/{s.monetary_score}"
    )
    if detail.do_not_call:
        console.print(
            "  [red]do not call[/red]: "
            + "; ".join(str(d["reason"] or d["source"]) for d in detail.do_not_call)
        )
    zone = zone_named(s.zone)  # the customer's zone: their orders and calls on their clock
    purchases = Table(title="Purchases")
    for column in ("Ordered at", "Amount", "Category", "Product", "Source"):
        purchases.add_column(column)
    for p in detail.purchases[-20:]:
        purchases.add_row(
            iso(p["ordered_at"], zone) or "",  # type: ignore[arg-type]
            _yen(p["amount"]),
            p["category"] or "",
            p["product"] or "",
            str(p.get("source") or ""),
        )
    console.print(purchases)
    contacts = Table(title="Contacts")
    for column in ("At", "Channel", "Outcome", "Operator", "Reason", "Note"):
        contacts.add_column(column)
    for a in detail.contacts[-20:]:
        contacts.add_row(
            iso(a["at"], zone) or "",  # type: ignore[arg-type]
            a["channel"],
            a["outcome"],
            a["operator"] or "",
            a["reason"] or "",
            a["note"] or "",
        )
    console.print(contacts)


def queue_table(entries: list[QueueEntry]) -> None:
    table = Table()
    for column in (
        "ID",
        "Name",
        "Score",
        "Value",
        "P(back)",
        "P(answer)",
        "Local time",
        "State",
        "Reason",
        "Script",
        "Phone",
    ):
        table.add_column(
            column, no_wrap=column != "Name", min_width=10 if column == "Name" else None
        )
    for e in entries:
        p = e.parts
        flag = " ☎" if e.callback_due else ""
        table.add_row(
            e.external_id + flag, e.name, f"{e.score:,.0f}", _yen(int(p.value)), f"{p.p_come_back:.2f}",
            "" if p.p_answer is None else f"{p.p_answer:.2f}", e.local_time.strftime("%a %H:%M"),
            e.state, f"{e.reason} ({e.reason_source})", e.script.script_id if e.script else "-", e.phone,
        )  # fmt: skip
    console.print(table)
    if not entries:
        console.print("nothing to call now: `workbench queue --explain` shows why")


def explanation(result: Explanation) -> None:
    console.print(
        f"at {iso(result.at, result.zone)}: {result.callable_now:,} callable of {result.in_callable_states:,} in callable states"
    )
    for code, count in result.held_back.most_common():
        console.print(f"  {code:<22} {count:>10,}")
    if result.next_callable_at:
        when = iso(result.next_callable_at, result.next_callable_zone)
        console.print(f"next customer becomes callable at {when}")
