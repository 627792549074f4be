"""The small database of the KPI tests (`tests/store/test_kpi.py`, `tests/e2e/test_kpi_cli.py`).

Fifteen one-time buyers (10,000 yen on 2025-06-01, so dormant at the period's start); twelve
of them are the population, three are left out (one bought recently, one is on the
do-not-call list, one refused before the start).  The control group's seed is stored in
`model_state` with a share of one half; membership is worked out here from splitmix64's
definition, not with the product's draw.  Period: 2026-06-01 to 2026-08-29 (Asia/Tokyo),
re-purchase window 30 days.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from workbench.config import load_settings
from workbench.store import purchase_metrics
from workbench.store.models import ContactAttempt, Customer, DoNotCall, ModelState, Purchase

TOKYO = ZoneInfo("Asia/Tokyo")
SEED = 1
SHARE = 0.5
HORIZON = 52.0
START = datetime(2026, 6, 1, tzinfo=TOKYO)
END = datetime(2026, 8, 30, tzinfo=TOKYO)  # the day after the last, at midnight
FIRST = datetime(2025, 6, 1, 10, tzinfo=TOKYO)


def jst(month: int, day: int, hour: int = 12, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, 0, second, tzinfo=TOKYO)


def splitmix64(z: int) -> int:
    """Steele, Lea & Flood (2014): z += golden gamma; two xor-shift-multiply rounds; xor-shift."""
    mask = (1 << 64) - 1
    z = (z + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def in_control(customer_id: int) -> bool:
    # The stored definition: the top 53 bits of mix(seed ^ mix(id)) as a fraction below the share.
    return (splitmix64(SEED ^ splitmix64(customer_id)) >> 11) / 2**53 < SHARE


POPULATION = list(range(1, 13))
CAMPAIGN = [i for i in POPULATION if not in_control(i)]
CONTROL = [i for i in POPULATION if in_control(i)]
# Customers 1–11 get the behaviours below; 12 refuses only after the start (still in).
C = [i for i in CAMPAIGN if i != 12]
K = [i for i in CONTROL if i != 12]


def seed(engine: Engine) -> None:
    assert len(C) >= 6 and len(K) >= 3, "the seed must split the fixture usefully"
    c0, c1, c2, c3, c4, c5 = C[:6]
    k0, k1, k2 = K[:3]
    purchases = [(i, FIRST, 10_000) for i in range(1, 16)]
    purchases += [
        (c0, jst(6, 10), 12_000), (c0, jst(6, 25), 8_000),  # re-purchase 15 days later
        (c1, jst(7, 1), 5_000),  # reactivated, no re-purchase
        (c2, jst(8, 15), 20_000),  # censored: 15 days left in the period
        (c3, jst(6, 5, 10), 3_000), (c3, jst(6, 5, 15), 3_000),  # the same local day twice
        (k0, jst(6, 20), 10_000), (k0, jst(7, 30), 10_000),  # 40 days later: not within 30
        (k1, jst(6, 2), 10_000), (k1, jst(6, 12), 6_000),  # re-purchase 10 days later
        (13, jst(5, 20), 1_000),  # bought recently: active at the start, not in the population
        # On 30 August 00:00 in Tokyo: the day after the period, so not in it.
        (c1, datetime(2026, 8, 30, tzinfo=TOKYO), 99_999),
    ]  # fmt: skip
    calls = [
        # (customer, channel, at, outcome, started, ended, script, reason)
        (c0, "call", jst(5, 1), "callback", None, None, None, "price"),  # heard before the start
        (k0, "call", jst(5, 2), "callback", None, None, None, "price"),
        (15, "call", jst(5, 3), "not_interested", None, None, None, None),  # refused: out
        (c0, "call", jst(6, 8), "reactivated", jst(6, 8), jst(6, 8, 12, 0) + timedelta(seconds=125),
         "S1", None),  # 125 s → 3 minutes
        (c1, "call", jst(6, 20), "no_answer", None, None, None, None),  # no duration: 1 minute
        (c4, "call", jst(6, 21), "callback", jst(6, 21), jst(6, 21) + timedelta(seconds=60),
         "S2", None),  # 1 minute
        (c4, "call", jst(6, 22), "no_answer", jst(6, 22), jst(6, 22) + timedelta(seconds=59),
         None, None),  # 1 minute
        (c5, "call", jst(5, 25), "no_answer", None, None, "S1", None),  # before the period
        (k2, "call", jst(6, 23), "callback", jst(6, 23), jst(6, 23) + timedelta(seconds=300),
         None, None),  # the control arm's calls are no campaign cost
        (c1, "email", jst(6, 3), "sent", None, None, None, None),
        (c5, "email", jst(6, 4), "sent", None, None, None, None),
        (c5, "email", jst(7, 4), "sent", None, None, None, None),
        (c5, "email", jst(7, 5), "opened", None, None, None, None),  # not a send
        (12, "call", jst(6, 15), "not_interested", None, None, None, None),  # after the start
    ]  # fmt: skip
    with engine.begin() as conn:
        for i in range(1, 16):
            conn.execute(insert(Customer.__table__).values(
                id=i, external_id=f"K{i:02d}", name=f"K{i:02d}", kind="b2c"))  # fmt: skip
        for n, (cid, at, amount) in enumerate(purchases):
            conn.execute(insert(Purchase.__table__).values(
                customer_id=cid, ordered_at=at, amount=amount, fingerprint=n + 1))  # fmt: skip
        for cid, channel, at, outcome, started, ended, script, reason in calls:
            conn.execute(insert(ContactAttempt.__table__).values(
                customer_id=cid, channel=channel, direction="outbound", at=at, outcome=outcome,
                started_at=started, ended_at=ended, script_id=script, reason=reason,
                source="test"))  # fmt: skip
        conn.execute(insert(DoNotCall.__table__).values(
            customer_id=14, source="cli", created_at=datetime(2026, 1, 1, tzinfo=UTC)))  # fmt: skip
        conn.execute(insert(ModelState.__table__).values(
            key="control_group", value=json.dumps({"seed": SEED}),
            fitted_at=datetime(2026, 1, 1, tzinfo=UTC)))  # fmt: skip
        purchase_metrics.refresh(conn, "Asia/Tokyo")


def kpi_settings(share: float = SHARE):  # type: ignore[no-untyped-def]
    return load_settings(env={
        "WORKBENCH_KPI_CONTROL_SHARE": str(share), "WORKBENCH_KPI_REPURCHASE_DAYS": "30",
        "WORKBENCH_KPI_COST_PER_CALL_MINUTE": "60", "WORKBENCH_KPI_COST_PER_EMAIL": "1",
        "WORKBENCH_SCORING_VALUE_HORIZON_WEEKS": str(HORIZON), "WORKBENCH_TIMEZONE": "Asia/Tokyo",
    })  # fmt: skip


# The same settings as environment variables, for the command line.
ENV = {
    "WORKBENCH_KPI_CONTROL_SHARE": str(SHARE), "WORKBENCH_KPI_REPURCHASE_DAYS": "30",
    "WORKBENCH_SCORING_VALUE_HORIZON_WEEKS": str(HORIZON), "WORKBENCH_TIMEZONE": "Asia/Tokyo",
}  # fmt: skip
