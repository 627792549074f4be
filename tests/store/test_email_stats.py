"""Email template figures against hand-computed values, on both backends.

Group "g" has two variants.  A (v1) went to C1, C2, C3: C1 opened and replied, C2 opened,
C3 did nothing; B (v1) went to C4 and C5: C4 clicked.  C1 came back by phone 5 days after
its email (¥12,000: credited to A); C5 came back 40 days after its email (outside the
30-day window: credited to nothing).  A: 1 response (the reply) of 3, Wilson 95 %
[0.0615, 0.7923]; B: 1 (the click) of 2, [0.0945, 0.9055].
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from workbench.services.email_stats import email_stats
from workbench.store.models import ContactAttempt, Customer, OutboxMessage

SENT = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)


def _seed(engine: Engine) -> None:
    sends = {
        "m1": ("C1", "A"),
        "m2": ("C2", "A"),
        "m3": ("C3", "A"),
        "m4": ("C4", "B"),
        "m5": ("C5", "B"),
    }
    events = [
        ("m1", "opened"),
        ("m1", "replied"),
        ("m2", "opened"),
        ("m4", "opened"),
        ("m4", "clicked"),
    ]
    with engine.begin() as conn:
        ids = {}
        for n in range(1, 6):
            ids[f"C{n}"] = conn.execute(
                insert(Customer.__table__)
                .values(external_id=f"C{n}", name=f"顧客{n}", kind="b2c", email=f"c{n}@example.jp")
                .returning(Customer.__table__.c.id)
            ).scalar_one()
        for mid, (cust, template) in sends.items():
            conn.execute(
                insert(OutboxMessage.__table__).values(
                    customer_id=ids[cust], dedupe_key=mid, message_id=f"<{mid}@x>",
                    to_address=f"{cust.lower()}@example.jp", template_id=template,
                    template_version="v1", variant_group="g", step=0, subject="件名",
                    body_text="本文", status="sent", attempts=1, next_try_at=SENT,
                    queued_at=SENT, sent_at=SENT,
                )
            )  # fmt: skip
        contacts = ContactAttempt.__table__
        for mid, outcome in events:
            cust = sends[mid][0]
            conn.execute(
                insert(contacts).values(
                    customer_id=ids[cust], channel="email", direction="outbound",
                    at=SENT + timedelta(hours=3), outcome=outcome, message_id=f"<{mid}@x>",
                    source="ingest",
                )
            )  # fmt: skip
        for cust, days, amount in (("C1", 5, 12000), ("C5", 40, 8000)):
            conn.execute(
                insert(contacts).values(
                    customer_id=ids[cust], channel="call", direction="outbound",
                    at=SENT + timedelta(days=days), outcome="reactivated", amount=amount,
                    source="cli",
                )
            )  # fmt: skip


def test_template_figures_match_the_hand_count(engine: Engine) -> None:
    _seed(engine)
    rows = {r.template_id: r for r in email_stats(engine)}
    a, b = rows["A"], rows["B"]
    assert (a.sent, a.opened, a.clicked, a.replied, a.responded) == (3, 2, 0, 1, 1)
    assert (a.reactivations, a.revenue) == (1, 12000)
    assert (b.sent, b.opened, b.clicked, b.replied, b.responded) == (2, 1, 1, 0, 1)
    assert (b.reactivations, b.revenue) == (0, 0)
    assert a.rate == pytest.approx(1 / 3) and b.rate == pytest.approx(0.5)
    assert (a.wilson_low, a.wilson_high) == pytest.approx((0.0615, 0.7923), abs=1e-4)
    assert (b.wilson_low, b.wilson_high) == pytest.approx((0.0945, 0.9055), abs=1e-4)
    # Fewer than 30 emails: no ranking claimed.
    assert a.not_enough_data and a.p_best is None and b.p_best is None


def test_since_counts_only_later_emails(engine: Engine) -> None:
    _seed(engine)
    assert email_stats(engine, SENT + timedelta(seconds=1)) == []
    assert sum(r.sent for r in email_stats(engine, SENT)) == 5
