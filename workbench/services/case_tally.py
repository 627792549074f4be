"""The script selector's tally: win-backs and contacts per (case, script, version).

A call's case is ``heard:<reason>`` when a reason was recorded for the customer before the
call (the latest one), else ``guessed:<reason>`` with the guess the rules of
`workbench.domain.reasons` make from the history before the call (a complaint, the previous
rep, the orders so far).  The scoring run stores the tally with the last attempt id it
counts; a claim then counts only the calls after it.

Asked of SQL call by call, each of those facts costs index look-ups and a row read per
earlier attempt: minutes over millions of calls.  Here the calls, the reasons and complaints
of their customers and those customers' order counts come as columns, and numpy finds each
call's latest earlier reason and any earlier complaint by searching the customer's records
in time order.  Orders before a call come from `customer_metrics` when the call follows the
customer's last order (all of them) or precedes their first (none); only calls between the
two count purchases in the database.  The rules are asked once per distinct combination.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, delete, func, insert, select

from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.domain.lifecycle import NO_TIME
from workbench.domain.reasons import GUESSED, HEARD, case_key, guess_reason
from workbench.services.score_signals import distinct_rows
from workbench.store import columns
from workbench.store.engine import connection_of
from workbench.store.models import ContactAttempt, ModelState
from workbench.talk.stats import SUCCESS_OUTCOME

attempts = ContactAttempt.__table__
model_state = ModelState.__table__

CaseCounts = dict[tuple[str, str, str], tuple[int, int]]
TALLY_KEY = "script_case_tally"
FEW = 2000  # customers looked up by id; more than this, and one scan of the table is cheaper
IntArray = npt.NDArray[np.int64]


def last_attempt_id(bind: Engine | Connection) -> int:
    """The highest attempt id so far (0 for none): the upper bound of a case tally."""
    with connection_of(bind) as conn:
        return int(conn.execute(select(func.max(attempts.c.id))).scalar_one() or 0)


def _of_customers(conn: Connection, sql: str, ids: IntArray, kinds: str, column: str) -> list[Any]:
    """Columns of `sql` (its first column the customer id) for the customers `ids`, ordered by that id."""
    if len(ids) > FEW:
        found = columns.fetch(conn, sql, kinds=kinds)
        keep = np.isin(found[0], ids)
    else:
        found = [np.zeros(0, dtype=np.int64) if k == "i" else [] for k in kinds]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500].tolist()
            marks = ", ".join(f":i{k}" for k in range(len(chunk)))
            part = columns.fetch(conn, f"{sql} {'AND' if ' WHERE ' in sql else 'WHERE'} {column} IN ({marks})",
                                 {f"i{k}": cid for k, cid in enumerate(chunk)}, kinds)  # fmt: skip
            found = [
                np.concatenate([a, b]) if isinstance(a, np.ndarray) else a + b
                for a, b in zip(found, part, strict=True)
            ]
        keep = np.ones(len(found[0]), dtype=bool)
    order = np.flatnonzero(keep)[np.argsort(found[0][keep], kind="stable")]
    return [
        col[order] if isinstance(col, np.ndarray) else [col[i] for i in order.tolist()]
        for col in found
    ]


def _find(sorted_ids: IntArray, wanted: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Where each wanted id sits in `sorted_ids`, and whether it is there at all."""
    if not len(sorted_ids):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    place = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return place, sorted_ids[place] == wanted


def _gather(values: IntArray, place: IntArray, found: npt.NDArray[np.bool_], fill: int) -> IntArray:
    return (
        np.where(found, values[place], fill)
        if len(values)
        else np.full(len(place), fill, dtype=np.int64)
    )


def _before(keys: IntArray, firsts: IntArray, wanted: IntArray) -> IntArray:
    """Per wanted key, the index in the sorted `keys` of the last one below it (−1: none of that customer)."""
    pos = np.searchsorted(keys, wanted, side="left") - 1
    return np.where(pos >= firsts, pos, -1)


