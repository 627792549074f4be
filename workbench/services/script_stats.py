"""Talk-script figures from `contact_attempts`, aggregated in SQL.

The database groups attempts by (script, version, reason, …, outcome); Python only sees
one row per group, never one per call. `aggregate_counts` turns those groups into the
same `StatsRow`s `workbench.talk.stats.aggregate` computes from per-attempt records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Select, case, func, null, select

from workbench.domain.codes import CONTACTED_OUTCOMES

# The selector's per-case tally has its own module; its names stay importable from here.
from workbench.services.case_tally import (  # noqa: F401
    TALLY_KEY,
    CaseCounts,
    case_selection_counts,
    last_attempt_id,
    load_case_tally,
    refresh_case_tally,
)
from workbench.store.engine import connection_of
from workbench.store.models import ContactAttempt, Customer
from workbench.talk.library import ScriptLibrary
from workbench.talk.stats import (
    GROUP_KEYS,
    SUCCESS_OUTCOME,
    Figures,
    ScriptGroup,
    StatsRow,
    group_totals,
    table,
)

attempts = ContactAttempt.__table__
customers = Customer.__table__

# `--by` value → the grouping keys of `aggregate`. Script and version are always kept:
# "reason" is the default table ordered by reason (P(best) already compares scripts per
# reason); "kind" and "operator" break every script row down one level further.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "script": ("script", "version", "reason"),
    "reason": ("script", "version", "reason"),
    "kind": ("script", "version", "reason", "kind"),
    "operator": ("script", "version", "reason", "operator"),
}


class OutcomeCount(NamedTuple):
    """Attempts of one group with one outcome; `amount` is the sum of their amounts."""

    script_id: str | None
    version: str | None
    reason: str | None
    kind: str | None
    operator: str | None
    outcome: str
    n: int
    amount: float | int | None = None


def aggregate_counts(
    groups: Iterable[OutcomeCount],
    by: Sequence[str] = GROUPINGS["script"],
    *,
    draws: int = 20_000,
    seed: int = 0,
) -> list[StatsRow]:
    """`workbench.talk.stats.aggregate` over pre-counted groups (same rows, same P(best))."""
    unknown = set(by) - set(GROUP_KEYS)
    if unknown:
        raise ValueError(f"unknown grouping keys: {sorted(unknown)}")
    totals: dict[tuple[str | None, ...], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0])
    for group in groups:
        values = dict(zip(GROUP_KEYS, group[:5], strict=True))
        row = totals[tuple(values[k] if k in by else None for k in GROUP_KEYS)]
        row[0] += group.n
        if group.outcome in CONTACTED_OUTCOMES:
            row[1] += group.n
            if group.outcome == SUCCESS_OUTCOME:
                row[2] += group.n
                row[3] += float(group.amount or 0)
    return table(totals, by, draws=draws, seed=seed)


def _since(since: date | datetime | None, zone: tzinfo) -> datetime | None:
    if since is None or isinstance(since, datetime):
        return since
    return datetime.combine(since, time.min, tzinfo=zone)


def _calls(since: datetime | None, until: datetime | None = None) -> Any:
    """WHERE clause: scripted calls, from `since` on and before `until`."""
    clause = (attempts.c.channel == "call") & attempts.c.script_id.is_not(None)
    if since is not None:
        clause = clause & (attempts.c.at >= since)
    if until is not None:
        clause = clause & (attempts.c.at < until)
    return clause


def outcome_counts(
    bind: Engine | Connection,
    by: Sequence[str],
    since: date | datetime | None = None,
    zone: tzinfo = UTC,
    until: datetime | None = None,
) -> list[OutcomeCount]:
    """One row per group of `by` and outcome; keys not grouped by come back as None."""
    columns = {
        "script": attempts.c.script_id,
        "version": attempts.c.script_version,
        "reason": attempts.c.reason,
        "kind": customers.c.kind,
        "operator": attempts.c.operator,
    }
    grouped = [columns[k] for k in GROUP_KEYS if k in by] + [attempts.c.outcome]
    picked = [columns[k] if k in by else null() for k in GROUP_KEYS]
    stmt: Select[Any] = (
        select(*picked, attempts.c.outcome, func.count(), func.sum(attempts.c.amount))
        .select_from(attempts.join(customers, customers.c.id == attempts.c.customer_id))
        .where(_calls(_since(since, zone), until))
        .group_by(*grouped)
    )
    with connection_of(bind) as conn:
        return [
            OutcomeCount(sid, version, reason, kind, operator, outcome, n, _number(amount))
            for sid, version, reason, kind, operator, outcome, n, amount in conn.execute(stmt)
        ]


def _number(value: Any) -> float | int | None:
    # PostgreSQL sums BIGINT into NUMERIC (Decimal); yen are whole numbers.
    return None if value is None else int(value)


def script_stats(
    engine: Engine | Connection,
    by: str = "script",
    since: date | datetime | None = None,
    *,
    zone: tzinfo = UTC,
    draws: int = 20_000,
    until: datetime | None = None,
) -> list[StatsRow]:
    """The supervisor's table; `since` as a date starts at midnight in `zone`; calls before
    `until` (open when None)."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}: one of {', '.join(GROUPINGS)}")
    keys = GROUPINGS[by]
    rows = aggregate_counts(outcome_counts(engine, keys, since, zone, until), keys, draws=draws)
    if by == "reason":
        rows.sort(
            key=lambda r: (r.reason or "", -(r.p_best or 0.0), r.script_id or "", r.version or "")
        )
    return rows


