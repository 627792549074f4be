"""The scoring run: fit the models and write every customer's time-independent score.

P(answer now) depends on the hour, so it is applied when the queue is read;
everything else is computed here for the whole base in one pass and written to
`queue_scores`.  A disposition does not need a rescore: the rules and the
answer model read the attempts directly.
"""

from __future__ import annotations

import json
from operator import itemgetter
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select

from workbench.config import Settings
from workbench.domain import scoring
from workbench.domain.answer_model import AnswerCounts, AnswerModel, fit_answer_model, hour_of_week
from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.domain.season import SeasonalIndex, category_indices, deadline_trigger, season_boost
from workbench.services.calling import RULE_LOOKBACK, blocked_until, calling_policy, load_contacts
from workbench.services.customers import RFM_CUTS_KEY, CustomerSummary, classify_all, rfm_cuts
from workbench.store.bulk import bulk_insert, stored_time
from workbench.store.models import ContactAttempt, Customer, DoNotCall, ModelState, Purchase, QueueScore

attempts = ContactAttempt.__table__
customers = Customer.__table__
purchases = Purchase.__table__
scores = QueueScore.__table__
model_state = ModelState.__table__
dnc = DoNotCall.__table__

ANSWERED = frozenset(CONTACTED_OUTCOMES)
WEEK_DAYS = 7.0


@dataclass(frozen=True)
class ScoringSummary:
    customers: int
    seconds: float
    alive_model: dict[str, float]
    states: dict[str, int]


MODEL_MAX_AGE_SECONDS = 7 * 86400  # population-level fits change slowly; refit weekly


def rescore(engine: Engine, settings: Settings, at: datetime, refit: bool = False) -> ScoringSummary:
    """Score every customer at `at`; population models are refitted when older than a week."""
    started = time.perf_counter()
    summaries = classify_all(engine, settings, at)
    with engine.connect() as conn:
        signals = _signals(conn, at)
        reason_rates = _reason_rates(conn)
        fresh = {} if refit else _fresh_states(conn, at)
        season = _season_from_json(fresh["season"]) if "season" in fresh else _season(conn, at)
        answer_model = answer_model_from_json(fresh["answer_model"]) if "answer_model" in fresh else _answer_model(conn, settings)
    params, p_alive, expected = _alive(summaries, at, fresh.get("alive_model"))
    lead = (settings.scoring.season_lead_weeks_min, settings.scoring.season_lead_weeks_max)
    boosts = {name: season_boost(index, at.month, at.day, lead) for name, index in season.items()}
    deadline = (settings.scoring.deadline_reset_months, settings.scoring.deadline_notice_month)
    rows = [_score_row(s, i, signals, boosts, reason_rates, p_alive, expected, at, deadline) for i, s in enumerate(summaries)]
    with engine.connect() as conn:
        held = _recently_called_holds(conn, settings, at)
    for row in rows:
        row["blocked_until"] = held.get(row["customer_id"])  # type: ignore[call-overload]
    with engine.begin() as conn:
        conn.execute(delete(scores))
        _write_scores(conn, rows, at)
        if "answer_model" not in fresh:
            _save_state(conn, "answer_model", _answer_json(answer_model), at)
        if "season" not in fresh:
            _save_state(conn, "season", {k: list(v.values) for k, v in season.items()}, at)
        _save_state(conn, RFM_CUTS_KEY, rfm_cuts(summaries), at)
        if "alive_model" not in fresh and params:
            _save_state(conn, "alive_model", {"model": "mbgnbd", **params}, at)
    states: dict[str, int] = defaultdict(int)
    for s in summaries:
        states[s.state] += 1
    return ScoringSummary(len(rows), time.perf_counter() - started, params, dict(states))


_SCORE_COLUMNS = (
    "customer_id", "base_score", "state", "segment", "value", "p_alive", "expected_orders", "p_come_back",
    "season", "deadline", "reason", "reason_source", "permanent_block", "scored_at", "blocked_until",
)  # fmt: skip


def _write_scores(conn: Connection, rows: list[dict[str, object]], at: datetime) -> None:
    """Every row was scored at `at`; only a few carry a hold."""
    time = stored_time(conn)
    stamp = time(at)
    plain = itemgetter(*_SCORE_COLUMNS[:-2])
    for start in range(0, len(rows), 20000):
        bulk_insert(conn, scores, _SCORE_COLUMNS, [
            (*plain(r), stamp, r["blocked_until"] and time(r["blocked_until"]))  # type: ignore[arg-type]
            for r in rows[start : start + 20000]
        ])  # fmt: skip


def _recently_called_holds(conn: Connection, settings: Settings, at: datetime) -> dict[int, datetime]:
    """Customers a retry gap or cap holds back now, and until when (only those called lately)."""
    recent = list(
        conn.execute(
            select(attempts.c.customer_id).distinct().where(
                and_(attempts.c.channel == "call", attempts.c.at > at - RULE_LOOKBACK, attempts.c.at <= at)
            )
        ).scalars()
    )
    policy = calling_policy(settings)
    holds: dict[int, datetime] = {}
    for start in range(0, len(recent), 5000):
        contacts = load_contacts(conn, recent[start : start + 5000], at)
        for cid, contact in contacts.items():
            until = blocked_until(contact, at, policy)
            if until is not None:
                holds[cid] = until
    return holds


