"""Figures supervisors see per script: rate, Wilson 95% interval, P(best), revenue.

Only attempts that reached the customer (``CONTACTED_OUTCOMES``) count for or against a
script: an unanswered call says nothing about what was said.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import numpy as np

from workbench.domain.codes import CONTACTED_OUTCOMES

Z95 = 1.959963984540054
MIN_OUTCOMES = 30
SUCCESS_OUTCOME = "reactivated"
GROUP_KEYS: tuple[str, ...] = ("script", "version", "reason", "kind", "operator")
_SCRIPT_KEYS = frozenset({"script", "version"})
K = TypeVar("K", bound=Hashable)


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= trials:
        raise ValueError(f"successes {successes} out of range for {trials} trials")
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    # Exact ends at 0/n and n/n, where floating point would give 1e-17 or 0.9999…
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def not_enough_data(outcomes: int, minimum: int = MIN_OUTCOMES) -> bool:
    """Flag for figures resting on fewer than ~30 outcomes."""
    return outcomes < minimum


def prob_best(
    counts: Mapping[K, tuple[int, int]], draws: int = 20_000, seed: int | np.random.Generator = 0
) -> dict[K, float]:
    """P(each arm has the highest rate) under Beta(1 + s, 1 + n - s) posteriors.

    ``counts`` maps arm → (successes, trials). Monte Carlo with a seeded generator, so
    the same inputs always give the same figures.
    """
    keys = list(counts)
    if not keys:
        return {}
    if len(keys) == 1:
        return {keys[0]: 1.0}
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    s = np.array([counts[k][0] for k in keys], dtype=float)
    n = np.array([counts[k][1] for k in keys], dtype=float)
    samples = rng.beta(1 + s, 1 + n - s, size=(draws, len(keys)))
    wins = np.bincount(samples.argmax(axis=1), minlength=len(keys))
    return {key: float(wins[i]) / draws for i, key in enumerate(keys)}


class AttemptRecord(NamedTuple):
    """One call attempt as recorded; a plain 7-tuple in this order works too."""

    script_id: str
    version: str
    reason: str
    kind: str
    operator: str
    outcome: str
    amount: float | int | None = None


@dataclass(frozen=True, kw_only=True)
class Figures:
    """What a group of calls achieved: attempts, conversations, win-backs and their yen, and
    the win-back rate per conversation with its Wilson 95 % interval (None without contacts)."""

    attempts: int
    contacts: int
    reactivations: int
    rate: float | None
    wilson_low: float
    wilson_high: float
    revenue: float


@dataclass(frozen=True)
class StatsRow(Figures):
    """One group; keys not grouped by are None."""

    script_id: str | None
    version: str | None
    reason: str | None
    kind: str | None
    operator: str | None
    p_best: float | None = field(kw_only=True)
    not_enough_data: bool = field(kw_only=True)


def _record(raw: Any) -> AttemptRecord:
    if isinstance(raw, AttemptRecord):
        return raw
    if isinstance(raw, Mapping):
        return AttemptRecord(**raw)
    return AttemptRecord(*raw)


def _group_key(record: AttemptRecord, by: Sequence[str]) -> tuple[str | None, ...]:
    values = {
        "script": record.script_id,
        "version": record.version,
        "reason": record.reason,
        "kind": record.kind,
        "operator": record.operator,
    }
    return tuple(values[key] if key in by else None for key in GROUP_KEYS)


def aggregate(
    records: Iterable[Any],
    by: Sequence[str] = ("script", "version", "reason"),
    *,
    draws: int = 20_000,
    seed: int = 0,
) -> list[StatsRow]:
    """Group attempt records and compute the supervisor's table.

    ``by`` is any subset of ``GROUP_KEYS``. P(best) compares the script (versions) that
    share every other grouping key, e.g. all scripts for one reason; it is None when the
    grouping has no script key. Revenue sums the amounts of reactivated attempts.
    """
    unknown = set(by) - set(GROUP_KEYS)
    if unknown:
        raise ValueError(f"unknown grouping keys: {sorted(unknown)}")
    totals: dict[tuple[str | None, ...], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0])
    for raw in records:
        record = _record(raw)
        row = totals[_group_key(record, by)]
        row[0] += 1
        if record.outcome in CONTACTED_OUTCOMES:
            row[1] += 1
            if record.outcome == SUCCESS_OUTCOME:
                row[2] += 1
                row[3] += float(record.amount or 0)
    return table(totals, by, draws=draws, seed=seed)


Totals = Mapping[tuple[str | None, ...], Sequence[float]]


def table(
    totals: Totals, by: Sequence[str], *, draws: int = 20_000, seed: int = 0
) -> list[StatsRow]:
    """Rows from per-group [attempts, contacts, reactivations, revenue] totals.

    Arms are taken in sorted order so the seeded P(best) draws do not depend on
    the order the groups were counted in (SQL row order differs between backends).
    """
    p_best: dict[tuple[str | None, ...], float] = {}
    if _SCRIPT_KEYS & set(by):
        arenas: dict[tuple[str | None, ...], dict[tuple[str | None, ...], tuple[int, int]]]
        arenas = defaultdict(dict)
        for key in sorted(totals, key=_sort_key):
            _, contacts, wins, _ = totals[key]
            pairs = zip(GROUP_KEYS, key, strict=True)
            arena = tuple(None if name in _SCRIPT_KEYS else value for name, value in pairs)
            arenas[arena][key] = (int(wins), int(contacts))
        for arena_index, arena_key in enumerate(sorted(arenas, key=_sort_key)):
            p_best.update(prob_best(arenas[arena_key], draws, seed + arena_index))
    rows = []
    for key in sorted(totals, key=_sort_key):
        attempts, contacts, wins, revenue = totals[key]
        low, high = wilson_interval(int(wins), int(contacts))
        script_id, version, reason, kind, operator = key
        rows.append(
            StatsRow(
                script_id,
                version,
                reason,
                kind,
                operator,
                attempts=int(attempts),
                contacts=int(contacts),
                reactivations=int(wins),
                rate=wins / contacts if contacts else None,
                wilson_low=low,
                wilson_high=high,
                p_best=p_best.get(key),
                revenue=revenue,
                not_enough_data=not_enough_data(int(contacts)),
            )
        )
    return rows


def _sort_key(key: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple("" if value is None else value for value in key)


def selection_stats(records: Iterable[Any]) -> dict[tuple[str, str], tuple[int, int]]:
    """(script_id, version) → (reactivations, contacts), the input of ``choose_script``."""
    return {
        (row.script_id or "", row.version or ""): (row.reactivations, row.contacts)
        for row in aggregate(records, by=("script", "version"), draws=1)
    }


def version_languages(current: Mapping[str, str | None]) -> dict[str, str]:
    """Which language's file each current version belongs to: `{"ja": v1, "en": v2}` →
    `{v1: "ja", v2: "en"}`.  The ja and en files of one script id are separate files with
    separate versions (a version is the file's hash), so a call's version names its file;
    a version no file has any more (an earlier edit) is absent: its language is not recorded.
    """
    return {version: language for language, version in current.items() if version}


@dataclass(frozen=True)
class ScriptGroup:
    """One script version's total over every row of it, with those rows (its breakdown) under it."""

    total: StatsRow
    breakdown: tuple[StatsRow, ...]


def group_totals(
    rows: Sequence[StatsRow], *, draws: int = 20_000, seed: int = 0
) -> list[ScriptGroup]:
    """Per-script-version totals of breakdown rows, each with its rows in their given order.

    A total sums attempts, conversations, win-backs and revenue over all its rows; its
    P(best) compares every script version of the table with each other (one arena).
    """
    sums: dict[tuple[str | None, ...], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0])
    members: dict[tuple[str | None, ...], list[StatsRow]] = defaultdict(list)
    for row in rows:
        key = (row.script_id, row.version, None, None, None)
        total = sums[key]
        total[0] += row.attempts
        total[1] += row.contacts
        total[2] += row.reactivations
        total[3] += row.revenue
        members[key].append(row)
    totals = table(sums, ("script", "version"), draws=draws, seed=seed)
    return [
        ScriptGroup(total, tuple(members[(total.script_id, total.version, None, None, None)]))
        for total in totals
    ]
