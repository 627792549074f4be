"""What the scoring run knows about each customer besides purchases, and the reason guesses made from it.

The signals come from a few grouped reads (the latest reason heard, whether a complaint or
a refusal was recorded, the previous rep, the do-not-call and opt-out flags, the control group) as arrays
aligned with the customer table.  A million customers share a few thousand combinations
of those signals and their order count, so `workbench.domain.reasons` — the one home of
the guessing rules — is asked once per distinct combination, never once per customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, and_, select

from workbench.config import Settings
from workbench.domain.calling_rules import PERMANENT_BLOCKS
from workbench.domain.codes import REFUSAL_OUTCOMES
from workbench.domain.reasons import fit_rule_confidence, guess_reason, rule_outcome
from workbench.services.calling import dnc, dnc_known
from workbench.services.control_group import control_mask
from workbench.services.customer_table import AttemptEvents, CustomerTable, attempt_events
from workbench.store import columns

# Later ones take precedence: the calling rules' own order (PERMANENT_BLOCKS), reversed.
BLOCKS: tuple[str | None, ...] = (None, *(str(code) for code in reversed(PERMANENT_BLOCKS)))


@dataclass(frozen=True, eq=False)
class Signals:
    """Per customer of the table: the latest reason heard (index into `reasons`, −1: none),
    a complaint on record, a previous rep, and the permanent block (index into BLOCKS)."""

    heard: npt.NDArray[np.int64]
    reasons: tuple[str, ...]
    complaint: npt.NDArray[np.bool_]
    previous_rep: npt.NDArray[np.bool_]
    blocked: npt.NDArray[np.int8]


def _place(
    table: CustomerTable, ids: npt.ArrayLike
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Table rows of the given customer ids, and which ids the table holds at all."""
    wanted = np.asarray(ids, dtype=np.int64)
    if not len(table):
        return np.zeros(0, dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    place = np.minimum(np.searchsorted(table.id, wanted), len(table) - 1)
    found = table.id[place] == wanted
    return place[found], found


def _positions(table: CustomerTable, ids: npt.ArrayLike) -> npt.NDArray[np.int64]:
    return _place(table, ids)[0]


def load_signals(
    conn: Connection,
    table: CustomerTable,
    at: datetime,
    events: AttemptEvents | None = None,
    *,
    settings: Settings | None = None,
) -> Signals:
    """Nothing recorded after `at` is known at `at`: a rescore in the past sees the past.

    With `settings` (the rescore) the control group is a permanent block too, the weakest, as
    in `domain.calling_rules.permanent_block`; without (the KPI's population, which splits the
    otherwise callable customers itself) only the legal blocks are.

    `events` are `attempt_events` at `at`, when the caller has read them already.
    """
    n = len(table)
    refusals = sorted(REFUSAL_OUTCOMES)
    e = attempt_events(conn, at) if events is None else events
    cids, aids, instants, outcomes_of, said = e.customer_id, e.id, e.at_us, e.outcome, e.reason
    place, known = _place(table, cids)
    outcome = np.array(outcomes_of, dtype=object)[known]
    complaint, blocked = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int8)
    complaint[place[outcome == "complaint"]] = True
    refused = place[np.isin(outcome, refusals)]
    reasons = tuple(sorted({r for r in said if r is not None}))
    code: dict[str | None, int] = {reason: i for i, reason in enumerate(reasons)}
    reason = np.array([code.get(r, -1) for r in said], dtype=np.int64)[known]
    # The latest reason heard per customer: by instant, then by id (the later record of one instant).
    has = reason >= 0
    who, when, which, what = place[has], instants[known][has], aids[known][has], reason[has]
    order = np.lexsort((which, when, who))
    last = np.ones(len(order), dtype=bool)
    last[:-1] = who[order][1:] != who[order][:-1]
    heard = np.full(n, -1, dtype=np.int64)
    heard[who[order][last]] = what[order][last]
    opted_out = columns.int_columns(
        conn, "SELECT id FROM customers WHERE call_opt_out = :yes", {"yes": True}, width=1
    )
    if settings is not None:
        blocked[control_mask(conn, settings, table.id)] = BLOCKS.index("control_group")
    blocked[_positions(table, opted_out[:, 0])] = BLOCKS.index("opted_out")
    blocked[refused] = BLOCKS.index("refused")
    listed = conn.execute(
        select(dnc.c.customer_id).where(
            and_(dnc.c.customer_id.is_not(None), dnc.c.e164.is_(None), dnc_known(at))
        )
    ).scalars()
    blocked[_positions(table, np.fromiter(listed, dtype=np.int64))] = BLOCKS.index("do_not_call")
    blocked[place[outcome == "do_not_call"]] = BLOCKS.index(
        "do_not_call"
    )  # as the rules read the history
    rep = columns.int_columns(
        conn, "SELECT id FROM customers WHERE previous_rep IS NOT NULL", width=1
    )
    previous_rep = np.zeros(n, dtype=bool)
    previous_rep[_positions(table, rep[:, 0])] = True
    return Signals(heard, reasons, complaint, previous_rep, blocked)


