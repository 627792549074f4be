"""The small database of the report tests (`test_report_html.py`, `test_report_csv.py`).

Times are Asia/Tokyo (the default `timezone`), weeks start on Monday there:
- week of 2026-03-02: script A for `price`, 40 dials, 30 conversations, 9 win-backs of ¥5,000;
  and 2 unscripted no-answers on Sunday 2026-03-08 23:30 (14:30 UTC, the same day in UTC).
- week of 2026-03-09: 2 unscripted no-answers on Monday 00:30 (Sunday 15:30 UTC: only the local
  week puts them here); script A for `quality_dissatisfaction`, 10 dials, 5 conversations,
  1 win-back of ¥3,000; script B for `price`, 12 dials, 8 conversations, 1 win-back of ¥8,000.

Notes: B's last `price` conversation carries a `<script>` note; A's quality conversations one
with an emoji (no Shift_JIS code).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from workbench.store.engine import make_engine
from workbench.store.models import ContactAttempt, Customer

A, A_V = "hearing_first_price", "a1b2c3d4e5f6"
B, B_V = "price_return_offer", "0f9e8d7c6b5a"
WEEK1 = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # Tuesday 10:00 JST
WEEK2 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
SUNDAY_LATE = datetime(2026, 3, 8, 14, 30, tzinfo=UTC)  # Sunday 23:30 JST
MONDAY_EARLY = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)  # Monday 00:30 JST
SCRIPT_NOTE = '<script>alert("x")</script> 値段が「高い」& 送料'
EMOJI_NOTE = "品質に不満 😀"
# (script, version, reason, at): (dials, conversations, win-backs, yen per win-back, note)
GROUPS = {
    (A, A_V, "price", WEEK1): (40, 30, 9, 5000, "価格を見直してほしい"),
    (A, A_V, "quality_dissatisfaction", WEEK2): (10, 5, 1, 3000, EMOJI_NOTE),
    (B, B_V, "price", WEEK2): (12, 8, 1, 8000, SCRIPT_NOTE),
}


def seed(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        ids = [
            conn.execute(
                insert(Customer.__table__)
                .values(external_id=f"R{k}", name=f"R{k}", kind=kind)
                .returning(Customer.__table__.c.id)
            ).scalar_one()
            for k, kind in enumerate(("b2c", "b2b"))
        ]
        rows = []
        for (script, version, reason, at), (dials, talks, wins, yen, note) in GROUPS.items():
            outcomes = ["reactivated"] * wins + ["not_interested"] * (talks - wins)
            outcomes += ["no_answer"] * (dials - talks)
            for i, outcome in enumerate(outcomes):
                heard = outcome != "no_answer"
                rows.append({
                    "customer_id": ids[i % 2], "channel": "call", "at": at, "operator": "op01",
                    "outcome": outcome, "script_id": script, "script_version": version,
                    "reason": reason if heard else None,
                    "amount": yen if outcome == "reactivated" else None,
                    # the group's last conversation carries its note
                    "note": note if i == talks - 1 else None,
                })  # fmt: skip
        rows += [
            {"customer_id": ids[0], "channel": "call", "at": at, "operator": "op01",
             "outcome": "no_answer", "script_id": None, "script_version": None, "reason": None,
             "amount": None, "note": None}
            for at in (SUNDAY_LATE, SUNDAY_LATE, MONDAY_EARLY, MONDAY_EARLY)
        ]  # fmt: skip
        conn.execute(insert(ContactAttempt.__table__), rows)
    engine.dispose()


# The KPIs against the control group: 20 B2C customers who bought once on 2025-01-10 (dormant
# by the default KPI period, the 90 days up to 2026-03-20: 2025-12-21 to 2026-03-20), every
# third of them (L0, L3, …) buying again on 2026-02-10; the control group's seed is stored.
LAPSED = 20
CONTROL_SEED = 1
KPI_NOW = "2026-03-20T12:00"


def lapsed_buyers() -> list[int]:
    """Which of the lapsed customers (0-based) bought again in the period."""
    return [k for k in range(LAPSED) if k % 3 == 0]


def seed_lapsed(url: str) -> list[int]:
    """Add the lapsed customers and the control seed; their database ids, in order."""
    import json

    from workbench.store import purchase_metrics
    from workbench.store.models import ModelState, Purchase

    engine = make_engine(url)
    with engine.begin() as conn:
        ids = [
            conn.execute(
                insert(Customer.__table__)
                .values(external_id=f"L{k}", name=f"L{k}", kind="b2c")
                .returning(Customer.__table__.c.id)
            ).scalar_one()
            for k in range(LAPSED)
        ]
        rows = [{"customer_id": cid, "ordered_at": datetime(2025, 1, 10, 3, tzinfo=UTC),
                 "amount": 8000, "fingerprint": 1000 + k} for k, cid in enumerate(ids)]  # fmt: skip
        rows += [{"customer_id": ids[k], "ordered_at": datetime(2026, 2, 10, 3, tzinfo=UTC),
                  "amount": 6000, "fingerprint": 2000 + k} for k in lapsed_buyers()]  # fmt: skip
        conn.execute(insert(Purchase.__table__), rows)
        conn.execute(insert(ModelState.__table__).values(
            key="control_group", value=json.dumps({"seed": CONTROL_SEED}),
            fitted_at=datetime(2025, 1, 1, tzinfo=UTC)))  # fmt: skip
        purchase_metrics.refresh(conn, "Asia/Tokyo")
    engine.dispose()
    return ids
