"""The KPI population and its per-customer figures, as numpy columns (`workbench kpi`).

Intention to treat: the population is every customer lapsed (at risk or dormant, as the
product classifies them) at the period's start and not blocked for good by then (do-not-call,
a refusal, the call opt-out); the control arm is the control group's members among them, the
campaign arm the rest, called or not.  What each customer did in the period (purchases,
calls, emails) comes from a few filtering scans of the period's rows, never a query per
customer, so a million customers cost a few column reads and array operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine

from workbench.config import Settings
from workbench.domain.codes import LifecycleState
from workbench.domain.lifecycle import NO_TIME, STATES
from workbench.services.base_models import fit_base_models
from workbench.services.control_group import control_mask
from workbench.services.customer_table import (
    CustomerTable,
    attempt_events,
    load_customer_table,
)
from workbench.services.score_signals import guess_reasons, load_signals
from workbench.store.columns import epoch_micros, fetch
from workbench.store.purchase_metrics import local_day

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
LAPSED = (STATES.index(LifecycleState.AT_RISK), STATES.index(LifecycleState.DORMANT))
MICROSECOND = timedelta(microseconds=1)
# Gamma-Gamma parameters that `fit_base_models` reads as "no spend model" (q ≤ 1): each
# customer's own mean spend, as the fit at the start used when it had too few repeaters.
NO_SPEND_MODEL = {"p": 1.0, "q": 1.0, "v": 1.0, "loglik": 0.0}


@dataclass(frozen=True, eq=False)
class Population:
    """The period's population, one entry per customer ordered by id."""

    id: IntArray
    control: BoolArray
    b2b: BoolArray
    state: npt.NDArray[np.object_]  # lifecycle state at the start
    reason: npt.NDArray[np.object_]  # the reason known at the start
    revenue: FloatArray  # yen bought in the period
    reactivated: BoolArray  # at least one purchase in the period
    repurchase_known: (
        BoolArray  # reactivated early enough for the N-day window to end in the period
    )
    repurchased: BoolArray  # another purchase day within N days of the first
    recovery: FloatArray  # mean order in the period / mean order before (NaN: not reactivated)
    ltv_change: FloatArray  # expected value over the horizon: at the end minus at the start
    cost: FloatArray  # yen of outbound call minutes and emails sent in the period
    contacted: BoolArray  # an outbound call or an email sent in the period
    first_script: npt.NDArray[np.object_]  # script of the first outbound call in the period (None)

    def __len__(self) -> int:
        return len(self.id)


def _day_number(conn: Connection, column: str, zone: str) -> str:
    """SQL for the local calendar day of `column` as days since 1970-01-01."""
    day = local_day(conn, column, zone)
    if conn.dialect.name == "sqlite":
        return f"CAST(julianday({day}) - 2440587.5 AS INTEGER)"
    return f"({day} - DATE '1970-01-01')"


def _positions(ids: IntArray, wanted: IntArray) -> tuple[IntArray, BoolArray]:
    """Rows of `ids` (sorted) holding `wanted`, and which of `wanted` are there."""
    if not len(ids):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    place = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return place, ids[place] == wanted


def _purchases(
    conn: Connection, ids: IntArray, start: datetime, end: datetime, zone: str, days: int,
    last_day: int,
) -> tuple[FloatArray, IntArray, BoolArray, BoolArray]:  # fmt: skip
    """Per population customer: revenue, orders, re-purchase known, re-purchased in the period."""
    cid, at_us, amount, day = fetch(conn, f"""
        SELECT customer_id, {epoch_micros(conn, 'ordered_at', NO_TIME)}, amount,
               {_day_number(conn, 'ordered_at', zone)}
        FROM transactions WHERE ordered_at >= :start AND ordered_at < :end""",
        {"start": start, "end": end}, kinds="iiii")  # fmt: skip
    place, known = _positions(ids, cid)
    place, at_us, amount, day = place[known], at_us[known], amount[known], day[known]
    n = len(ids)
    revenue: FloatArray = np.bincount(place, weights=amount.astype(np.float64), minlength=n).astype(
        np.float64
    )
    orders = np.bincount(place, minlength=n).astype(np.int64)
    first_day = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_day, place, day)
    mine = first_day[place]
    again = np.zeros(n, dtype=bool)
    again[place[(day > mine) & (day <= mine + days)]] = True
    known_window = (orders > 0) & (first_day <= last_day - days)
    return revenue, orders, known_window, again & known_window


