"""`kpi_report` on SQLite and PostgreSQL against every KPI computed by hand from the small
fixture of `kpi_fixture.py` (its docstring tells the customers; each test the expected figures).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tests.store.kpi_fixture import (
    CAMPAIGN,
    CONTROL,
    END,
    FIRST,
    HORIZON,
    START,
    kpi_settings,
    seed,
)
from workbench.services.kpi import kpi_report

Z = 1.959963984540054


def wilson(x: int, n: int) -> tuple[float, float]:
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return (0.0 if x == 0 else centre - half), (1.0 if x == n else centre + half)


def newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float]:
    (l1, u1), (l2, u2), p1, p2 = wilson(x1, n1), wilson(x2, n2), x1 / n1, x2 / n2
    d = p1 - p2
    return d, d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def welch(a: list[float], b: list[float]) -> tuple[float, float, float]:
    from scipy.stats import t

    def mean_var(v: list[float]) -> tuple[float, float]:
        m = sum(v) / len(v)
        return m, sum((x - m) ** 2 for x in v) / (len(v) - 1)

    (ma, va), (mb, vb) = mean_var(a), mean_var(b)
    sa, sb = va / len(a), vb / len(b)
    df = (sa + sb) ** 2 / (sa**2 / (len(a) - 1) + sb**2 / (len(b) - 1))
    half = t.ppf(0.975, df) * math.sqrt(sa + sb)
    return ma - mb, ma - mb - half, ma - mb + half


def value(days: int, spent: int, at: datetime) -> float:
    """Fewer than 20 buyers: no population fit; each customer's own rate since the first
    purchase (x + 1 purchase days over max(T, 1) weeks) × the horizon × their mean spend a day."""
    weeks = (at - FIRST).total_seconds() / (7 * 86400)
    return days / max(weeks, 1.0) * HORIZON * spent / days


@pytest.fixture
def report(engine: Engine):  # type: ignore[no-untyped-def]
    seed(engine)
    return kpi_report(engine, kpi_settings(), date(2026, 6, 1), date(2026, 8, 29), "script",
                      serves=lambda script, reason, kind: script == "S1" and reason == "price")  # fmt: skip


def _row(report, kpi: str, by: str = "all", group: str = "all"):  # type: ignore[no-untyped-def]
    (row,) = [r for r in report.rows if (r.kpi, r.group_by, r.group) == (kpi, by, group)]
    return row


def test_population_and_arms(report) -> None:  # type: ignore[no-untyped-def]
    assert (report.campaign_n, report.control_n) == (len(CAMPAIGN), len(CONTROL))
    assert report.campaign_n + report.control_n == 12  # 13 active, 14 do-not-call, 15 refused


def test_reactivation_rate(report) -> None:  # type: ignore[no-untyped-def]
    row = _row(report, "reactivation_rate")
    n1, n2 = len(CAMPAIGN), len(CONTROL)
    d, low, high = newcombe(4, n1, 2, n2)  # c0–c3 against k0, k1
    assert (row.campaign_n, row.control_n) == (n1, n2)
    assert row.campaign == pytest.approx(4 / n1) and row.control == pytest.approx(2 / n2)
    assert (row.uplift, row.uplift_low, row.uplift_high) == (
        pytest.approx(d), pytest.approx(low), pytest.approx(high))  # fmt: skip
    assert row.relative_lift == pytest.approx((4 / n1) / (2 / n2) - 1)
    assert row.unit == "share"


def test_repurchase_rate(report) -> None:  # type: ignore[no-untyped-def]
    row = _row(report, "repurchase_rate")
    # Campaign: c0 (yes), c1 (no), c3 (same day: no) known, c2 censored; control: k0 (no, 40
    # days), k1 (yes).
    assert (row.campaign_n, row.control_n) == (3, 2)
    assert (row.campaign_censored, row.control_censored) == (1, 0)
    d, low, high = newcombe(1, 3, 1, 2)
    assert row.campaign == pytest.approx(1 / 3) and row.control == pytest.approx(1 / 2)
    assert (row.uplift, row.uplift_low, row.uplift_high) == (
        pytest.approx(d), pytest.approx(low), pytest.approx(high))  # fmt: skip


def test_order_value_recovery(report) -> None:  # type: ignore[no-untyped-def]
    row = _row(report, "order_value_recovery")
    campaign = [10_000 / 10_000, 5_000 / 10_000, 20_000 / 10_000, 3_000 / 10_000]
    control = [10_000 / 10_000, 8_000 / 10_000]
    d, low, high = welch(campaign, control)
    assert (row.campaign_n, row.control_n) == (4, 2)
    assert row.campaign == pytest.approx(0.95) and row.control == pytest.approx(0.9)
    assert (row.uplift, row.uplift_low, row.uplift_high) == (
        pytest.approx(d), pytest.approx(low), pytest.approx(high))  # fmt: skip


def test_revenue_and_roi(report) -> None:  # type: ignore[no-untyped-def]
    n1, n2 = len(CAMPAIGN), len(CONTROL)
    campaign = [20_000, 5_000, 20_000, 6_000] + [0] * (n1 - 4)
    control = [20_000, 16_000] + [0] * (n2 - 2)
    d, low, high = welch(campaign, control)
    revenue = _row(report, "revenue_per_customer")
    assert revenue.campaign == pytest.approx(51_000 / n1)
    assert revenue.control == pytest.approx(36_000 / n2)
    assert (revenue.uplift, revenue.uplift_low, revenue.uplift_high) == (
        pytest.approx(d), pytest.approx(low), pytest.approx(high))  # fmt: skip
    # Minutes: c0 3 (125 s), c1 1 (no duration), c4 1 + 1; customer 12's refusal call 1 if a
    # campaign customer; emails sent: c1 one, c5 two.  Control calls and earlier calls: none.
    minutes = 3 + 1 + 2 + (1 if 12 in CAMPAIGN else 0)
    cost = minutes * 60 + 3 * 1
    roi = _row(report, "roi")
    assert roi.cost == pytest.approx(cost)
    assert roi.incremental_revenue == pytest.approx(d * n1)
    assert roi.uplift == pytest.approx((d * n1 - cost) / cost)
    assert roi.uplift_low == pytest.approx((low * n1 - cost) / cost)
    assert roi.uplift_high == pytest.approx((high * n1 - cost) / cost)
    assert roi.campaign is None and roi.unit == "ratio"


def test_ltv_change(report) -> None:  # type: ignore[no-untyped-def]
    before, after = START - timedelta(microseconds=1), END - timedelta(microseconds=1)
    base = value(1, 10_000, before)
    c_end = {0: value(3, 30_000, after), 1: value(2, 15_000, after), 2: value(2, 30_000, after),
             3: value(2, 16_000, after)}  # fmt: skip
    k_end = {0: value(3, 30_000, after), 1: value(3, 26_000, after)}
    quiet = value(1, 10_000, after)
    campaign = [c_end.get(i, quiet) - base for i in range(len(CAMPAIGN))]
    control = [k_end.get(i, quiet) - base for i in range(len(CONTROL))]
    d, low, high = welch(campaign, control)
    row = _row(report, "ltv_change")
    assert row.campaign == pytest.approx(sum(campaign) / len(campaign))
    assert row.control == pytest.approx(sum(control) / len(control))
    assert (row.uplift, row.uplift_low, row.uplift_high) == (
        pytest.approx(d), pytest.approx(low), pytest.approx(high))  # fmt: skip


def test_by_script(report) -> None:  # type: ignore[no-untyped-def]
    # S1 opened c0's first call of the period (c5's S1 call was before it); S1 serves "price",
    # heard from k0 before the start.  S2 opened c4's; it serves nothing here.
    s1 = _row(report, "reactivation_rate", "script", "S1")
    assert (s1.campaign_n, s1.control_n, s1.campaign, s1.control) == (1, 1, 1.0, 1.0)
    s2 = _row(report, "reactivation_rate", "script", "S2")
    assert (s2.campaign_n, s2.control_n, s2.uplift) == (1, 0, None)
    assert _row(report, "roi", "script", "S1").cost == pytest.approx(3 * 60)
    assert {r.group for r in report.rows if r.group_by == "script"} == {"S1", "S2"}


def test_no_control_group(engine: Engine) -> None:
    seed(engine)
    report = kpi_report(engine, kpi_settings(0.0), date(2026, 6, 1), date(2026, 8, 29), "kind")
    assert report.no_control and report.campaign_n == 12
    for row in report.rows:
        assert row.uplift is None and row.uplift_low is None and row.uplift_high is None
    assert _row(report, "reactivation_rate").campaign == pytest.approx(6 / 12)
    b2b = _row(report, "reactivation_rate", "kind", "b2b")
    assert (b2b.campaign_n, b2b.campaign) == (0, None)


def test_control_customers_contacted_anyway(report) -> None:  # type: ignore[no-untyped-def]
    # k2's call on 23 June is in the period (k0's on 2 May is not); customer 12's refusal call
    # on 15 June counts too when 12 drew the control group.
    assert report.control_contacted == 1 + (12 in CONTROL)
