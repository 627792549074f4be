"""How well each email template works: sent, opened, clicked, replied, and win-backs after it.

A message's response is its strongest event (a reply, a click, an open) recorded against
its Message-ID; the selector (`choose_email_template`) counts clicks and replies as its
successes, so the rate, its Wilson interval and P(best) here use the same count.  A
win-back (a `reactivated` call) is credited to the customer's latest email sent in the
`window_days` before it (last touch), with its amount as the template's revenue.
P(best) compares the variants of one `variant_group` (a template alone is its own group).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, select

from workbench.store.models import ContactAttempt, OutboxMessage
from workbench.talk.stats import not_enough_data, prob_best, wilson_interval

outbox = OutboxMessage.__table__
attempts = ContactAttempt.__table__
RESPONSES = ("opened", "clicked", "replied")
WINDOW_DAYS = 30


@dataclass(frozen=True)
class EmailStatsRow:
    template_id: str
    version: str
    variant_group: str | None
    sent: int
    opened: int  # messages opened (or clicked or replied: an answer means it was read)
    clicked: int
    replied: int
    responded: int  # clicked or replied: the selector's successes
    reactivations: int
    revenue: int
    rate: float | None
    wilson_low: float
    wilson_high: float
    p_best: float | None
    not_enough_data: bool

    def as_json(self) -> dict[str, object]:
        return {
            "template_id": self.template_id, "version": self.version,
            "variant_group": self.variant_group, "sent": self.sent, "opened": self.opened,
            "clicked": self.clicked, "replied": self.replied, "responded": self.responded,
            "reactivations": self.reactivations, "revenue": self.revenue, "rate": self.rate,
            "wilson_low": self.wilson_low, "wilson_high": self.wilson_high,
            "p_best": self.p_best, "not_enough_data": self.not_enough_data,
        }  # fmt: skip


def email_stats(
    engine: Engine, since: datetime | None = None, *, window_days: int = WINDOW_DAYS
) -> list[EmailStatsRow]:
    """One row per template version that sent email (since `since`), by template id."""
    sent_filter = [outbox.c.status == "sent"]
    if since is not None:
        sent_filter.append(outbox.c.sent_at >= since)
    with engine.connect() as conn:
        messages = conn.execute(
            select(
                outbox.c.message_id, outbox.c.customer_id, outbox.c.template_id,
                outbox.c.template_version, outbox.c.variant_group, outbox.c.sent_at,
            ).where(and_(*sent_filter))
        ).all()  # fmt: skip
        events: dict[str, set[str]] = defaultdict(set)
        for message_id, outcome in conn.execute(
            select(attempts.c.message_id, attempts.c.outcome).where(
                and_(
                    attempts.c.channel == "email",
                    attempts.c.message_id.is_not(None),
                    attempts.c.outcome.in_(RESPONSES),
                )
            )
        ):
            events[message_id].add(outcome)
        wins = conn.execute(
            select(attempts.c.customer_id, attempts.c.at, attempts.c.amount).where(
                and_(attempts.c.channel == "call", attempts.c.outcome == "reactivated")
            )
        ).all()
    keys = {m.message_id: (m.template_id, m.template_version or "") for m in messages}
    groups = {(m.template_id, m.template_version or ""): m.variant_group for m in messages}
    tally: dict[tuple[str, str], list[int]] = defaultdict(
        lambda: [0] * 7
    )  # sent, opened, clicked, replied, responded, won, yen
    for m in messages:
        got = events.get(m.message_id, set())
        t = tally[keys[m.message_id]]
        t[0] += 1
        t[1] += bool(got)
        t[2] += "clicked" in got
        t[3] += "replied" in got
        t[4] += bool(got & {"clicked", "replied"})
    _credit_wins(messages, wins, keys, tally, timedelta(days=window_days))
    return _rows(tally, groups)


def _credit_wins(messages, wins, keys, tally, window: timedelta) -> None:  # type: ignore[no-untyped-def]
    by_customer: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for m in messages:
        by_customer[m.customer_id].append((m.sent_at, m.message_id))
    for sends in by_customer.values():
        sends.sort()
    for customer_id, at, amount in wins:
        earlier = by_customer.get(customer_id, [])
        i = bisect_right(earlier, (at, "\uffff")) - 1
        if i >= 0 and at - earlier[i][0] <= window:
            t = tally[keys[earlier[i][1]]]
            t[5] += 1
            t[6] += int(amount or 0)


def _rows(tally: dict[tuple[str, str], list[int]], groups: dict) -> list[EmailStatsRow]:  # type: ignore[type-arg]
    by_group: dict[str, dict[tuple[str, str], tuple[int, int]]] = defaultdict(dict)
    for key, t in tally.items():
        by_group[groups.get(key) or key[0]][key] = (t[4], t[0])
    best: dict[tuple[str, str], float] = {}
    for counts in by_group.values():
        best.update(prob_best(counts))
    rows = []
    for key in sorted(tally):
        sent, opened, clicked, replied, responded, won, yen = tally[key]
        low, high = wilson_interval(responded, sent)
        thin = not_enough_data(sent)
        rows.append(
            EmailStatsRow(
                key[0], key[1], groups.get(key), sent, opened, clicked, replied, responded, won,
                yen, responded / sent if sent else None, low, high,
                None if thin else best.get(key), thin,
            )
        )  # fmt: skip
    return rows
