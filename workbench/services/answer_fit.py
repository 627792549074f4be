"""The answer model fitted from every outbound call: segment hours, κ values, reachability, habits.

Millions of attempts: customer ids, epoch seconds and answered flags come as one integer
matrix from the driver (`workbench.store.columns`), the hour of the week is computed in numpy
(the zone's offset looked up once per distinct half hour), and everything after that is
counting with `np.unique` and `np.bincount`.  The model itself lives in
`workbench.domain.answer_model` and `workbench.domain.answer_profiles`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection

from workbench.config import Settings
from workbench.domain.answer_model import (
    AnswerCounts,
    AnswerModel,
    estimate_kappa,
    estimate_reach_kappa,
    fit_answer_model,
    hours_of_week,
)
from workbench.domain.answer_profiles import AnswerProfiles, fit_profiles
from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.store import columns

HABIT_SAMPLE = (
    20_000  # customers: population habits are well measured on a sample, and EM stays quick
)


def _calls(conn: Connection, at: datetime) -> np.ndarray:
    """(customer id, epoch seconds, answered) of every outbound call up to `at`.

    The answered flag rides in the lowest bit of the seconds (one value fewer per row to
    convert, of three million).
    """
    epoch = columns.epoch_seconds(conn, "at")
    answered = ", ".join(f"'{o}'" for o in sorted(CONTACTED_OUTCOMES))
    packed = columns.int_columns(conn, f"""
        SELECT customer_id, {epoch} * 2 + CASE WHEN outcome IN ({answered}) THEN 1 ELSE 0 END
        FROM contact_attempts WHERE channel = 'call' AND direction = 'outbound' AND at <= :at""", {"at": at}, width=2)  # fmt: skip
    return np.stack([packed[:, 0], packed[:, 1] >> 1, packed[:, 1] & 1], axis=1)


def fit_from_calls(conn: Connection, settings: Settings, at: datetime) -> AnswerModel:
    """Segment hour-of-week tallies, then the customer-level κ values from every customer × hour cell."""
    data = _calls(conn, at)
    empty = {k: AnswerCounts.empty() for k in ("b2c", "b2b")}
    if not len(data):
        return fit_answer_model(empty)
    ids, b2b = columns.fetch(
        conn, "SELECT id, CASE WHEN kind = 'b2b' THEN 1 ELSE 0 END FROM customers", kinds="ii"
    )
    cid, seconds, answered = data[:, 0], data[:, 1], data[:, 2]
    how = hours_of_week(seconds, ZoneInfo(settings.timezone))
    is_b2b = np.zeros(max(int(cid.max()), int(ids.max()) if len(ids) else 0) + 1, dtype=np.int64)
    is_b2b[ids[b2b == 1]] = 1
    seg = is_b2b[cid]
    counts = {}
    for index, name in enumerate(("b2c", "b2b")):
        mine = seg == index
        counts[name] = AnswerCounts(
            np.bincount(how[mine], minlength=168),
            np.bincount(how[mine], weights=answered[mine], minlength=168).astype(np.int64),
        )
    model = fit_answer_model(counts)
    cells, tries, answers = _cell_counts(cid * 168 + how, answered)
    priors = np.stack([model.segment_prior("b2c"), model.segment_prior("b2b")])
    mu = priors[is_b2b[cells // 168], cells % 168]
    kappa = estimate_kappa(answers, tries, mu)
    # Reachability: each customer's answers against what their segment's hours would give.
    ids, owner = _sorted_unique(cells // 168)
    reach = estimate_reach_kappa(
        np.bincount(owner, weights=answers),
        np.bincount(owner, weights=tries * mu),
        np.bincount(owner, weights=tries),
    )
    habits = _habits(ids, owner, cells, tries, answers, is_b2b, model.population)
    return AnswerModel(model.population, model.segments, model.kappa_segment, kappa, reach, habits)


def _cell_counts(
    cell: np.ndarray, answered: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct cells in ascending order, with the calls and the answers in each.

    The answered flag rides in the lowest bit of the sort key: one plain sort of three million
    integers, no permutation to carry (`np.unique`'s inverse would sort indices instead).
    """
    keys = np.sort(cell * 2 + answered)
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = (keys[1:] >> 1) != (keys[:-1] >> 1)
    first = np.flatnonzero(starts)
    tries = np.diff(np.append(first, len(keys)))
    answers = np.add.reduceat(keys & 1, first) if len(keys) else np.zeros(0, dtype=np.int64)
    return keys[first] >> 1, tries.astype(np.float64), answers.astype(np.float64)


def _sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_inverse=True)` of values already in ascending order, without sorting."""
    starts = np.ones(len(values), dtype=bool)
    starts[1:] = values[1:] != values[:-1]
    return values[starts], np.cumsum(starts) - 1


def _habits(ids: np.ndarray, index: np.ndarray, cells: np.ndarray, tries: np.ndarray, answers: np.ndarray,
            is_b2b: np.ndarray, population: np.ndarray) -> AnswerProfiles | None:  # fmt: skip
    """Answering habits from a seeded sample of the customers who were called (`ids`, and each cell's index in them)."""
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
