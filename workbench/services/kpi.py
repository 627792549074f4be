"""`workbench kpi`: what the campaign added, measured against the control group.

Each KPI is the campaign arm's figure, the control arm's, and their difference (the uplift)
with a 95 % interval, over the population of `kpi_data` (intention to treat), overall and
broken down by kind, segment (lifecycle state at the start), reason (known at the start)
or script.  Definitions (also in the README):

- reactivation_rate: share of the arm with a purchase in the period (Newcombe's interval);
- repurchase_rate: among the arm's reactivated customers whose first purchase day in the
  period is at least N days (`kpi.repurchase_days`) before its last day, the share who bought
  on another day within N days of it; the others are censored and counted apart;
- order_value_recovery: per reactivated customer, mean order in the period ÷ mean order
  before it; the arm's mean (Welch's interval);
- ltv_change: the queue's value (expected transactions × expected spend over
  `scoring.value_horizon_weeks`) at the end minus at the start, models fitted at the start;
- revenue_per_customer: yen bought in the period per customer of the arm (Welch);
- roi: (incremental revenue − cost) / cost, incremental revenue = the revenue uplift × the
  campaign arm's size, cost = the campaign arm's call minutes and emails in the period.

By script: the campaign customers whose first outbound call of the period used the script,
against the control customers whose reason (and kind) the script serves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from workbench.config import Settings
from workbench.domain.uplift import Difference, Sample, newcombe_difference, roi, welch_difference
from workbench.services.kpi_data import Population, load_population
from workbench.talk.stats import wilson_interval

KPIS = (
    "reactivation_rate", "repurchase_rate", "order_value_recovery", "ltv_change",
    "revenue_per_customer", "roi",
)  # fmt: skip
UNITS = {
    "reactivation_rate": "share", "repurchase_rate": "share", "order_value_recovery": "ratio",
    "ltv_change": "yen", "revenue_per_customer": "yen", "roi": "ratio",
}  # fmt: skip
BREAKDOWNS = ("kind", "segment", "reason", "script")
DEFAULT_DAYS = 90
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class KpiRow:
    """One KPI of one group: the arms' sizes and figures, the uplift with its 95 % interval.

    For repurchase_rate the sizes are the arms' reactivated customers whose window ended in
    the period, and `*_censored` the others; for order_value_recovery the reactivated ones.
    The roi row's `campaign`/`control` are None; its cost and incremental revenue are set.
    """

    kpi: str
    group_by: str  # "all" or one of BREAKDOWNS
    group: str
    campaign_n: int
    control_n: int
    campaign: float | None
    control: float | None
    uplift: float | None
    uplift_low: float | None
    uplift_high: float | None
    relative_lift: float | None
    unit: str
    campaign_censored: int | None = None
    control_censored: int | None = None
    cost: float | None = None
    incremental_revenue: float | None = None
    incremental_low: float | None = None
    incremental_high: float | None = None


@dataclass(frozen=True)
class KpiReport:
    since: date
    until: date
    control_share: float
    repurchase_days: int
    campaign_n: int
    control_n: int
    rows: tuple[KpiRow, ...]
    # Control customers called or emailed in the period anyway (imported history, or contact
    # from before the group existed): the comparison is only clean at 0.
    control_contacted: int = 0

    @property
    def no_control(self) -> bool:
        return self.control_n == 0


def default_period(settings: Settings, now: datetime | None = None) -> tuple[date, date]:
    """The DEFAULT_DAYS local days up to today, both inclusive."""
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(settings.timezone)).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _sample(values: npt.NDArray[np.float64]) -> Sample:
    n = len(values)
    return Sample(
        n, float(values.mean()) if n else 0.0, float(values.var(ddof=1)) if n > 1 else 0.0
    )


def _row(kpi: str, by: str, group: str, n1: int, n2: int, v1: float | None, v2: float | None,
         diff: Difference | None, **extra: float | int | None) -> KpiRow:  # fmt: skip
    if diff is None:
        return KpiRow(kpi, by, group, n1, n2, v1, v2, None, None, None, None, UNITS[kpi], **extra)  # type: ignore[arg-type]
    return KpiRow(
        kpi, by, group, n1, n2, v1, v2, diff.estimate, diff.low, diff.high, diff.relative_lift,
        UNITS[kpi], **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def _share(kpi: str, by: str, group: str, hit: BoolArray, c: BoolArray, k: BoolArray,
           **extra: int | None) -> KpiRow:  # fmt: skip
    x1, n1, x2, n2 = int(hit[c].sum()), int(c.sum()), int(hit[k].sum()), int(k.sum())
    diff = newcombe_difference(x1, n1, wilson_interval(x1, n1), x2, n2, wilson_interval(x2, n2))
    return _row(kpi, by, group, n1, n2, x1 / n1 if n1 else None, x2 / n2 if n2 else None, diff,
                **extra)  # fmt: skip


def _mean(kpi: str, by: str, group: str, values: npt.NDArray[np.float64], c: BoolArray,
          k: BoolArray) -> tuple[KpiRow, Difference | None]:  # fmt: skip
    a, b = _sample(values[c]), _sample(values[k])
    diff = welch_difference(a, b)
    row = _row(kpi, by, group, a.n, b.n, a.mean if a.n else None, b.mean if b.n else None, diff)
    return row, diff


def group_kpis(p: Population, by: str, group: str, c: BoolArray, k: BoolArray) -> list[KpiRow]:
    """Every KPI for the campaign customers `c` against the control customers `k`."""
    react = p.reactivated
    repurchase = _share(
        "repurchase_rate", by, group, p.repurchased, c & p.repurchase_known,
        k & p.repurchase_known, campaign_censored=int((c & react & ~p.repurchase_known).sum()),
        control_censored=int((k & react & ~p.repurchase_known).sum()),
    )  # fmt: skip
    recovered = ~np.isnan(p.recovery)
    recovery, _ = _mean("order_value_recovery", by, group, p.recovery, c & recovered, k & recovered)
    ltv, _ = _mean("ltv_change", by, group, p.ltv_change, c, k)
    revenue, diff = _mean("revenue_per_customer", by, group, p.revenue, c, k)
    n1, n2, cost = int(c.sum()), int(k.sum()), float(p.cost[c].sum())
    if diff is None:
        roi_row = _row("roi", by, group, n1, n2, None, None, None, cost=cost)
    else:
        r = roi(diff, n1, cost)
        roi_row = KpiRow(
            "roi", by, group, n1, n2, None, None, r.roi, r.roi_low, r.roi_high, None, "ratio",
            cost=cost, incremental_revenue=r.incremental, incremental_low=r.incremental_low,
            incremental_high=r.incremental_high,
        )  # fmt: skip
    return [
        _share("reactivation_rate", by, group, react, c, k),
        repurchase, recovery, ltv, revenue, roi_row,
    ]  # fmt: skip


def _groups(
    p: Population, by: str, serves: Callable[[str, str, str], bool] | None
) -> list[tuple[str, BoolArray, BoolArray]]:
    """(group, campaign mask, control mask) of each group of the breakdown."""
    campaign, control = ~p.control, p.control
    if by == "kind":
        b2b = p.b2b
        return [(name, campaign & m, control & m) for name, m in (("b2c", ~b2b), ("b2b", b2b))]
    if by in ("segment", "reason"):
        column = p.state if by == "segment" else p.reason
        names = sorted(set(column.tolist()), key=lambda v: (-int((column == v).sum()), v))
        return [(str(v), campaign & (column == v), control & (column == v)) for v in names]
    scripts = sorted({s for s in p.first_script[campaign].tolist() if s is not None})
    kinds = np.where(p.b2b, "b2b", "b2c").astype(object)
    out = []
    for script in scripts:
        used = campaign & (p.first_script == script)
        pairs = sorted(set(zip(p.reason[control].tolist(), kinds[control].tolist(), strict=True)))
        served = np.zeros(len(p), dtype=bool)
        for reason, kind in pairs:
            if serves is not None and serves(script, reason, kind):
                served |= (p.reason == reason) & (kinds == kind)
        out.append((script, used, control & served))
    return out


def kpi_report(
    engine: Engine,
    settings: Settings,
    since: date | None = None,
    until: date | None = None,
    by: str | Sequence[str] | None = None,
    *,
    now: datetime | None = None,
    serves: Callable[[str, str, str], bool] | None = None,
) -> KpiReport:
    """The KPIs for the local dates since…until (both inclusive; default the 90 days up to
    today), overall and, with `by` (one breakdown or several), per group.
    `serves(script, reason, kind)` says whether a script serves a reason (the script library's
    rule); only the script breakdown needs it."""
    breakdowns = () if by is None else (by,) if isinstance(by, str) else tuple(by)
    for name in breakdowns:
        if name not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {name!r}")
    first, last = default_period(settings, now)
    since = first if since is None and until is None else since
    until = last if until is None else until
    if since is None:
        since = until - timedelta(days=DEFAULT_DAYS - 1)
    if until < since:
        raise ValueError(f"the period ends ({until}) before it starts ({since})")
    zone = ZoneInfo(settings.timezone)
    start = datetime.combine(since, time.min, tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
    last_day = (until - date(1970, 1, 1)).days
    p = load_population(engine, settings, start, end, last_day)
    rows = group_kpis(p, "all", "all", ~p.control, p.control)
    for name in breakdowns:
        for group, c, k in _groups(p, name, serves):
            rows += group_kpis(p, name, group, c, k)
    return KpiReport(since, until, settings.kpi.control_share, settings.kpi.repurchase_days,
                     int((~p.control).sum()),
                     int(p.control.sum()), tuple(rows),
                     int((p.control & p.contacted).sum()))  # fmt: skip


def library_serves(settings: Settings) -> Callable[[str, str, str], bool]:
    """Whether the configured library's script serves a reason for a kind (False: no such script)."""
    from workbench.services.talk_choice import library_for

    library = library_for(settings)

    def serves(script_id: str, reason: str, kind: str) -> bool:
        script = library.get(script_id)
        return script is not None and script.serves(reason, kind)

    return serves
