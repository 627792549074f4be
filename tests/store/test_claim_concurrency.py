"""Claims and dispositions under concurrency, on SQLite and PostgreSQL.

20 worker processes (like 20 operators' workbenches), each with its own engine, make
2,000 claims at the same instant against 2,500 dormant callable customers
(`WORKBENCH_TEST_CLAIMS=10000` for the scale recorded in docs/benchmarks.md: the
writers' contention is the same, only longer).  Claims without a disposition
accumulate leases, so every claim must lease a customer no one else holds: zero
duplicates.  Then 20 workers dispose every claimed customer (no_answer, by the
operator who claimed it): exactly one new attempt per claim, none lost, and no lease left.

Each claim is made by its own operator id: an operator who already holds a lease gets
that lease back from `claim`, so one operator per claim is what makes every claim a new
lease.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import random
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from workbench.config import Settings
from workbench.services.claim import claim
from workbench.services.dispose import Disposition, dispose
from workbench.services.importer import import_file
from workbench.services.scoring import rescore
from workbench.store.engine import make_engine
from workbench.store.models import Callback, ContactAttempt, Lease

pytestmark = pytest.mark.slow  # minutes, not seconds: see the timings printed with -s

JST = ZoneInfo("Asia/Tokyo")
WORKERS = 20
CLAIMS = max(WORKERS, int(os.environ.get("WORKBENCH_TEST_CLAIMS", "2000")) // WORKERS * WORKERS)
CUSTOMERS = CLAIMS + 500
PER_WORKER = CLAIMS // WORKERS
SCORED_AT = datetime(2026, 11, 24, 7, 0, tzinfo=JST)
AT = datetime(2026, 11, 24, 10, 0, tzinfo=JST)  # a Tuesday, inside the 09:00–20:00 window
TIMINGS: dict[str, float] = {}


def _generate(folder: Path) -> tuple[Path, Path]:
    """CUSTOMERS customers with 1–3 orders at irregular dates, the last before 2026-05-20."""
    rng = random.Random(20261124)
    first_day, last_day = date(2023, 1, 1), date(2026, 5, 20)
    span = (last_day - first_day).days
    customers, transactions = folder / "customers.csv", folder / "transactions.csv"
    with customers.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["customer_id", "name", "kind", "phone"])
        for i in range(CUSTOMERS):
            out.writerow(
                [f"K{i:06d}", f"顧客 {i}", "b2c", f"090-{4000 + i // 10000:04d}-{i % 10000:04d}"]
            )
    with transactions.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["customer_id", "ordered_at", "amount", "category"])
        for i in range(CUSTOMERS):
            for offset in sorted(rng.sample(range(span), rng.choice((1, 1, 2, 3)))):
                day = first_day + timedelta(days=offset)
                out.writerow(
                    [
                        f"K{i:06d}",
                        f"{day.isoformat()}T{rng.randrange(9, 21):02d}:00+09:00",
                        rng.randrange(1000, 50000),
                        "food",
                    ]
                )
    return customers, transactions


def _count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


# --- the workers: separate processes, like operators' workbenches --------------------------

Outcome = tuple[str, str | None, str | None]  # operator, customer claimed, error


def _claimer(db_url: str, settings: Settings, worker: int, gate, out) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    rows: list[Outcome] = []
    gate.wait()
    began = time.time()
    for n in range(PER_WORKER):
        operator = f"w{worker:02d}-{n:04d}"
        try:
            entry = claim(engine, settings, operator, AT)
            rows.append((operator, entry.external_id if entry is not None else None, None))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            rows.append((operator, None, f"{type(exc).__name__}: {exc}"))
    out.put((began, time.time(), rows))
    engine.dispose()


def _disposer(db_url: str, settings: Settings, chunk: list[tuple[str, str]], gate, out) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    rows: list[Outcome] = []
    gate.wait()
    began = time.time()
    for operator, customer in chunk:
        try:
            dispose(
                engine,
                settings,
                Disposition(customer, "no_answer", AT + timedelta(minutes=3), operator=operator),
            )
            rows.append((operator, customer, None))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            rows.append((operator, customer, f"{type(exc).__name__}: {exc}"))
    out.put((began, time.time(), rows))
    engine.dispose()


def _run(target, args_per_worker: list[tuple]) -> tuple[float, list[Outcome]]:  # type: ignore[no-untyped-def,type-arg]
    """Start one process per argument tuple, release them together, collect their rows."""
    ctx = multiprocessing.get_context("spawn")
    gate, out = ctx.Barrier(len(args_per_worker)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, gate, out)) for args in args_per_worker]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    began, ended = min(r[0] for r in results), max(r[1] for r in results)
    return ended - began, [row for r in results for row in r[2]]


def test_concurrent_claims_and_dispositions(
    db_url: str, settings: Settings, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    started = time.perf_counter()
    customers, transactions = _generate(tmp_path)
    for kind, path in (("customers", customers), ("transactions", transactions)):
        summary = import_file(engine, kind, path, settings, now=SCORED_AT)  # type: ignore[arg-type]
        assert summary.rejected == 0 and summary.inserted >= CUSTOMERS
    scoring = rescore(engine, settings, SCORED_AT)
    assert scoring.states == {"dormant": CUSTOMERS}
    TIMINGS["setup"] = time.perf_counter() - started

    # --- 20 workers x CLAIMS / 20 claims, all at the same instant ----------------------------------
    TIMINGS["claims"], claims = _run(_claimer, [(db_url, settings, w) for w in range(WORKERS)])
    print(f"\n[{engine.dialect.name}] claims: {TIMINGS['claims']:.1f}s")
    assert len(claims) == CLAIMS
    errors = [f"{op}: {err}" for op, _, err in claims if err]
    assert errors == [], f"{len(errors)} claims raised, first: {errors[:3]}"
    got = [(op, customer) for op, customer, _ in claims if customer is not None]
    duplicates = {c: n for c, n in Counter(customer for _, customer in got).items() if n > 1}
    assert duplicates == {}
    with engine.connect() as conn:
        leases = dict(conn.execute(select(Lease.operator, Lease.customer_id)).all())
    assert len(leases) == len(got)
    assert set(leases) == {op for op, _ in got}
    nothing = [op for op, customer, _ in claims if customer is None]  # asserted at the end

    # --- 20 workers dispose every claimed customer, as its claimer -------------------------
    attempts_before = _count(engine, ContactAttempt)
    TIMINGS["dispositions"], disposed = _run(
        _disposer, [(db_url, settings, got[w::WORKERS]) for w in range(WORKERS)]
    )
    print(f"[{engine.dialect.name}] dispositions: {TIMINGS['dispositions']:.1f}s")
    errors = [f"{customer} by {op}: {err}" for op, customer, err in disposed if err]
    assert errors == [], f"{len(errors)} dispositions failed, first: {errors[:3]}"
    assert len(disposed) == len(got)
    assert _count(engine, ContactAttempt) - attempts_before == len(got)
    with engine.connect() as conn:
        per_customer = conn.execute(
            select(func.count(func.distinct(ContactAttempt.customer_id))).where(
                ContactAttempt.outcome == "no_answer"
            )
        ).scalar_one()
        operators = set(conn.execute(select(ContactAttempt.operator)).scalars())
    assert per_customer == len(got)
    assert operators == {op for op, _ in got}
    assert _count(engine, Lease) == 0
    assert _count(engine, Callback) == 0
    engine.dispose()
    print(f"[{engine.dialect.name}] " + ", ".join(f"{k} {v:.1f}s" for k, v in TIMINGS.items()))
    # Every claim must have found someone: 500 more customers than claims were callable.
    assert not nothing, (
        f"{len(nothing)} of {CLAIMS} claims found nothing to call, e.g. {nothing[:3]}"
    )
    assert len(got) == CLAIMS


CYCLES = 15  # claim, then call and record a no-answer, per worker and round


def _caller(db_url: str, settings: Settings, worker: int, gate, out) -> None:  # type: ignore[no-untyped-def]
    """One operator working: claim, record the call's no-answer, claim the next."""
    engine = make_engine(db_url)
    rows: list[Outcome] = []
    operator = f"c{worker:02d}"
    gate.wait()
    began = time.time()
    for _ in range(CYCLES):
        try:
            entry = claim(engine, settings, operator, AT)
            if entry is None:
                rows.append((operator, None, None))
                continue
            dispose(engine, settings, Disposition(entry.external_id, "no_answer", AT, operator))
            rows.append((operator, entry.external_id, None))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            rows.append((operator, None, f"{type(exc).__name__}: {exc}"))
    out.put((began, time.time(), rows))
    engine.dispose()


