"""The script selector's tally counts orders before each call from customer_metrics when it can.

A call after the customer's last order saw all their orders, one at or before their first saw
none; only a call between the two counts purchases.  The answer must be the same whether the
metrics are there or not (a test database written row by row has none).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert

from workbench.services.case_tally import (
    case_selection_counts,
    count_case_tally,
    load_case_tally,
    store_case_tally,
)
from workbench.store import purchase_metrics
from workbench.store.models import ContactAttempt, Customer, Purchase

D = [datetime(2026, 1, d, 1, 0, tzinfo=UTC) for d in range(1, 29)]
# customer → order instants; each is called once with "listen"/"v1" at the instant given
ORDERS = {
    "late": [D[0], D[1], D[2]],  # called after all three orders: guessed usage_decreased
    "early": [D[10], D[11], D[12]],  # called before the first: unknown
    "first": [D[5], D[6], D[7]],  # called at the very instant of the first order: none before it
    "between": [D[0], D[1], D[8], D[9]],  # two orders before the call, two after: unknown
    "three": [D[0], D[1], D[2], D[20]],  # three before, one after: usage_decreased
}
CALLS = {"late": D[4], "early": D[3], "first": D[5], "between": D[4], "three": D[4]}
EXPECTED = {
    ("guessed:usage_decreased", "listen", "v1"): (1, 2),
    ("guessed:unknown", "listen", "v1"): (0, 3),
}


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = {}
        for ext in ORDERS:
            ids[ext] = conn.execute(
                insert(Customer.__table__)
                .values(external_id=ext, name=ext, kind="b2c")
                .returning(Customer.__table__.c.id)
            ).scalar_one()
        conn.execute(insert(Purchase.__table__), [
            {"customer_id": ids[c], "ordered_at": at, "amount": 1000, "fingerprint": hash((c, i))}
            for c, ats in ORDERS.items() for i, at in enumerate(ats)
        ])  # fmt: skip
        conn.execute(insert(ContactAttempt.__table__), [
            {"customer_id": ids[c], "channel": "call", "at": at, "operator": "op01",
             "outcome": "reactivated" if c == "late" else "not_interested", "script_id": "listen", "script_version": "v1"}
            for c, at in CALLS.items()
        ])  # fmt: skip


def test_orders_before_a_call_with_and_without_metrics(engine: Engine) -> None:
    _seed(engine)
    assert case_selection_counts(engine) == EXPECTED
    with engine.begin() as conn:
        purchase_metrics.refresh(conn, "Asia/Tokyo")
    assert case_selection_counts(engine) == EXPECTED


def test_a_counted_tally_is_stored_with_its_high_water_mark(engine: Engine) -> None:
    _seed(engine)
    pending = count_case_tally(engine)
    assert load_case_tally(engine) == (0, {})  # counting writes nothing
    with engine.begin() as conn:
        assert store_case_tally(conn, pending, D[27]) == pending.through_id > 0
    assert load_case_tally(engine) == (pending.through_id, EXPECTED)
    again = count_case_tally(engine)
    assert (again.changed, again.counts) == (False, EXPECTED)
