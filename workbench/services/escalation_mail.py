"""Writing a cadence's email into the outbox: the template chosen, rendered for the customer.

The template is chosen per dormancy reason, kind and purpose (first, reminder, follow-up)
by the same Thompson sampling as talk scripts, on each variant's clicks and replies per
sent message.  The Message-ID is made here, so the row that is sent carries the id every
reply and bounce will name; `dedupe_key` (customer, cadence start, step) makes a second
writer of the same step write nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, exists, select

from workbench.config import Settings
from workbench.domain.category_labels import category_label
from workbench.domain.escalation import Cadence
from workbench.services.script_context import months_between
from workbench.store import escalation_queries as eq
from workbench.store import outbox_queries
from workbench.store.models import CustomerMetrics
from workbench.store.purchase_metrics import aware_utc

metrics = CustomerMetrics.__table__


@dataclass(frozen=True)
class Composed:
    """An outbox row's values, or why none could be written (`skip`)."""

    values: dict[str, Any] | None
    skip: str | None = None


class OutboxWriter:
    """Templates and their statistics, read once per run."""

    def __init__(self, conn: Connection, settings: Settings) -> None:
        from workbench.mail import mime
        from workbench.mail.templates import load_email_templates

        self.settings = settings
        self.templates, _issues = load_email_templates(
            Path(settings.talkscripts_dir), settings.language
        )
        self.stats = template_stats(conn)
        self.domain = mime.address_domain(settings.smtp.sender) or "localhost"

    def compose(self, facts: MailFacts, c: Cadence, purpose: str, at: datetime) -> Composed:
        """The outbox row of email number `c.step` (already counted) for this customer."""
        from workbench.mail import mime
        from workbench.mail.templates import EmailRenderError, choose_email_template, render_email

        rng = random.Random(f"{facts.customer_id}:{c.started_at.isoformat()}:{c.step}")
        template = choose_email_template(self.templates, reason=facts.reason, kind=facts.kind,
                                         purpose=purpose, stats=self.stats, rng=rng)  # fmt: skip
        if template is None:
            return Composed(None, "no_template")
        message_id = mime.new_message_id(self.domain)
        try:
            rendered = render_email(template, self._variables(facts, message_id, at))
        except EmailRenderError:
            return Composed(None, "template_error")
        values = {
            "customer_id": facts.customer_id,
            "dedupe_key": dedupe_key(facts.customer_id, c),
            "message_id": message_id,
            "to_address": (facts.email or "").strip(),
            "template_id": template.id,
            "template_version": template.version,
            "variant_group": template.variant_group,
            "step": c.step,
            "subject": rendered.subject,
            "body_text": rendered.text,
            "body_html": rendered.html,
            "next_try_at": at,
            "queued_at": at,
        }
        return Composed(values)

    def write(self, conn: Connection, values: dict[str, Any]) -> bool:
        """Queue the row (status 'queued'); False when this step was queued before."""
        return outbox_queries.insert_message(conn, values) is not None

    def _variables(self, facts: MailFacts, message_id: str, at: datetime) -> dict[str, Any]:
        from workbench.mail import mime
        from workbench.mail.templates import email_variables

        s, e = self.settings, self.settings.escalation
        token = mime.message_token(message_id)
        zone = ZoneInfo(s.timezone)
        last = aware_utc(facts.last_order_at)
        months = (
            months_between(last.astimezone(zone).date(), at.astimezone(zone).date())
            if last
            else None
        )
        category = (
            category_label(facts.main_category, s.language, s.category_labels())
            if facts.main_category
            else None
        )
        return email_variables(
            customer_name=facts.name,
            kind=facts.kind,
            company_name=s.company_name,
            rep_name=facts.previous_rep,
            category_label=category,
            months_dormant=months,
            unsubscribe_url=e.unsubscribe_url.replace("{token}", token) or None,
            unsubscribe_mailto=e.unsubscribe_mailto or s.smtp.sender,
            sender_address=s.smtp.sender,
            language=s.language,
            postal_address=s.company_address or None,
        )


def dedupe_key(customer_id: int, c: Cadence) -> str:
    """One email per cadence step: the customer, the cadence's start and the step."""
    return f"cadence:{customer_id}:{c.started_at.strftime('%Y%m%dT%H%M%S')}:{c.step}"


@dataclass(frozen=True)
class MailFacts:
    """What an email to one customer is written from."""

    customer_id: int
    name: str
    kind: str
    email: str | None
    previous_rep: str | None
    main_category: str | None
    last_order_at: datetime | None
    reason: str


def mail_facts(conn: Connection, ids: list[int]) -> dict[int, MailFacts]:
    if not ids:
        return {}
    rows = conn.execute(
        select(
            eq.customers.c.id,
            eq.customers.c.name,
            eq.customers.c.kind,
            eq.customers.c.email,
            eq.customers.c.previous_rep,
            metrics.c.main_category,
            metrics.c.last_order_at,
            eq.scores.c.reason,
        )  # fmt: skip
        .select_from(
            eq.customers.outerjoin(metrics, metrics.c.customer_id == eq.customers.c.id).outerjoin(
                eq.scores, eq.scores.c.customer_id == eq.customers.c.id
            )
        )
        .where(eq.customers.c.id.in_(ids))
    ).all()
    return {
        r.id: MailFacts(
            r.id,
            r.name,
            r.kind,
            r.email,
            r.previous_rep,
            r.main_category,
            r.last_order_at,
            r.reason or "unknown",
        )  # fmt: skip
        for r in rows
    }


def template_stats(conn: Connection) -> dict[tuple[str, str], tuple[int, int]]:
    """(template id, version) → (messages clicked or replied to, messages sent)."""
    answered = exists().where(
        and_(
            eq.attempts.c.message_id == eq.outbox.c.message_id,
            eq.attempts.c.channel == "email",
            eq.attempts.c.outcome.in_(("clicked", "replied")),
        )
    )
    out: dict[tuple[str, str], list[int]] = {}
    for tid, version, hit in conn.execute(
        select(eq.outbox.c.template_id, eq.outbox.c.template_version, answered).where(
            eq.outbox.c.status == "sent"
        )
    ):
        tally = out.setdefault((tid, version or ""), [0, 0])
        tally[0] += bool(hit)
        tally[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
