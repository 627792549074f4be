"""Import benchmark: generate the large demo set, time each import and the classification.

    python scripts/bench_import.py --customers 1000000 --record docs/benchmarks.md

Prints rows/s and peak memory (this process and its worker processes) and,
with --record, appends the figures with the date and machine to the file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from benchlib import machine, peak_mib  # type: ignore[import-not-found]

from workbench.config import load_settings
from workbench.demo.generate import generate
from workbench.services.customers import classify_all
from workbench.services.importer import import_file
from workbench.store.database import open_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep generated files and database here"
    )
    parser.add_argument(
        "--record", type=Path, default=None, help="append the figures to this Markdown file"
    )
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_import_"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    settings = load_settings(path=None, env={})
    today = date(2026, 11, 1)

    started = time.perf_counter()
    # The default span (2023-01 to 2026-11) gives ~10 orders per customer: 10M rows for 1M customers.
    files = generate(
        workdir, customers=args.customers, seed=args.seed, start=date(2023, 1, 1), end=today
    )
    generated = time.perf_counter() - started
    print(f"generated {files} in {generated:.1f}s", flush=True)

    engine = open_database(f"sqlite:///{db_path}")
    results = []
    for kind, path in (
        ("customers", files.customers),
        ("transactions", files.transactions),
        ("contacts", files.contacts),
    ):
        summary = import_file(
            engine, kind, path, settings, rejects_path=workdir / f"{kind}.rejects.csv"
        )  # type: ignore[arg-type]
        rate = summary.rows / summary.seconds
        results.append(
            (kind, summary.rows, summary.inserted, summary.rejected, summary.seconds, rate)
        )
        print(f"{kind}: {summary.rows:,} rows in {summary.seconds:.1f}s = {rate:,.0f} rows/s "
              f"({summary.inserted:,} new, {summary.rejected:,} rejected)", flush=True)  # fmt: skip

    again = import_file(
        engine,
        "transactions",
        files.transactions,
        settings,
        rejects_path=workdir / "again.rejects.csv",
    )
    print(
        f"re-import transactions: {again.inserted} new, {again.unchanged:,} unchanged in {again.seconds:.1f}s",
        flush=True,
    )

    started = time.perf_counter()
    classified = classify_all(engine, settings, datetime(2026, 11, 1, tzinfo=UTC))
    classify_s = time.perf_counter() - started
    states: dict[str, int] = {}
    for c in classified:
        states[c.state] = states.get(c.state, 0) + 1
    print(f"classified {len(classified):,} customers in {classify_s:.1f}s: {states}", flush=True)
    own, children = peak_mib()
    print(f"peak memory: main {own:,.0f} MiB, largest worker {children:,.0f} MiB")

    if args.record:
        _record(args, results, again.seconds, classify_s, states, own, children, generated)
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


def _record(args, results, again_s, classify_s, states, own, children, generated) -> None:  # type: ignore[no-untyped-def]
    lines = [
        f"\n## Import ({datetime.now(UTC):%Y-%m-%d}, {machine()}, SQLite)\n",
        f"Command: `python scripts/bench_import.py --customers {args.customers} --seed {args.seed}`; "
        f"demo data generated in {generated:.0f} s.\n",
        "| file | rows | new | rejected | seconds | rows/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, rows, inserted, rejected, seconds, rate in results:
        lines.append(
            f"| {kind} | {rows:,} | {inserted:,} | {rejected:,} | {seconds:.1f} | {rate:,.0f} |"
        )
    lines += [
        "",
        f"- Re-importing the transactions file (nothing new): {again_s:.1f} s.",
        f"- Lifecycle classification and RFM of all customers: {classify_s:.1f} s ({states}).",
        f"- Peak resident memory: main process {own:,.0f} MiB, largest child {children:,.0f} MiB "
        "(a spawned worker counts the parent's pages it shares between fork and exec).",
        f"- Load average when the imports ended (other work on the machine): {os.getloadavg()[0]:.2f}.",
        "",
    ]
    with args.record.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
