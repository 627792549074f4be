"""The scoring run: fit the models and write every customer's time-independent score.

P(answer now) depends on the hour, so it is applied when the queue is read;
everything else is computed here for the whole base in one pass and written to
`queue_scores`.  A disposition does not need a rescore: the rules and the
answer model read the attempts directly.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import numpy as np
from sqlalchemy import Connection, Engine, func, select

from workbench.config import Settings
from workbench.domain.answer_model import AnswerModel
from workbench.domain.season import SeasonalIndex, category_indices, season_boost
from workbench.domain.winback import WinbackModel
from workbench.services.answer_process import fit_answer_model
from workbench.services.calling import RULE_LOOKBACK, blocked_until, calling_policy, load_contacts
from workbench.services.case_tally import count_case_tally, store_case_tally
from workbench.services.control_group import ensure_seed
from workbench.services.customer_table import (
    RFM_CUTS_KEY,
    attempt_events,
    load_customer_table,
    rfm_cuts,
)
from workbench.services.fixed_reasons import fixes_at
from workbench.services.model_state import (
    model_state,
    save_state,
)
from workbench.services.score_rows import RowInputs, score_rows, write_scores
from workbench.services.score_signals import guess_reasons, load_signals
from workbench.services.season_counts import MonthCounts, current_counts, save_month_counts, window
from workbench.services.winback_stats import WINBACK_KEY, fit_from_outcomes
from workbench.store import columns
from workbench.store.models import ContactAttempt
from workbench.store.table_stats import SCORED_TABLES, refresh_statistics

attempts = ContactAttempt.__table__


@dataclass(frozen=True)
class ScoringSummary:
    customers: int
    seconds: float
    alive_model: dict[str, float]
    states: dict[str, int]
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase of the run


MODEL_MAX_AGE_SECONDS = 7 * 86400  # population-level fits change slowly; refit weekly
WORKERS = 5  # one thread per background read, beside the run's own: none waits for another
log = logging.getLogger(__name__)
T = TypeVar("T")


class _Phases:
    """Seconds per phase of one run, logged at debug level as each ends, with the CPU seconds of
    the thread that ran it (on a shared machine the wall clock also counts other people's work)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._marks: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self.start()

    def start(self) -> None:
        """Phases of this thread are timed from now."""
        with self._lock:
            self._marks[threading.get_ident()] = (time.perf_counter(), time.thread_time())

    def done(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        with self._lock:
            mark, mark_cpu = self._marks.get(threading.get_ident(), (now, cpu))
            self.seconds[name] = now - mark
            self._marks[threading.get_ident()] = (now, cpu)
        log.debug("rescore %s: %.2fs (cpu %.2fs)", name, now - mark, cpu - mark_cpu)


def _timed(phases: _Phases, name: str, work: Callable[..., T], *args: object) -> T:
    """Run `work` as one phase of a background thread."""
    phases.start()
    result = work(*args)
    phases.done(name)
    return result


def rescore(
    engine: Engine, settings: Settings, at: datetime, refit: bool = False
) -> ScoringSummary:
    """Score every customer at `at` from what was known then; population models older than a week are refitted.

    Two cores: the holds of recently called customers (calling rules, mostly Python), the
    script selector's tally, the season counts when due and the answer model (a read of every
    call, then numpy) run in worker threads while this one classifies the base and fits the
    customer-base models; SQLite and numpy release the interpreter lock for their long
    stretches.  Each worker reads through its own connection; the one write transaction
    starts when everything is known.
    """
    from workbench.services.base_models import fit_base_models

    started = time.perf_counter()
    phase = _Phases()
    ensure_seed(engine, settings)  # committed before the workers read the control group
    with engine.connect() as conn:
        fresh = {} if refit else _fresh_states(conn, at)
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="rescore") as pool:
        season_run = (
            None if "season" in fresh else pool.submit(_timed, phase, "season", _season, engine, at)
        )
        # Refitted every run: the customers' reachability and hours are learned from the latest calls.
        answer = pool.submit(_timed, phase, "answer_model", fit_answer_model, engine, settings, at)
        holds = pool.submit(_timed, phase, "holds", _recently_called_holds, engine, settings, at)
        tally_run = pool.submit(_timed, phase, "case_tally", count_case_tally, engine)
        winback_run = pool.submit(_timed, phase, "winback", _winback, engine, at)
        with engine.connect() as conn:
            events = attempt_events(conn, at)
        table = load_customer_table(engine, settings, at, events)
        phase.done("classify")
        with engine.connect() as conn:
            signals = load_signals(conn, table, at, events, settings=settings)
        phase.done("signals")
        horizon = float(settings.scoring.value_horizon_weeks)
        models = fit_base_models(table, horizon, fresh.get("alive_model"), fresh.get("spend_model"))
        phase.done("base_models")
        months: MonthCounts | None = None
        if season_run is None:
            season = _season_from_json(fresh["season"])
        else:
            season, months = season_run.result()
        lead = (settings.scoring.season_lead_weeks_min, settings.scoring.season_lead_weeks_max)
        boosts = {
            name: season_boost(index, at.month, at.day, lead) for name, index in season.items()
        }
        deadline = (settings.scoring.deadline_reset_months, settings.scoring.deadline_notice_month)
        guesses = guess_reasons(table, signals)
        winback, through_id = winback_run.result()
        fixes = fixes_at(engine, settings, at)  # the reasons marked fixed, as known at `at`
        rows = score_rows(
            table,
            RowInputs(signals, guesses, boosts, winback, models, at, deadline, horizon, fixes),
        )
        phase.done("rows")
        held, answer_model, tally = holds.result(), answer.result(), tally_run.result()
        phase.done("wait")
    # Everything is known before the write: claims wait for this transaction, so it stays short.
    with engine.begin() as conn:
        write_scores(conn, rows, held, at, horizon)
        phase.done("write")
        save_state(conn, "answer_model", _answer_json(answer_model), at)
        if "season" not in fresh:
            save_state(conn, "season", {k: list(v.values) for k, v in season.items()}, at)
        if months is not None and months.changed:
            save_month_counts(conn, months)
        save_state(conn, RFM_CUTS_KEY, rfm_cuts(table), at)
        # The script selector's per-case outcomes: counted once here, so a claim only adds the newest.
        store_case_tally(conn, tally, at)
        save_state(conn, WINBACK_KEY, {**winback.as_json(), "through_id": through_id}, at)
        if "alive_model" not in fresh and models.alive_params:
            save_state(conn, "alive_model", {"model": "mbgnbd", **models.alive_params}, at)
        if "spend_model" not in fresh and models.spend_params:
            save_state(conn, "spend_model", {"model": "gamma_gamma", **models.spend_params}, at)
    phase.done("commit")
    refresh_statistics(engine, SCORED_TABLES)
    phase.done("statistics")
    names, counts = np.unique(table.state_names(), return_counts=True) if len(table) else ((), ())
    return ScoringSummary(len(table), time.perf_counter() - started, models.alive_params,
                          {str(k): int(v) for k, v in zip(names, counts, strict=True)}, phase.seconds)  # fmt: skip


def _winback(engine: Engine, at: datetime) -> tuple[WinbackModel, int]:
    """The win-back model from the outcomes known at `at`, and the last attempt id it includes."""
    with engine.connect() as conn:
        winback = fit_from_outcomes(conn, at)
        return winback, conn.execute(select(func.max(attempts.c.id))).scalar_one() or 0


def _recently_called_holds(engine: Engine, settings: Settings, at: datetime) -> dict[int, datetime]:
    """Customers a retry gap or cap holds back now, and until when (only those called lately)."""
    with engine.connect() as conn:
        return _holds(conn, settings, at)


def _holds(conn: Connection, settings: Settings, at: datetime) -> dict[int, datetime]:
    # A hundred thousand ids or more: as one array from the driver, not a row object each.
    (called,) = columns.fetch(conn, """
        SELECT DISTINCT customer_id FROM contact_attempts
        WHERE channel = 'call' AND at > :since AND at <= :at""", {"since": at - RULE_LOOKBACK, "at": at})  # fmt: skip
    recent = np.sort(called).tolist()
    policy = calling_policy(settings)
    holds: dict[int, datetime] = {}
    for start in range(0, len(recent), 5000):
        contacts = load_contacts(conn, recent[start : start + 5000], at, settings)
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


def _season(engine: Engine, at: datetime) -> tuple[dict[str, SeasonalIndex], MonthCounts]:
    """Monthly order counts per category over the last 36 months → seasonal indices, and the
    month counts brought up to date (stored with the scores)."""
    with engine.connect() as conn:
        months = current_counts(conn)
    totals = window(months, at)
    if not totals:
        return {}, months
    _, indices = category_indices(totals, at.month)
    return indices, months


def _answer_json(model: AnswerModel) -> dict[str, object]:
    return {
        "population": [float(v) for v in model.population],
        "segments": {k: [float(v) for v in arr] for k, arr in model.segments.items()},
        "kappa_segment": model.kappa_segment,
        "kappa_customer": model.kappa_customer,
        "kappa_reach": model.kappa_reach,
        "habits": model.habits.as_json() if model.habits is not None else None,
    }