def _orders_before(
    conn: Connection, call_id: IntArray, cid: IntArray, at_us: IntArray, need: npt.NDArray[np.bool_]
) -> IntArray:
    """Purchases each call's customer placed before the call (only where `need`)."""
    ids = np.unique(cid[need])
    m_cid, m_n, m_first, m_last = _of_customers(conn, f"""
        SELECT customer_id, n_orders, {columns.epoch_micros(conn, 'first_order_at', NO_TIME)},
               {columns.epoch_micros(conn, 'last_order_at', NO_TIME)} FROM customer_metrics""", ids, "iiii", "customer_id")  # fmt: skip
    place, has = _find(m_cid, cid)
    n, first, last = (
        _gather(values, place, has, fill)
        for values, fill in ((m_n, 0), (m_first, NO_TIME), (m_last, NO_TIME))
    )
    after_all = has & (last != NO_TIME) & (at_us > last)
    before_all = has & (first != NO_TIME) & (at_us <= first)
    orders = np.where(after_all, n, 0)
    count = need & ~after_all & ~before_all
    for start in range(0, int(count.sum()), 500):
        chunk = call_id[count][start : start + 500].tolist()
        marks = ", ".join(f":i{k}" for k in range(len(chunk)))
        got_id, got_n = columns.fetch(conn, f"""
            SELECT a.id, (SELECT COUNT(*) FROM transactions t WHERE t.customer_id = a.customer_id AND t.ordered_at < a.at)
            FROM contact_attempts a WHERE a.id IN ({marks})""", {f"i{k}": v for k, v in enumerate(chunk)}, "ii")  # fmt: skip
        orders[np.searchsorted(call_id, got_id)] = got_n
    return orders


def _codes(values: list[Any]) -> tuple[IntArray, list[Any]]:
    names = sorted({v for v in values if v is not None})
    code = {v: i for i, v in enumerate(names)}
    return np.fromiter((code.get(v, -1) for v in values), dtype=np.int64, count=len(values)), names


def case_selection_counts(
    bind: Engine | Connection, after_id: int = 0, through_id: int | None = None
) -> CaseCounts:
    """(case, script_id, version) → (reactivations, contacts), for the calls with ids in (after_id, through_id]."""
    contacted = ", ".join(f"'{o}'" for o in sorted(CONTACTED_OUTCOMES))
    bounds = "a.id > :after" + ("" if through_id is None else " AND a.id <= :through")
    with connection_of(bind) as conn:
        call_id, cid, at_us, script, version, outcome = columns.fetch(conn, f"""
            SELECT a.id, a.customer_id, {columns.epoch_micros(conn, 'a.at', NO_TIME)}, a.script_id, a.script_version, a.outcome
            FROM contact_attempts a WHERE a.channel = 'call' AND a.script_id IS NOT NULL AND a.script_version IS NOT NULL
            AND a.outcome IN ({contacted}) AND {bounds}""", {"after": after_id, "through": through_id}, "iiittt", by_first=True)  # fmt: skip
        if not len(call_id):
            return {}
        ids = np.unique(cid)
        c_id, c_kind, c_rep = _of_customers(conn, """
            SELECT id, kind, CASE WHEN COALESCE(previous_rep, '') != '' THEN 1 ELSE 0 END FROM customers""", ids, "iti", "id")  # fmt: skip
        e_cid, e_id, e_at, e_reason, e_complaint = _of_customers(conn, f"""
            SELECT customer_id, id, {columns.epoch_micros(conn, 'at', NO_TIME)}, reason,
                   CASE WHEN outcome = 'complaint' THEN 1 ELSE 0 END
            FROM contact_attempts WHERE (reason IS NOT NULL OR outcome = 'complaint')""", ids, "iiiti", "customer_id")  # fmt: skip
        # Every call and record as (customer, instant) ranks, so "earlier, same customer" is "smaller key".
        customer = np.searchsorted(ids, cid)
        instants, rank = np.unique(np.concatenate([at_us, e_at]), return_inverse=True)
        width = len(instants) + 1
        call_key, e_key = (
            customer * width + rank[: len(at_us)],
            np.searchsorted(ids, e_cid) * width + rank[len(at_us) :],
        )
        starts = customer * width
        reason_code, reasons = _codes(e_reason)
        said = reason_code >= 0
        order = np.lexsort((e_id[said], e_key[said]))
        said_keys = e_key[said][order]
        latest = _before(said_keys, np.searchsorted(said_keys, starts, side="left"), call_key)
        heard = _gather(reason_code[said][order], np.maximum(latest, 0), latest >= 0, -1)
        complaint_keys = np.sort(e_key[e_complaint == 1])
        complained = np.searchsorted(complaint_keys, call_key, side="left") > np.searchsorted(
            complaint_keys, starts, side="left"
        )
        place, known = _find(c_id, cid)
        unheard = known & (heard < 0)
        orders = _orders_before(conn, call_id, cid, at_us, unheard)
    kind_code, kinds = _codes(
        [c_kind[i] if k else None for i, k in zip(place.tolist(), known.tolist(), strict=True)]
    )
    rep = _gather(c_rep, place, known, 0)
    script_code, scripts = _codes(script)
    version_code, versions = _codes(version)
    won = np.array([o == SUCCESS_OUTCOME for o in outcome], dtype=np.int64)
    signals = [script_code, version_code, heard, np.where(unheard, complained, 0), np.where(unheard, kind_code, -1),
               np.where(unheard, rep, 0), np.where(unheard, orders, 0)]  # fmt: skip
    groups, inverse = distinct_rows([s[known] for s in signals])
    wins = np.bincount(inverse, weights=won[known], minlength=len(groups)).astype(np.int64)
    counts = np.bincount(inverse, minlength=len(groups))
    out: CaseCounts = {}
    for (sid, ver, said_code, complaint, kind, has_rep, n_orders), w, n in zip(
        groups.tolist(), wins.tolist(), counts.tolist(), strict=True
    ):
        if said_code >= 0:
            key = case_key(reasons[said_code], HEARD)
        else:
            guess = guess_reason(
                None,
                bool(complaint),
                kinds[kind] if kind >= 0 else None,
                "rep" if has_rep else None,
                n_orders,
            )
            key = case_key(guess.reason, GUESSED)
        old_w, old_n = out.get((key, scripts[sid], versions[ver]), (0, 0))
        out[(key, scripts[sid], versions[ver])] = (old_w + w, old_n + n)
    return out