def _costs(
    conn: Connection, settings: Settings, ids: IntArray, start: datetime, end: datetime
) -> tuple[FloatArray, BoolArray, npt.NDArray[np.object_]]:
    """Per population customer: the cost of the period's outbound calls and emails sent,
    whether they were contacted at all, and the script of their first outbound call in the
    period (None: no call, or none recorded)."""
    n = len(ids)
    cid, started, ended, at_us, aid, script = fetch(conn, f"""
        SELECT customer_id, {epoch_micros(conn, 'started_at', NO_TIME)},
               {epoch_micros(conn, 'ended_at', NO_TIME)}, {epoch_micros(conn, 'at', NO_TIME)}, id,
               script_id
        FROM contact_attempts WHERE channel = 'call' AND direction = 'outbound'
          AND at >= :start AND at < :end""", {"start": start, "end": end}, kinds="iiiiit")  # fmt: skip
    place, known = _positions(ids, cid)
    timed = (started != NO_TIME) & (ended != NO_TIME)
    seconds = np.where(timed, (ended - np.where(timed, started, 0)) / 1e6, 0.0)
    # Whole minutes rounded up, at least one a dial: a dial without a duration counts one.
    minutes = np.maximum(1.0, np.ceil(np.maximum(seconds, 0.0) / 60.0 - 1e-9))
    cost: FloatArray = np.bincount(place[known], weights=minutes[known], minlength=n).astype(
        np.float64
    )
    cost = cost * settings.kpi.cost_per_call_minute
    contacted = np.zeros(n, dtype=bool)
    contacted[place[known]] = True
    first_script: npt.NDArray[np.object_] = np.full(n, None, dtype=object)
    if known.any():
        scripts = np.array(script, dtype=object)[known]
        order = np.lexsort((aid[known], at_us[known], place[known]))
        who = place[known][order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = who[1:] != who[:-1]
        first_script[who[first]] = scripts[order][first]
    (email_cid,) = fetch(conn, """
        SELECT customer_id FROM contact_attempts WHERE channel = 'email' AND outcome = 'sent'
          AND at >= :start AND at < :end""", {"start": start, "end": end}, kinds="i")  # fmt: skip
    place, known = _positions(ids, email_cid)
    contacted[place[known]] = True
    cost = (
        cost
        + np.bincount(place[known], minlength=n).astype(np.float64) * settings.kpi.cost_per_email
    )
    return cost, contacted, first_script


def _ltv_change(
    engine: Engine, settings: Settings, at_start: CustomerTable, rows: IntArray,
    ids: IntArray, end: datetime,
) -> FloatArray:  # fmt: skip
    """Value at the end minus value at the start, with the models fitted once, at the start:
    a refit at the end would let the period's purchases move both the customer and the model."""
    horizon = float(settings.scoring.value_horizon_weeks)
    fitted = fit_base_models(at_start, horizon)
    before = fitted.value[rows]
    at_end = load_customer_table(engine, settings, end - MICROSECOND)
    place, known = _positions(at_end.id, ids)
    if fitted.alive_params:
        spend = fitted.spend_params or NO_SPEND_MODEL
        after_all = fit_base_models(at_end, horizon, fitted.alive_params, spend).value
    else:
        # Too few buyers at the start for a population fit: the same fallback at the end, on
        # the population alone (fewer buyers still, as every one of them had bought by then).
        subset = _take(at_end, place[known])
        after_all = np.zeros(len(at_end))
        after_all[place[known]] = fit_base_models(subset, horizon).value
    after = np.where(known, after_all[place], 0.0)
    return after - before


def _take(table: CustomerTable, rows: IntArray) -> CustomerTable:
    from dataclasses import fields, replace

    sliced = {
        f.name: getattr(table, f.name)[rows]
        for f in fields(table)
        if isinstance(getattr(table, f.name), np.ndarray)
    }
    return replace(table, **sliced)


def load_population(
    engine: Engine, settings: Settings, start: datetime, end: datetime, last_day: int
) -> Population:
    """The population of the period [start, end) and its figures; `last_day` is the period's
    last local day (days since 1970-01-01), where the re-purchase window must end."""
    before = start - MICROSECOND  # the history before the period's first instant
    with engine.connect() as conn:
        events = attempt_events(conn, before)
    table = load_customer_table(engine, settings, before, events)
    with engine.connect() as conn:
        signals = load_signals(conn, table, before, events)
        guesses = guess_reasons(table, signals)
        lapsed = np.isin(table.state, LAPSED) & (signals.blocked == 0)
        rows = np.flatnonzero(lapsed).astype(np.int64)
        ids = table.id[rows]
        control = control_mask(conn, settings, ids)
        revenue, orders, known, again = _purchases(
            conn, ids, start, end, settings.timezone, settings.kpi.repurchase_days, last_day
        )
        cost, contacted, first_script = _costs(conn, settings, ids, start, end)
    reactivated = orders > 0
    before_mean = table.monetary[rows] / np.maximum(table.n_orders[rows], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        recovery = np.where(
            reactivated & (before_mean > 0),
            revenue / np.maximum(orders, 1) / before_mean,
            np.nan,
        )
    reasons = np.array(guesses.reasons, dtype=object)[guesses.reason[rows]]
    return Population(
        id=ids, control=control, b2b=table.b2b[rows], state=table.state_names()[rows],
        reason=reasons, revenue=revenue, reactivated=reactivated, repurchase_known=known,
        repurchased=again, recovery=recovery,
        ltv_change=_ltv_change(engine, settings, table, rows, ids, end),
        cost=cost, contacted=contacted, first_script=first_script,
    )  # fmt: skip