# The `--by` values of `workbench stats scripts`; "reason" is the default view.
BREAKDOWNS: tuple[str, ...] = ("reason", "kind", "operator")


def script_report(
    engine: Engine | Connection,
    by: str = "reason",
    since: date | datetime | None = None,
    *,
    zone: tzinfo = UTC,
    draws: int = 20_000,
    until: datetime | None = None,
) -> list[ScriptGroup]:
    """The supervisor's table: one total per script version (P(best) among all of them),
    with its rows of `script_stats(…, by)` under it as the breakdown."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}: one of {', '.join(BREAKDOWNS)}")
    rows = script_stats(engine, by, since, zone=zone, draws=draws, until=until)
    return group_totals(rows, draws=draws)


def selection_counts(bind: Engine | Connection) -> dict[tuple[str, str], tuple[int, int]]:
    """(script_id, version) → (reactivations, contacts): the selector's `stats` argument."""
    contacted = attempts.c.outcome.in_(sorted(CONTACTED_OUTCOMES))
    wins = func.sum(case((attempts.c.outcome == SUCCESS_OUTCOME, 1), else_=0))
    stmt = (
        select(attempts.c.script_id, attempts.c.script_version, wins, func.count())
        .where(_calls(None), attempts.c.script_version.is_not(None), contacted)
        .group_by(attempts.c.script_id, attempts.c.script_version)
    )
    with connection_of(bind) as conn:
        return {(sid, ver): (int(won or 0), int(n)) for sid, ver, won, n in conn.execute(stmt)}


@dataclass(frozen=True, kw_only=True)
class VersionHistory(Figures):
    """The figures of one version of a script; `current` marks the file's version today."""

    version: str | None
    first_seen: datetime | None
    last_seen: datetime | None
    current: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "attempts": self.attempts, "contacts": self.contacts,
            "reactivations": self.reactivations, "rate": self.rate,
            "wilson_low": self.wilson_low, "wilson_high": self.wilson_high,
            "revenue": int(self.revenue), "current": self.current,
        }  # fmt: skip


def script_history(
    engine: Engine | Connection, library: ScriptLibrary, script_id: str
) -> list[VersionHistory]:
    """Every version of `script_id` seen in calls, oldest first; the current file version
    is always listed (with zeros when nobody has read it yet)."""
    script = library.get(script_id)
    current = script.version if script else None
    stmt = (
        select(attempts.c.script_version, attempts.c.outcome, func.count(), func.sum(attempts.c.amount),
               func.min(attempts.c.at), func.max(attempts.c.at))
        .where(_calls(None), attempts.c.script_id == script_id)
        .group_by(attempts.c.script_version, attempts.c.outcome)
    )  # fmt: skip
    spans: dict[str | None, tuple[datetime, datetime]] = {}
    groups = []
    with connection_of(engine) as conn:
        for version, outcome, n, amount, first, last in conn.execute(stmt):
            groups.append(
                OutcomeCount(script_id, version, None, None, None, outcome, n, _number(amount))
            )
            lo, hi = spans.get(version, (first, last))
            spans[version] = (min(lo, first), max(hi, last))
    rows = {r.version: r for r in aggregate_counts(groups, ("script", "version"), draws=1)}
    versions = list(rows)
    if current is not None and current not in rows:
        versions.append(current)
    out = []
    for version in versions:
        row = rows.get(version)
        first, last = spans.get(version, (None, None))  # type: ignore[arg-type]
        out.append(VersionHistory(
            version=version, first_seen=first, last_seen=last,
            attempts=row.attempts if row else 0, contacts=row.contacts if row else 0,
            reactivations=row.reactivations if row else 0, rate=row.rate if row else None,
            wilson_low=row.wilson_low if row else 0.0, wilson_high=row.wilson_high if row else 1.0,
            revenue=row.revenue if row else 0.0, current=version == current,
        ))  # fmt: skip
    out.sort(key=lambda v: (v.first_seen is None, v.first_seen or datetime.min.replace(tzinfo=UTC)))
    return out
