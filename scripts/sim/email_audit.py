"""An independent audit of every email the product tried to send in a simulated run.

Re-implemented from the README's text ("Email, then call", 特定電子メール法), from the
simulator's own files and its SMTP server's log; it never imports the product's code:

- no email to a customer whose file holds no address (nothing may reach an address that is
  not some customer's);
- none to a customer who refused email (`email_opt_out` = 1: no consent);
- none after an unsubscribe was reported to the product ("a refusal is honoured at once and
  for good");
- no further attempt at an address after the server refused it permanently (5xx: bounced);
- every message delivered once (no Message-ID received twice).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .mail_server import Attempt


@dataclass
class EmailAuditReport:
    checked: int = 0
    violations: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.violations.values())

    def add(self, rule: str, what: str) -> None:
        self.violations[rule] += 1
        if len(self.examples) < 20:
            self.examples.append(f"email {rule}: {what}")


def read_addresses(customers_csv: Path) -> tuple[dict[str, str], set[str]]:
    """address → customer id for customers whose file holds one; customers who refused email."""
    owners, refused = {}, set()
    with customers_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            address = (row.get("email") or "").strip().lower()
            if address:
                owners[address] = row["customer_id"]
            if (row.get("email_opt_out") or "0").strip() in ("1", "true", "yes"):
                refused.add(row["customer_id"])
    return owners, refused


def audit_email(
    attempts: Iterable[Attempt],
    message_ids: Iterable[str],
    customers_csv: Path,
    unsubscribed_at: dict[str, datetime],
) -> EmailAuditReport:
    owners, refused = read_addresses(customers_csv)
    report = EmailAuditReport()
    bounced: dict[str, datetime] = {}
    for a in attempts:  # in the order the server saw them
        report.checked += 1
        owner = owners.get(a.address)
        if owner is None:
            report.add("no_address", f"{a.address} at {a.at.isoformat()}")
            continue
        if owner in refused:
            report.add("no_consent", f"{owner} at {a.at.isoformat()}")
        stop = unsubscribed_at.get(owner)
        if stop is not None and a.at >= stop:
            report.add(
                "after_unsubscribe",
                f"{owner} at {a.at.isoformat()} (unsubscribed {stop.isoformat()})",
            )
        if a.address in bounced:
            report.add(
                "after_bounce",
                f"{owner} at {a.at.isoformat()} (refused {bounced[a.address].isoformat()})",
            )
        if not a.accepted:
            bounced.setdefault(a.address, a.at)
    for mid, n in Counter(message_ids).items():
        if n > 1:
            report.add("duplicate", f"{mid} received {n} times")
    return report