def distinct_rows(
    cols: Sequence[npt.NDArray[np.integer[Any] | np.bool_]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The distinct rows of aligned small-integer columns (rows × columns), and each row's index among them.

    The columns are packed into one integer (mixed radix over each column's range), so a
    million rows sort as plain int64 rather than as records.
    """
    if not cols or not len(cols[0]):
        return np.zeros((0, len(cols)), dtype=np.int64), np.zeros(0, dtype=np.int64)
    values = [np.asarray(c, dtype=np.int64) for c in cols]
    lows = [int(v.min()) for v in values]
    spans = [int(v.max()) - low + 1 for v, low in zip(values, lows, strict=True)]
    if np.prod(np.array(spans, dtype=np.float64)) >= 2.0**62:
        raise ValueError("too many combinations to pack into one integer")
    packed = np.zeros(len(values[0]), dtype=np.int64)
    for v, low, span in zip(values, lows, spans, strict=True):
        packed = packed * span + (v - low)
    keys, inverse = np.unique(packed, return_inverse=True)
    rows = np.empty((len(keys), len(values)), dtype=np.int64)
    for k in range(len(values) - 1, -1, -1):
        keys, rows[:, k] = np.divmod(keys, spans[k])
        rows[:, k] += lows[k]
    return rows, inverse.ravel()


def _combinations(
    table: CustomerTable, s: Signals
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct (heard, complaint, kind, previous rep, orders) combinations: one row each, and each customer's."""
    return distinct_rows([s.heard, s.complaint, table.b2b, s.previous_rep, table.n_orders])


def _arguments(
    row: npt.NDArray[np.int64], reasons: tuple[str, ...]
) -> tuple[str | None, bool, str, str | None, int]:
    heard, complaint, b2b, rep, n_orders = (int(v) for v in row)
    return (
        reasons[heard] if heard >= 0 else None,
        bool(complaint),
        "b2b" if b2b else "b2c",
        "x" if rep else None,
        n_orders,
    )


def _rule_confidence(
    combinations: list[tuple[str | None, bool, str, str | None, int]], counts: list[int]
) -> dict[str, float]:
    """How often each guessing rule named the reason customers later told us.

    The history is the one known at the scoring instant, not the one at the moment the reason
    was heard: close enough for a rule's hit rate, and it needs no replay of every customer.
    """
    evidence = []
    for args, count in zip(combinations, counts, strict=True):
        outcome = rule_outcome(*args) if args[0] else None
        if outcome is not None:
            evidence += [outcome] * count
    return fit_rule_confidence(evidence)


@dataclass(frozen=True, eq=False)
class Guesses:
    """Each customer's reason (index into `reasons`), its source (index into `sources`) and confidence."""

    reason: npt.NDArray[np.int64]
    reasons: tuple[str, ...]
    source: npt.NDArray[np.int64]
    sources: tuple[str, ...]
    confidence: npt.NDArray[np.float64]


def guess_reasons(table: CustomerTable, s: Signals) -> Guesses:
    """What each customer said, else the guess of the first rule that fires, with the rule's
    confidence learned from the customers whose reason was heard."""
    distinct, inverse = _combinations(table, s)
    combinations = [_arguments(row, s.reasons) for row in distinct]
    confidence = _rule_confidence(
        combinations, np.bincount(inverse, minlength=len(distinct)).tolist()
    )
    guesses = [guess_reason(*args, confidence) for args in combinations]
    reasons = tuple(sorted({g.reason for g in guesses}))
    sources = tuple(sorted({g.source for g in guesses}))
    reason_of = np.array([reasons.index(g.reason) for g in guesses], dtype=np.int64)
    source_of = np.array([sources.index(g.source) for g in guesses], dtype=np.int64)
    confidence_of = np.array([g.confidence for g in guesses], dtype=np.float64)
    return Guesses(reason_of[inverse], reasons, source_of[inverse], sources, confidence_of[inverse])
