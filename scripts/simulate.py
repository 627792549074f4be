"""A simulated contact center with hidden ground truth, driving the real workbench.

    python scripts/simulate.py --customers 3000 --operators 4 --days 5 --record docs/benchmarks.md

The demo generator writes each customer's hidden truth (answering habit by hour
of week, true dormancy reason, reactivation propensity, order value).  Each
strategy starts from the same freshly imported database and works the same
operator-hours; every dial goes through the workbench's calling rules and every
outcome through the one disposition service, exactly as `workbench claim` and
`workbench dispose` do (in-process: a subprocess per call would measure Python
start-up, not the queue).

Strategies: `workbench` (claim: the scored queue), `random`, `recent` (most
recently lapsed first), `spend` (highest past spend first) and `oracle` (knows
the hidden truth: true P(answer now) × propensity × value).  An independent
audit re-checks every dial against the rules; violations must be zero.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, select

from benchlib import machine  # type: ignore[import-not-found]

from workbench.config import Settings, load_settings
from workbench.demo.generate import answer_probability, generate
from workbench.domain.calling_rules import evaluate
from workbench.services.calling import calling_policy, load_contacts
from workbench.services.claim import claim
from workbench.services.dispose import Disposition, dispose
from workbench.services.importer import import_file
from workbench.services.queue import eligible_states
from workbench.services.freshness import ensure_scored
from workbench.store.database import open_database
from workbench.store.models import Customer, CustomerMetrics, QueueScore

TOKYO = ZoneInfo("Asia/Tokyo")
DIAL_MINUTES = 3  # one dial slot: ring, talk or voicemail, wrap-up
SCRIPT_FIT = {True: 1.0, False: 0.55}  # a script written for the true reason works better


@dataclass(frozen=True)
class Truth:
    reason: str
    profile: str
    peak: float
    base: float
    propensity: float
    value: int


@dataclass
class Result:
    strategy: str
    dials: int = 0
    contacts: int = 0
    reactivations: int = 0
    revenue: int = 0
    violations: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def load_truth(path: Path) -> dict[str, Truth]:
    with path.open(encoding="utf-8") as fh:
        return {
            r["customer_id"]: Truth(r["true_reason"], r["answer_profile"], float(r["p_answer_peak"]),
                                    float(r["p_answer_base"]), float(r["reactivation_propensity"]), int(r["value_per_order"]))
            for r in csv.DictReader(fh)
        }  # fmt: skip


def p_answer(truth: Truth, at: datetime) -> float:
    local = at.astimezone(TOKYO)
    return answer_probability(truth.profile, truth.peak, truth.base, local.weekday(), local.hour)


class World:
    """The hidden side: how a customer reacts when called at an instant with a script."""

    def __init__(self, truth: dict[str, Truth], library_reasons: dict[str, tuple[str, ...]], seed: int) -> None:
        self.truth = truth
        self.reasons = library_reasons
        self.rng = random.Random(seed)

    def call(self, customer: str, at: datetime, script: str | None) -> tuple[str, str | None, int | None]:
        t = self.truth[customer]
        if self.rng.random() >= p_answer(t, at):
            return self.rng.choice(("no_answer", "no_answer", "no_answer", "busy", "voicemail")), None, None
        fits = script is not None and t.reason in self.reasons.get(script, ())
        if self.rng.random() < min(1.0, t.propensity * SCRIPT_FIT[fits] * 2.0):
            return "reactivated", t.reason, t.value
        roll = self.rng.random()
        if roll < 0.25:
            return "not_interested", t.reason, None
        if roll < 0.30:
            return "do_not_call", t.reason, None
        return "callback", t.reason, None


def prepare(workdir: Path, customers: int, seed: int, settings: Settings) -> tuple[Path, dict[str, Truth]]:
    files = generate(workdir, customers=customers, seed=seed, start=date(2024, 1, 1), end=date(2026, 11, 2))
    base_db = workdir / "base.db"
    engine = open_database(f"sqlite:///{base_db}")
    for kind, path in (("customers", files.customers), ("transactions", files.transactions), ("contacts", files.contacts)):
        import_file(engine, kind, path, settings, rejects_path=workdir / f"{kind}.rejects.csv")  # type: ignore[arg-type]
    engine.dispose()
    return base_db, load_truth(files.truth)


def fresh_copy(base_db: Path, workdir: Path, name: str) -> Engine:
    target = workdir / f"{name}.db"
    shutil.copy(base_db, target)
    return open_database(f"sqlite:///{target}")


def shift_slots(start_day: date, days: int) -> list[datetime]:
    slots = []
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=TOKYO)
        while at.hour < 20:
            slots.append(at)
            at += timedelta(minutes=DIAL_MINUTES)
    return slots


class Baseline:
    """A fixed order over the callable population; the rules still decide who may be dialled."""

    def __init__(self, engine: Engine, settings: Settings, key: str, truth: dict[str, Truth], seed: int) -> None:
        self.engine, self.settings, self.truth = engine, settings, truth
        self.key = key
        self.rng = random.Random(seed)
        self.policy = calling_policy(settings)
        with engine.connect() as conn:
            rows = conn.execute(
                select(Customer.id, Customer.external_id, CustomerMetrics.last_order_at, CustomerMetrics.monetary)  # type: ignore[call-overload]
                .join(QueueScore, QueueScore.customer_id == Customer.id)
                .join(CustomerMetrics, CustomerMetrics.customer_id == Customer.id, isouter=True)
                .where(and_(QueueScore.state.in_(eligible_states(settings)), QueueScore.permanent_block.is_(None)))
            ).all()
        self.pool = [(r[0], r[1], r[2], r[3] or 0) for r in rows]
        if key == "random":
            self.rng.shuffle(self.pool)
        elif key == "recent":
            self.pool.sort(key=lambda r: r[2] or datetime.min.replace(tzinfo=UTC), reverse=True)
        elif key == "spend":
            self.pool.sort(key=lambda r: r[3], reverse=True)

    def next(self, at: datetime, busy: set[int]) -> tuple[int, str] | None:
        order = self.pool
        if self.key == "oracle":
            order = sorted(self.pool, key=lambda r: -p_answer(self.truth[r[1]], at) * self.truth[r[1]].propensity * self.truth[r[1]].value)
        with self.engine.connect() as conn:
            for start in range(0, len(order), 200):
                chunk = [r for r in order[start : start + 200] if r[0] not in busy]
                contacts = load_contacts(conn, [r[0] for r in chunk], at)
                for cid, external, _, _ in chunk:
                    if evaluate(contacts[cid], at, self.policy).callable:
                        return cid, external
        return None


def audit(engine: Engine, settings: Settings, customer_id: int, at: datetime, operator: str) -> bool:
    """Independent re-check of one dial against the rules, before its outcome is recorded."""
    with engine.connect() as conn:
        contact = load_contacts(conn, [customer_id], at)[customer_id]
    return evaluate(contact, at, calling_policy(settings), operator=operator).callable


def run(strategy: str, base_db: Path, workdir: Path, truth: dict[str, Truth], settings: Settings,
        operators: int, days: int, seed: int, start_day: date) -> Result:  # fmt: skip
    engine = fresh_copy(base_db, workdir, strategy)
    result = Result(strategy)
    started = time.perf_counter()
    from workbench.services.talk_choice import library_for

    reasons = {s.id: tuple(s.reasons) for s in library_for(settings).scripts()}
    world = World(truth, reasons, seed)
    slots = shift_slots(start_day, days)
    ensure_scored(engine, settings, slots[0])
    baseline = None if strategy == "workbench" else Baseline(engine, settings, strategy, truth, seed)
    for at in slots:
        if at.hour == 9 and at.minute == 0:
            ensure_scored(engine, settings, at)
        busy: set[int] = set()
        for k in range(operators):
            operator = f"op{k + 1:02d}"
            picked = _pick(engine, settings, strategy, baseline, operator, at, busy, world.rng)
            if picked is None:
                continue
            cid, external, script = picked
            busy.add(cid)
            if not audit(engine, settings, cid, at, operator):
                result.violations += 1
            outcome, reason, amount = world.call(external, at, script)
            callback_at = at + timedelta(days=1) if outcome == "callback" else None
            dispose(engine, settings, Disposition(
                customer_id=external, outcome=outcome, at=at, operator=operator, script=script,
                reason=reason, amount=amount, callback_at=callback_at, source="batch",
            ))  # fmt: skip
            result.dials += 1
            result.outcomes[outcome] += 1
            if reason is not None:
                result.contacts += 1
            if outcome == "reactivated":
                result.reactivations += 1
                result.revenue += amount or 0
    result.seconds = time.perf_counter() - started
    engine.dispose()
    return result


def _pick(engine: Engine, settings: Settings, strategy: str, baseline: Baseline | None, operator: str,
          at: datetime, busy: set[int], rng: random.Random) -> tuple[int, str, str | None] | None:  # fmt: skip
    if strategy == "workbench":
        entry = claim(engine, settings, operator, at, rng)
        if entry is None:
            return None
        return entry.customer_id, entry.external_id, entry.script.script_id if entry.script else None
    assert baseline is not None
    found = baseline.next(at, busy)
    if found is None:
        return None
    # Baselines read the generic script for the customer's kind: they have no reason model.
    return found[0], found[1], None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--operators", type=int, default=4)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--strategies", default="workbench,random,recent,spend,oracle")
    parser.add_argument("--record", type=Path, default=None)
    args = parser.parse_args()
    settings = load_settings(path=None, env={})
    workdir = Path(tempfile.mkdtemp(prefix="simulate_"))
    try:
        base_db, truth = prepare(workdir, args.customers, args.seed, settings)
        start_day = date(2026, 11, 2)  # a Monday, the day after the generated history ends
        results = []
        for strategy in args.strategies.split(","):
            result = run(strategy, base_db, workdir, truth, settings, args.operators, args.days, args.seed, start_day)
            results.append(result)
            print(_line(result), flush=True)
        if args.record:
            _record(args, results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _line(r: Result) -> str:
    per_dial = r.contacts / r.dials if r.dials else 0.0
    return (f"{r.strategy:<10} dials {r.dials:>6}  contacts {r.contacts:>5} ({per_dial:.3f}/dial)  "
            f"reactivations {r.reactivations:>4}  revenue ¥{r.revenue:>11,}  violations {r.violations}  "
            f"[{r.seconds:.0f}s]")  # fmt: skip


def _record(args: argparse.Namespace, results: list[Result]) -> None:
    oracle = next((r for r in results if r.strategy == "oracle"), None)
    lines = [
        f"\n## Simulation ({datetime.now(UTC):%Y-%m-%d}, {machine()})\n",
        f"Command: `python scripts/simulate.py --customers {args.customers} --operators {args.operators} "
        f"--days {args.days} --seed {args.seed}`; {DIAL_MINUTES}-minute dial slots 09:00–20:00 JST from 2026-11-02.\n",
        "| strategy | dials | contacts | contacts/dial | reactivations | % of oracle | revenue | rule violations |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        share = f"{100 * r.reactivations / oracle.reactivations:.0f}%" if oracle and oracle.reactivations else "-"
        per_dial = r.contacts / r.dials if r.dials else 0.0
        lines.append(f"| {r.strategy} | {r.dials:,} | {r.contacts:,} | {per_dial:.3f} | {r.reactivations:,} | {share} | ¥{r.revenue:,} | {r.violations} |")
    with args.record.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
