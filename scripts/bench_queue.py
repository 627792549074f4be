"""Queue benchmark: rescoring time, claim latency with 1 and 20 operators, peak memory.

    python scripts/bench_import.py --customers 1000000 --workdir /tmp/bench   # builds /tmp/bench/bench.db
    python scripts/bench_queue.py --db sqlite:////tmp/bench/bench.db --attempts 3000000 --record docs/benchmarks.md
    python scripts/bench_queue.py --db postgresql+psycopg://postgres@127.0.0.1/bench --customers 100000 --record docs/benchmarks.md

With --customers N (and no existing data) it generates and imports a demo set
first.  --attempts tops contact history up to that many rows with synthetic
unanswered calls spread over the last two years, so the rules and the answer
model work on a realistic history size.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchlib import machine, peak_mib  # type: ignore[import-not-found]
from sqlalchemy import Engine, func, insert, select

from workbench.config import load_settings
from workbench.demo.generate import generate
from workbench.services.claim import claim
from workbench.services.dispose import Disposition, dispose
from workbench.services.importer import import_file
from workbench.services.scoring import rescore
from workbench.store.database import open_database
from workbench.store.models import ContactAttempt, Customer, Lease

AT = datetime(2026, 11, 4, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Wednesday morning
# No control group: the benchmark measures the queue against everyone, not the uplift.
NO_CONTROL = {"WORKBENCH_KPI_CONTROL_SHARE": "0"}


def seed(engine: Engine, customers: int) -> None:
    settings = load_settings(path=None, env=NO_CONTROL)
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(
            Path(tmp), customers=customers, seed=1, start=date(2023, 1, 1), end=date(2026, 11, 1)
        )
        for kind, path in (
            ("customers", files.customers),
            ("transactions", files.transactions),
            ("contacts", files.contacts),
        ):
            summary = import_file(engine, kind, path, settings, rejects_path=Path(tmp) / "r.csv")  # type: ignore[arg-type]
            print(f"imported {kind}: {summary.inserted:,} in {summary.seconds:.0f}s", flush=True)


def top_up_attempts(engine: Engine, target: int) -> int:
    with engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(ContactAttempt)).scalar_one()
        ids = list(conn.execute(select(Customer.id)).scalars())  # type: ignore[call-overload]
    missing = target - have
    rng = random.Random(5)
    start = datetime(2024, 11, 1, tzinfo=UTC)
    table = ContactAttempt.__table__
    with engine.begin() as conn:
        for offset in range(0, max(missing, 0), 50_000):
            rows = [
                {
                    "customer_id": rng.choice(ids),
                    "channel": "call",
                    "direction": "outbound",
                    "at": start + timedelta(minutes=rng.randrange(700 * 24 * 60)),
                    "outcome": "no_answer",
                    "operator": "bench",
                    "source": "batch",
                }  # fmt: skip
                for _ in range(min(50_000, missing - offset))
            ]
            conn.execute(insert(table), rows)
    return max(missing, 0)


def claim_latencies(
    engine: Engine, workers: int, claims_each: int
) -> tuple[list[float], list[float]]:
    """(warm claims, each operator's first claim): the first one of a process also loads and
    checks the talk-script library, which an operator's screen or the command server does once."""
    settings = load_settings(path=None, env=NO_CONTROL)
    times: list[float] = []
    firsts: list[float] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        operator = f"bench{workers:02d}_{k:02d}"
        rng = random.Random(k)
        for i in range(claims_each + 1):
            started = time.perf_counter()
            entry = claim(engine, settings, operator, AT, rng)
            elapsed = time.perf_counter() - started
            with lock:
                (times if i else firsts).append(elapsed)
            if entry is not None:
                dispose(
                    engine,
                    settings,
                    Disposition(entry.external_id, "no_answer", AT, operator, source="batch"),
                )

    threads = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, firsts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument(
        "--customers", type=int, default=0, help="generate and import this many first"
    )
    parser.add_argument(
        "--attempts", type=int, default=0, help="top contact history up to this many rows"
    )
    parser.add_argument("--claims", type=int, default=200, help="claims per operator count")
    parser.add_argument(
        "--no-rescore", action="store_true", help="measure claims on the stored scores"
    )
    parser.add_argument("--record", type=Path, default=None)
    args = parser.parse_args()
    engine = open_database(args.db, migrate=True)
    if args.customers:
        seed(engine, args.customers)
    added = top_up_attempts(engine, args.attempts) if args.attempts else 0
    with engine.connect() as conn:
        n_customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
        n_attempts = conn.execute(select(func.count()).select_from(ContactAttempt)).scalar_one()
        n_tx = conn.execute(
            select(func.count()).select_from(ContactAttempt.metadata.tables["transactions"])
        ).scalar_one()
    print(
        f"{n_customers:,} customers, {n_tx:,} transactions, {n_attempts:,} attempts ({added:,} synthetic)",
        flush=True,
    )

    settings = load_settings(path=None, env=NO_CONTROL)
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = None if args.no_rescore else rescore(engine, settings, AT)
    rescore_s, rescore_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    load_after = os.getloadavg()[0]
    if summary is not None:
        print(
            f"rescore: {rescore_s:.1f}s (CPU {rescore_cpu:.1f}s; load average {load_before:.2f} before, {load_after:.2f} after)",
            flush=True,
        )
        print(
            "  phases: "
            + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in summary.phases.items()),
            flush=True,
        )
    else:
        print("rescore: skipped", flush=True)

    figures = {}
    for workers in (1, 20):
        with engine.begin() as conn:
            conn.execute(Lease.__table__.delete())
        times, firsts = claim_latencies(engine, workers, max(1, args.claims // workers))
        figures[workers] = (
            len(times),
            percentile(times, 0.5) * 1000,
            percentile(times, 0.99) * 1000,
            statistics.mean(times) * 1000,
            max(firsts) * 1000,
        )
        print(
            f"claims with {workers} operator(s): n={len(times)} p50 {figures[workers][1]:.1f} ms, "
            f"p99 {figures[workers][2]:.1f} ms; first claim of each operator up to {figures[workers][4]:.1f} ms",
            flush=True,
        )
    own, _ = peak_mib()
    print(f"peak memory {own:,.0f} MiB")
    if args.record:
        backend = engine.dialect.name
        lines = [
            f"\n## Queue ({datetime.now(UTC):%Y-%m-%d}, {machine()}, {backend})\n",
            f"Command: `python scripts/bench_queue.py --db {args.db.split('@')[-1]} --customers {args.customers} "
            f"--attempts {args.attempts} --claims {args.claims}{' --no-rescore' if args.no_rescore else ''}`; "
            f"{n_customers:,} customers, {n_tx:,} transactions, "
            f"{n_attempts:,} contact attempts; claims at {AT.isoformat()}.\n",
        ]
        if summary is not None:
            lines.append(f"- Rescore everything (classification, MBG/NBD fit, season indices, answer model, scores): "
                         f"{rescore_s:.1f} s, {rescore_cpu:.1f} s CPU ({summary.customers:,} customers; load average "
                         f"{load_before:.2f} before, {load_after:.2f} after). Phases (wall; workers overlap): "
                         + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.phases.items()) + ".")  # fmt: skip
        for workers, (n, p50, p99, mean, first) in figures.items():
            lines.append(
                f"- `claim` with {workers} concurrent operator(s): {n} claims after each operator's first, "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, mean {mean:.1f} ms; the first claims up to {first:.1f} ms."
            )
        lines.append(f"- Peak resident memory: {own:,.0f} MiB.\n")
        with args.record.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