def _fresh_states(conn: Connection, at: datetime) -> dict[str, dict]:  # type: ignore[type-arg]
    fresh = {}
    for key, value, fitted_at in conn.execute(
        select(model_state.c.key, model_state.c.value, model_state.c.fitted_at).where(
            model_state.c.key.in_(("season", "answer_model", "alive_model"))
        )
    ):
        if abs((at - fitted_at).total_seconds()) < MODEL_MAX_AGE_SECONDS:
            fresh[key] = json.loads(value)
    return fresh


def _season_from_json(data: dict[str, list[float]]) -> dict[str, SeasonalIndex]:
    return {name: SeasonalIndex(tuple(values), "ratio_to_ma") for name, values in data.items()}


@dataclass
class _Signals:
    heard: dict[int, str]
    complaint: set[int]
    previous_rep: set[int]
    blocked: dict[int, str]


def _signals(conn: Connection, at: datetime) -> _Signals:
    heard: dict[int, str] = {}
    for cid, reason in conn.execute(
        select(attempts.c.customer_id, attempts.c.reason)
        .where(and_(attempts.c.reason.is_not(None), attempts.c.at <= at))
        .order_by(attempts.c.at)
    ):
        heard[cid] = reason
    complaint = set(conn.execute(select(attempts.c.customer_id).where(attempts.c.outcome == "complaint")).scalars())
    previous_rep = set(conn.execute(select(customers.c.id).where(customers.c.previous_rep.is_not(None))).scalars())
    blocked: dict[int, str] = {}
    for cid in conn.execute(select(attempts.c.customer_id).where(attempts.c.outcome.in_(("not_interested", "do_not_call")))).scalars():
        blocked[cid] = "refused"
    for cid in conn.execute(select(customers.c.id).where(customers.c.call_opt_out.is_(True))).scalars():
        blocked[cid] = "opted_out"
    for cid in conn.execute(select(dnc.c.customer_id).where(and_(dnc.c.customer_id.is_not(None), dnc.c.e164.is_(None)))).scalars():
        blocked[cid] = "do_not_call"
    return _Signals(heard, complaint, previous_rep, blocked)


def _season(conn: Connection, at: datetime) -> dict[str, SeasonalIndex]:
    """Monthly order counts per category over the last 36 months → seasonal indices."""
    if conn.dialect.name == "sqlite":
        month = func.substr(purchases.c.ordered_at, 1, 7)
    else:
        month = func.to_char(func.timezone("UTC", purchases.c.ordered_at), "YYYY-MM")
    first_year, first_month = at.year - 3, at.month
    start = f"{first_year:04d}-{first_month:02d}"
    totals: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(36))
    for category, ym, count in conn.execute(
        select(purchases.c.category, month, func.count())
        .where(and_(purchases.c.category.is_not(None), month >= start))
        .group_by(purchases.c.category, month)
    ):
        year, mon = int(ym[:4]), int(ym[5:7])
        index = (year - first_year) * 12 + (mon - first_month)
        if 0 <= index < 36:
            totals[category][index] += count
    if not totals:
        return {}
    _, indices = category_indices(dict(totals), first_month)
    return indices


def _answer_model(conn: Connection, settings: Settings) -> AnswerModel:
    zone = ZoneInfo(settings.timezone)
    kind_of = dict(conn.execute(select(customers.c.id, customers.c.kind)).all())
    seg_attempts = {k: np.zeros(168, dtype=np.int64) for k in ("b2c", "b2b")}
    seg_answers = {k: np.zeros(168, dtype=np.int64) for k in ("b2c", "b2b")}
    for cid, at, outcome in conn.execute(
        select(attempts.c.customer_id, attempts.c.at, attempts.c.outcome).where(
            and_(attempts.c.channel == "call", attempts.c.direction == "outbound")
        )
    ):
        how = hour_of_week(at, zone)
        segment = kind_of.get(cid, "b2c")
        seg_attempts[segment][how] += 1
        if outcome in ANSWERED:
            seg_answers[segment][how] += 1
    counts = {k: AnswerCounts(seg_attempts[k], seg_answers[k]) for k in seg_attempts}
    return fit_answer_model(counts)


def _answer_json(model: AnswerModel) -> dict[str, object]:
    return {
        "population": [float(v) for v in model.population],
        "segments": {k: [float(v) for v in arr] for k, arr in model.segments.items()},
        "kappa_segment": model.kappa_segment,
        "kappa_customer": model.kappa_customer,
    }


def answer_model_from_json(data: dict[str, object]) -> AnswerModel:
    segments = {k: np.asarray(v, dtype=float) for k, v in data["segments"].items()}  # type: ignore[union-attr]
    return AnswerModel(
        np.asarray(data["population"], dtype=float), segments, float(data["kappa_segment"]), float(data["kappa_customer"])  # type: ignore[arg-type]
    )