def load_case_tally(bind: Engine | Connection) -> tuple[int, CaseCounts]:
    """The stored per-case tally: (last attempt id counted, counts); (0, {}) before the first."""
    with connection_of(bind) as conn:
        raw = conn.execute(
            select(model_state.c.value).where(model_state.c.key == TALLY_KEY)
        ).scalar_one_or_none()
    if raw is None:
        return 0, {}
    data = json.loads(raw)
    return int(data["through_id"]), {
        (c, sid, ver): (int(w), int(n)) for c, sid, ver, w, n in data["counts"]
    }


@dataclass(frozen=True)
class PendingTally:
    """The stored tally with the attempts since counted in, not yet stored."""

    through_id: int
    counts: CaseCounts
    changed: bool


def count_case_tally(bind: Engine | Connection) -> PendingTally:
    """The stored tally plus every attempt after it, read only (the scoring run counts before its write)."""
    with connection_of(bind) as conn:
        through, counts = load_case_tally(conn)
        top = last_attempt_id(conn)
        if top <= through:
            return PendingTally(through, counts, False)
        for key, (won, n) in case_selection_counts(conn, through, top).items():
            w, t = counts.get(key, (0, 0))
            counts[key] = (w + won, t + n)
    return PendingTally(top, counts, True)


def store_case_tally(conn: Connection, tally: PendingTally, at: datetime) -> int:
    """Save a counted tally inside the caller's transaction; returns the last attempt id it counts."""
    if tally.changed:
        value = json.dumps(
            {
                "through_id": tally.through_id,
                "counts": [[*k, w, n] for k, (w, n) in sorted(tally.counts.items())],
            }
        )
        conn.execute(delete(model_state).where(model_state.c.key == TALLY_KEY))
        conn.execute(insert(model_state).values(key=TALLY_KEY, value=value, fitted_at=at))
    return tally.through_id


def refresh_case_tally(conn: Connection, at: datetime) -> int:
    """Count the attempts since the stored tally into it, inside the caller's transaction.

    Stored once per scoring run, so a claim only counts the attempts after it.  Returns the
    last attempt id now counted.
    """
    return store_case_tally(conn, count_case_tally(conn), at)
