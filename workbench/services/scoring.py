"""The scoring run: fit the models and write every customer's time-independent score.

P(answer now) depends on the hour, so it is applied when the queue is read;
everything else is computed here for the whole base in one pass and written to
`queue_scores`.  A disposition does not need a rescore: the rules and the
answer model read the attempts directly.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import BigInteger, Connection, Engine, Integer, and_, delete, func, insert, select

from workbench.config import Settings
from workbench.domain import scoring
from workbench.domain.answer_model import DEFAULT_REACH_KAPPA, AnswerCounts, AnswerModel, estimate_kappa, estimate_reach_kappa, fit_answer_model, hours_of_week
from workbench.domain.answer_profiles import AnswerProfiles, fit_profiles
from workbench.domain.codes import CONTACTED_OUTCOMES, REFUSAL_OUTCOMES
from workbench.domain.reasons import fit_rule_confidence, guess_reason, rule_outcome
from workbench.domain.winback import WinbackModel, segment_key
from workbench.domain.season import SeasonalIndex, category_indices, deadline_trigger, season_boost
from workbench.services.calling import RULE_LOOKBACK, blocked_until, calling_policy, load_contacts
from workbench.services.base_models import BaseModelResult
from workbench.services.script_stats import refresh_case_tally
from workbench.services.winback_stats import WINBACK_KEY, fit_from_outcomes
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


@dataclass(frozen=True)
class ScoringSummary:
    customers: int
    seconds: float
    alive_model: dict[str, float]
    states: dict[str, int]


MODEL_MAX_AGE_SECONDS = 7 * 86400  # population-level fits change slowly; refit weekly


def rescore(engine: Engine, settings: Settings, at: datetime, refit: bool = False) -> ScoringSummary:
    """Score every customer at `at` from what was known then; population models older than a week are refitted."""
    from workbench.services.base_models import fit_base_models

    started = time.perf_counter()
    summaries = classify_all(engine, settings, at)
    with engine.connect() as conn:
        signals = _signals(conn, at)
        winback = fit_from_outcomes(conn, at)
        through_id = conn.execute(select(func.max(attempts.c.id))).scalar_one() or 0
        fresh = {} if refit else _fresh_states(conn, at)
        season = _season_from_json(fresh["season"]) if "season" in fresh else _season(conn, at)
        # Refitted every run: the customers' reachability and hours are learned from the latest calls.
        answer_model = _answer_model(conn, settings, at)
    horizon = float(settings.scoring.value_horizon_weeks)
    models = fit_base_models(summaries, at, horizon, fresh.get("alive_model"), fresh.get("spend_model"))
    lead = (settings.scoring.season_lead_weeks_min, settings.scoring.season_lead_weeks_max)
    boosts = {name: season_boost(index, at.month, at.day, lead) for name, index in season.items()}
    deadline = (settings.scoring.deadline_reset_months, settings.scoring.deadline_notice_month)
    confidence = _rule_confidence(summaries, signals)
    rows = _score_rows(summaries, _RowContext(signals, boosts, winback, models, at, deadline, horizon, confidence))
    with engine.connect() as conn:
        held = _recently_called_holds(conn, settings, at)
    with engine.begin() as conn:
        conn.execute(delete(scores))
        _write_scores(conn, rows, held, at)
        _save_state(conn, "answer_model", _answer_json(answer_model), at)
        if "season" not in fresh:
            _save_state(conn, "season", {k: list(v.values) for k, v in season.items()}, at)
        _save_state(conn, RFM_CUTS_KEY, rfm_cuts(summaries), at)
        # The script selector's per-case outcomes: counted once here, so a claim only adds the newest.
        refresh_case_tally(conn, at)
        _save_state(conn, WINBACK_KEY, {**winback.as_json(), "through_id": through_id}, at)
        if "alive_model" not in fresh and models.alive_params:
            _save_state(conn, "alive_model", {"model": "mbgnbd", **models.alive_params}, at)
        if "spend_model" not in fresh and models.spend_params:
            _save_state(conn, "spend_model", {"model": "gamma_gamma", **models.spend_params}, at)
    states: dict[str, int] = defaultdict(int)
    for s in summaries:
        states[s.state] += 1
    return ScoringSummary(len(rows), time.perf_counter() - started, models.alive_params, dict(states))


_SCORE_COLUMNS = (
    "customer_id", "base_score", "state", "segment", "value", "p_alive", "expected_orders", "p_come_back",
    "season", "deadline", "reason", "reason_source", "permanent_block", "winback_key", "expected_spend",
    "horizon_weeks", "reason_confidence", "scored_at", "blocked_until",
)  # fmt: skip


def _write_scores(conn: Connection, rows: list[tuple[object, ...]], held: dict[int, datetime], at: datetime) -> None:
    """Every row was scored at `at`; only a few carry a hold."""
    time = stored_time(conn)
    stamp = time(at)
    for start in range(0, len(rows), 20000):
        bulk_insert(conn, scores, _SCORE_COLUMNS, [
            (*r, stamp, time(held[r[0]]) if r[0] in held else None)  # type: ignore[index]
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
            model_state.c.key.in_(("season", "answer_model", "alive_model", "spend_model"))
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
    # Nothing recorded after `at` is known at `at`: a rescore in the past sees the past.
    known = attempts.c.at <= at
    complaint = set(conn.execute(select(attempts.c.customer_id).where(and_(attempts.c.outcome == "complaint", known))).scalars())
    previous_rep = set(conn.execute(select(customers.c.id).where(customers.c.previous_rep.is_not(None))).scalars())
    blocked: dict[int, str] = {}
    for cid in conn.execute(
        select(attempts.c.customer_id).where(and_(attempts.c.outcome.in_(REFUSAL_OUTCOMES), known))
    ).scalars():
        blocked[cid] = "refused"
    for cid in conn.execute(select(customers.c.id).where(customers.c.call_opt_out.is_(True))).scalars():
        blocked[cid] = "opted_out"
    for cid in conn.execute(
        select(dnc.c.customer_id).where(and_(dnc.c.customer_id.is_not(None), dnc.c.e164.is_(None), dnc.c.created_at <= at))
    ).scalars():
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


def _answer_model(conn: Connection, settings: Settings, at: datetime) -> AnswerModel:
    """Segment hour-of-week tallies, then the customer-level κ values from every customer × hour cell.

    Millions of attempts: ids, epoch seconds and answered flags come as plain columns and the
    hour of the week is computed in numpy (the zone's offset looked up once per distinct day).
    """
    if conn.dialect.name == "sqlite":
        epoch = func.cast(func.strftime("%s", attempts.c.at), Integer)
    else:
        epoch = func.cast(func.extract("epoch", attempts.c.at), BigInteger)
    rows = conn.execute(
        select(attempts.c.customer_id, epoch, attempts.c.outcome.in_(ANSWERED)).where(
            and_(attempts.c.channel == "call", attempts.c.direction == "outbound", attempts.c.at <= at)
        )
    ).all()
    kinds = conn.execute(select(customers.c.id, customers.c.kind)).all()
    empty = {k: AnswerCounts.empty() for k in ("b2c", "b2b")}
    if not rows:
        return fit_answer_model(empty)
    data = np.array(rows, dtype=np.int64)
    cid, seconds, answered = data[:, 0], data[:, 1], data[:, 2]
    how = hours_of_week(seconds, ZoneInfo(settings.timezone))
    is_b2b = np.zeros(max(int(cid.max()), max((k for k, _ in kinds), default=0)) + 1, dtype=np.int64)
    is_b2b[[k for k, kind in kinds if kind == "b2b"]] = 1
    seg = is_b2b[cid]
    counts = {}
    for index, name in enumerate(("b2c", "b2b")):
        mine = seg == index
        counts[name] = AnswerCounts(
            np.bincount(how[mine], minlength=168), np.bincount(how[mine], weights=answered[mine], minlength=168).astype(np.int64)
        )
    model = fit_answer_model(counts)
    cells, cell_of = np.unique(cid * 168 + how, return_inverse=True)
    tries = np.bincount(cell_of).astype(np.float64)
    answers = np.bincount(cell_of, weights=answered).astype(np.float64)
    priors = np.stack([model.segment_prior("b2c"), model.segment_prior("b2b")])
    mu = priors[is_b2b[cells // 168], cells % 168]
    kappa = estimate_kappa(answers, tries, mu)
    # Reachability: each customer's answers against what their segment's hours would give.
    _, owner = np.unique(cells // 168, return_inverse=True)
    reach = estimate_reach_kappa(np.bincount(owner, weights=answers), np.bincount(owner, weights=tries * mu), np.bincount(owner, weights=tries))
    habits = _habits(cells, tries, answers, is_b2b, model.population)
    return AnswerModel(model.population, model.segments, model.kappa_segment, kappa, reach, habits)


HABIT_SAMPLE = 20_000  # customers: population habits are well measured on a sample, and EM stays quick


def _habits(cells: np.ndarray, tries: np.ndarray, answers: np.ndarray, is_b2b: np.ndarray, population: np.ndarray) -> AnswerProfiles | None:
    """Answering habits from a seeded sample of the customers who were called."""
    ids, index = np.unique(cells // 168, return_inverse=True)
    if len(ids) < 50:
        return None
    rng = np.random.default_rng(len(ids))
    chosen = np.zeros(len(ids), dtype=bool)
    chosen[rng.choice(len(ids), size=min(HABIT_SAMPLE, len(ids)), replace=False)] = True
    keep = chosen[index]
    compact = np.cumsum(chosen) - 1
    b2b = is_b2b[ids[chosen]].astype(bool)
    return fit_profiles(compact[index[keep]], cells[keep] % 168, tries[keep], answers[keep], population,
                        {"b2c": ~b2b, "b2b": b2b})  # fmt: skip


def _answer_json(model: AnswerModel) -> dict[str, object]:
    return {
        "population": [float(v) for v in model.population],
        "segments": {k: [float(v) for v in arr] for k, arr in model.segments.items()},
        "kappa_segment": model.kappa_segment,
        "kappa_customer": model.kappa_customer,
        "kappa_reach": model.kappa_reach,
        "habits": model.habits.as_json() if model.habits is not None else None,
    }


def answer_model_from_json(data: dict[str, object]) -> AnswerModel:
    segments = {k: np.asarray(v, dtype=float) for k, v in data["segments"].items()}  # type: ignore[union-attr]
    return AnswerModel(
        np.asarray(data["population"], dtype=float), segments, float(data["kappa_segment"]), float(data["kappa_customer"]),  # type: ignore[arg-type]
        float(data.get("kappa_reach", DEFAULT_REACH_KAPPA)),  # type: ignore[arg-type,union-attr]
        AnswerProfiles.from_json(data["habits"]) if data.get("habits") else None,  # type: ignore[arg-type,union-attr]
    )


@dataclass(frozen=True)
class _RowContext:
    signals: _Signals
    boosts: dict[str, float]
    winback: WinbackModel
    models: BaseModelResult
    at: datetime
    deadline_months: tuple[int, int]
    horizon: float
    rule_confidence: dict[str, float]


def _rule_confidence(summaries: list[CustomerSummary], signals: _Signals) -> dict[str, float]:
    """How often each guessing rule named the reason customers later told us.

    The history is the one known at the scoring instant, not the one at the moment the reason
    was heard: close enough for a rule's hit rate, and it needs no replay of every customer.
    """
    evidence = []
    for s in summaries:
        heard = signals.heard.get(s.id)
        if heard:
            outcome = rule_outcome(heard, s.id in signals.complaint, s.kind, "x" if s.id in signals.previous_rep else None, s.n_orders)
            if outcome is not None:
                evidence.append(outcome)
    return fit_rule_confidence(evidence)


def _score_rows(summaries: list[CustomerSummary], c: _RowContext) -> list[tuple[object, ...]]:
    """One row per customer in `_SCORE_COLUMNS` order (without the stamp and the hold).

    A million customers share a few hundred segments and a few thousand last-order dates,
    so the win-back rate and the deadline trigger are computed once per distinct value.
    """
    models, signals = c.models, c.signals
    p_alive_all, orders_all, spend_all = models.p_alive.tolist(), models.expected_orders.tolist(), models.expected_spend.tolist()
    rate_of: dict[str, float] = {}
    deadline_of: dict[object, bool] = {}
    reset, notice = c.deadline_months
    today = c.at.date()
    rows: list[tuple[object, ...]] = []
    for i, s in enumerate(summaries):
        guess = guess_reason(
            signals.heard.get(s.id), s.id in signals.complaint, s.kind, "x" if s.id in signals.previous_rep else None,
            s.n_orders, c.rule_confidence,
        )  # fmt: skip
        reason, source = guess.reason, guess.source
        key = segment_key(s.kind, s.state, (s.days_since_last_order or 0) / 30.44, reason, source)
        come_back = rate_of.get(key)
        if come_back is None:
            come_back = rate_of[key] = c.winback.rate(key)
        deadline = False
        if reset and s.last_order_at is not None:
            day = s.last_order_at.date()
            hit = deadline_of.get(day)
            if hit is None:
                hit = deadline_of[day] = deadline_trigger(day, today, reset, notice)
            deadline = hit
        p_alive, orders, spend = p_alive_all[i], orders_all[i], spend_all[i]
        value = orders * spend
        boost = c.boosts.get(s.main_category or "", 0.0)
        rows.append((
            s.id, scoring.base_score(value, p_alive, come_back, boost, deadline), s.state, s.kind, value, p_alive,
            orders, come_back, boost, deadline, reason, source, signals.blocked.get(s.id), key, spend, c.horizon,
            guess.confidence,
        ))  # fmt: skip
    return rows


def _save_state(conn: Connection, key: str, value: object, at: datetime) -> None:
    conn.execute(delete(model_state).where(model_state.c.key == key))
    conn.execute(insert(model_state).values(key=key, value=json.dumps(value), fitted_at=at))


def load_state(conn: Connection, key: str) -> dict | None:  # type: ignore[type-arg]
    raw = conn.execute(select(model_state.c.value).where(model_state.c.key == key)).scalar_one_or_none()
    return None if raw is None else json.loads(raw)