def _reason_rates(conn: Connection) -> dict[str, float]:
    """Reactivations per contact by heard reason, smoothed; '*' holds the overall rate."""
    contacts: dict[str, int] = defaultdict(int)
    wins: dict[str, int] = defaultdict(int)
    for reason, outcome, count in conn.execute(
        select(attempts.c.reason, attempts.c.outcome, func.count())
        .where(and_(attempts.c.reason.is_not(None), attempts.c.outcome.in_(CONTACTED_OUTCOMES)))
        .group_by(attempts.c.reason, attempts.c.outcome)
    ):
        contacts[reason] += count
        if outcome == "reactivated":
            wins[reason] += count
    total_c, total_w = sum(contacts.values()), sum(wins.values())
    overall = (total_w + 1) / (total_c + 10)
    rates = {r: (wins[r] + 10 * overall) / (contacts[r] + 10) for r in contacts}
    rates["*"] = overall
    return rates


def _alive(summaries: list[CustomerSummary], at: datetime, stored: dict | None) -> tuple[dict[str, float], np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """MBG/NBD P(alive) and expected orders in the next 52 weeks, for customers who bought."""
    from workbench.domain import bgnbd  # SciPy takes 0.3 s to import: only a scoring run needs it

    n = len(summaries)
    p_alive, expected = np.zeros(n), np.zeros(n)
    buyers = [i for i, s in enumerate(summaries) if s.last_order_at is not None and s.first_order_at is not None]
    if len(buyers) < 20:
        return {}, p_alive, expected
    x = np.array([summaries[i].n_orders - 1 for i in buyers], dtype=float)
    t_x = np.array([(summaries[i].last_order_at - summaries[i].first_order_at).total_seconds() for i in buyers]) / 86400 / WEEK_DAYS  # type: ignore[operator]
    big_t = np.array([(at - summaries[i].first_order_at).total_seconds() for i in buyers]) / 86400 / WEEK_DAYS  # type: ignore[operator]
    big_t = np.maximum(big_t, t_x)
    if stored is not None:
        params = bgnbd.MbgNbdParams(stored["r"], stored["alpha"], stored["a"], stored["b"], stored["loglik"])
    else:
        # Whole weeks are plenty for a population fit and cut a million customers to a few thousand groups.
        grouped = bgnbd.group_triples(x, t_x, big_t, decimals=0)
        params = bgnbd.fit_mbgnbd(grouped.x, grouped.t_x, grouped.T, grouped.weights)
    # A degenerate fit (a ≈ 1 or huge a, b) can make the closed forms 0/0: no number, no claim.
    p_alive[buyers] = np.nan_to_num(bgnbd.p_alive(params, x, t_x, big_t), nan=0.5, posinf=1.0, neginf=0.0)
    expected[buyers] = np.nan_to_num(bgnbd.expected_transactions(params, 52.0, x, t_x, big_t), nan=0.0, posinf=0.0, neginf=0.0)
    fitted = {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b, "loglik": params.loglik}
    return fitted, p_alive, expected


def _score_row(s: CustomerSummary, i: int, signals: _Signals, boosts: dict[str, float],
               reason_rates: dict[str, float], p_alive: np.ndarray, expected: np.ndarray, at: datetime,
               deadline_months: tuple[int, int] = (12, 11)) -> dict[str, object]:  # fmt: skip
    reason, source = scoring.guess_reason(
        signals.heard.get(s.id), s.id in signals.complaint, s.kind, "x" if s.id in signals.previous_rep else None, s.n_orders
    )
    months = (s.days_since_last_order or 0) / 30.44
    span = 0.0 if s.first_order_at is None or s.last_order_at is None else (s.last_order_at - s.first_order_at).days
    value = scoring.customer_value(s.monetary, s.n_orders, span)
    factor = scoring.reason_factor(reason_rates.get(reason), reason_rates.get("*"))
    come_back = scoring.p_come_back(s.state, months, float(p_alive[i]), factor)
    boost = boosts.get(s.main_category or "", 0.0)
    reset, notice = deadline_months
    deadline = bool(reset) and s.last_order_at is not None and deadline_trigger(s.last_order_at.date(), at.date(), reset, notice)
    return {
        "customer_id": s.id,
        "base_score": scoring.base_score(value, come_back, boost, deadline),
        "state": s.state,
        "segment": s.kind,
        "value": value,
        "p_alive": float(p_alive[i]),
        "expected_orders": float(expected[i]),
        "p_come_back": come_back,
        "season": boost,
        "deadline": deadline,
        "reason": reason,
        "reason_source": source,
        "permanent_block": signals.blocked.get(s.id),
        "scored_at": at,
    }


def _save_state(conn: Connection, key: str, value: object, at: datetime) -> None:
    conn.execute(delete(model_state).where(model_state.c.key == key))
    conn.execute(insert(model_state).values(key=key, value=json.dumps(value), fitted_at=at))


def load_state(conn: Connection, key: str) -> dict | None:  # type: ignore[type-arg]
    raw = conn.execute(select(model_state.c.value).where(model_state.c.key == key)).scalar_one_or_none()
    return None if raw is None else json.loads(raw)