def test_operators_claiming_and_recording_at_once_never_get_a_customer_just_called(
    db_url: str, settings: Settings, tmp_path: Path
) -> None:
    """20 operators claim and record at the same instant: a customer one of them has just called
    (their no-answer committed, their lease gone) is held by the retry gap, so no other claim may
    hand them out; and a disposition never deadlocks against a claim."""
    engine = make_engine(db_url)
    customers, transactions = _generate(tmp_path)
    for kind, path in (("customers", customers), ("transactions", transactions)):
        import_file(engine, kind, path, settings, now=SCORED_AT)  # type: ignore[arg-type]
    rescore(engine, settings, SCORED_AT)

    seconds, calls = _run(_caller, [(db_url, settings, w) for w in range(WORKERS)])
    print(f"\n[{engine.dialect.name}] {len(calls)} claim-and-record cycles: {seconds:.1f}s")
    errors = [f"{op}: {err}" for op, _, err in calls if err]
    assert errors == [], f"{len(errors)} cycles failed, first: {errors[:3]}"
    called = [customer for _, customer, _ in calls if customer is not None]
    assert len(called) == WORKERS * CYCLES  # 2,500 callable customers: nobody ran dry
    assert {c: n for c, n in Counter(called).items() if n > 1} == {}
    with engine.connect() as conn:
        per_customer = conn.execute(
            select(ContactAttempt.customer_id, func.count())
            .where(ContactAttempt.at == AT)
            .group_by(ContactAttempt.customer_id)
            .having(func.count() > 1)
        ).all()
    assert per_customer == []
    assert _count(engine, ContactAttempt) == len(called)
    assert _count(engine, Lease) == 0
    engine.dispose()
