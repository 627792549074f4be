"""Real-data benchmark: does the queue's order predict who spends, on CDNOW's real purchases?

    python scripts/bench_cdnow.py                        # all purchases imported, queue read in the past
    python scripts/bench_cdnow.py --calibration-only     # only purchases before 1997-10-01 imported
    python scripts/bench_cdnow.py --record docs/benchmarks.md

CDNOW (`/work/shared/data/cdnow/CDNOW_master.txt`, or `tests/data/` as a fallback): 23,570
customers who first bought in 1997 Q1, every purchase to 1998-06-30. The script writes them as a
workbench export (customers: kind b2c, a synthetic Tokyo fixed-line number 03-3xxx-xxxx and a name
each; transactions: every purchase, amount = dollars × 100 rounded to whole yen, dated at 12:00 JST
of its day since CDNOW records only the day), imports both with the product's importer into a
fresh SQLite database, and reads the queue through the CLI at 1997-10-01 10:00 JST with no
operator (`workbench queue --at … --limit 100000 --json`), config `scoring.deadline_reset_months
= 0` (CDNOW has no loyalty discount).

Measured over the customers the queue returns (set S, in queue order):

- truth: each customer's real spend in the 39 weeks from 1997-10-01 (1997-10-01 … 1998-06-30);
- top-decile capture: the share of S's future spend held by the first ceil(|S|/10) of an order;
- Spearman: rank correlation between an order's priority (first = highest) and future spend;
- the same for "most recently lapsed first" (last purchase before 1997-10-01, latest first) and a
  reference order fitted here on the calibration period: BG/NBD expected transactions in 39 weeks
  × Gamma-Gamma conditional expected spend (day-merged transactions, weeks, T to 1997-09-30);
- the value check: the largest `components.value` against the largest real annualised spend of
  any customer (39-week spend × 52/39), which must stay under 3×.

Purchases after 1997-10-01 are in the database (unless --calibration-only) and the queue must not
see them: `customers --at … --json` is read too and any last order after `--at` is counted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from benchlib import machine  # type: ignore[import-not-found]
from scipy.stats import spearmanr

import workbench
from workbench.domain.bgnbd import expected_transactions, fit_bgnbd, group_triples
from workbench.domain.gamma_gamma import conditional_expected_spend, fit_gamma_gamma

ROOT = Path(workbench.__file__).resolve().parents[1]
SOURCES = (
    Path("/work/shared/data/cdnow/CDNOW_master.txt"),
    ROOT / "tests" / "data" / "CDNOW_master.txt",
)
AT = "1997-10-01T10:00:00+09:00"
SPLIT = np.datetime64("1997-10-01")  # first holdout day
HORIZON_DAYS = 273  # 39 weeks
SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水".split()
GIVEN = (
    "翔太 陽菜 大輔 美咲 健太 結衣 拓也 葵 直樹 真央 翼 愛 誠 彩 亮 優子 隆 恵 浩二 由美".split()
)


@dataclass(frozen=True)
class Purchases:
    customer: np.ndarray  # CDNOW customer number
    day: np.ndarray  # datetime64[D]
    dollars: np.ndarray
    yen: np.ndarray  # dollars × 100, rounded to whole yen


def load(path: Path) -> Purchases:
    data = np.loadtxt(path, skiprows=1, usecols=(0, 1, 3))
    stamp = data[:, 1].astype(np.int64)
    years = (stamp // 10000 - 1970).astype("datetime64[Y]")
    months = (years.astype("datetime64[M]") + (stamp // 100 % 100 - 1)).astype("datetime64[D]")
    dollars = data[:, 2]
    yen = np.rint(dollars * 100).astype(np.int64)
    return Purchases(data[:, 0].astype(np.int64), months + (stamp % 100 - 1), dollars, yen)


def external_id(number: int) -> str:
    return f"CD{number:05d}"


def write_export(
    purchases: Purchases, folder: Path, calibration_only: bool
) -> tuple[Path, Path, int]:
    ids, first = np.unique(purchases.customer, return_index=True)
    customers = folder / "customers.csv"
    with customers.open("w", encoding="utf-8", newline="") as fh:
        fh.write("customer_id,name,kind,phone,created_at\n")
        for k, (number, i) in enumerate(zip(ids.tolist(), first.tolist(), strict=True)):
            name = f"{SURNAMES[k % len(SURNAMES)]} {GIVEN[k // len(SURNAMES) % len(GIVEN)]}"
            phone = f"03-{3000 + k // 10000}-{k % 10000:04d}"
            fh.write(f"{external_id(number)},{name},b2c,{phone},{purchases.day[i]}T12:00:00\n")
    keep = purchases.day < SPLIT if calibration_only else np.ones(len(purchases.day), dtype=bool)
    transactions = folder / "transactions.csv"
    with transactions.open("w", encoding="utf-8", newline="") as fh:
        # An explicit id per line: CDNOW has identical purchase lines on one day, all real.
        fh.write("customer_id,ordered_at,amount,category,transaction_id\n")
        for line in np.flatnonzero(keep).tolist():
            fh.write(
                f"{external_id(int(purchases.customer[line]))},{purchases.day[line]}T12:00:00,"
                f"{int(purchases.yen[line])},music,L{line + 2}\n"
            )
    return customers, transactions, int(keep.sum())


def workbench_cli(db: str, config: Path, *args: str) -> str:
    entry = "from workbench.cli import main; main()"
    command = [sys.executable, "-c", entry, "--db", db, "--config", str(config), *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=os.environ.copy())
    if done.returncode != 0:
        tail = done.stderr[-4000:]
        raise SystemExit(f"workbench {' '.join(args)} failed ({done.returncode}):\n{tail}")
    return done.stdout


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Calibration:
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    mean_spend: np.ndarray
    last_day: np.ndarray


def calibration_summary(purchases: Purchases, ids: np.ndarray) -> Calibration:
    """Per customer of `ids`: day-merged repeat transactions, weeks, mean repeat spend (yen)."""
    keep = purchases.day < SPLIT
    days = np.stack([purchases.customer[keep], purchases.day[keep].astype(np.int64)], axis=1)
    pairs, where = np.unique(days, axis=0, return_inverse=True)
    yen = purchases.yen[keep].astype(np.float64)
    totals = np.bincount(where.ravel(), weights=yen, minlength=len(pairs))
    numbers, start, count = np.unique(pairs[:, 0], return_index=True, return_counts=True)
    if not np.array_equal(numbers, ids):
        raise SystemExit("every CDNOW customer should have bought before 1997-10-01")
    first, last = pairs[start, 1], pairs[start + count - 1, 1]
    x = (count - 1).astype(np.float64)
    repeat = np.add.reduceat(totals, start) - totals[start]
    end = (SPLIT - 1).astype(np.int64)
    mean_spend = np.where(x > 0, repeat / np.maximum(x, 1), 0.0)
    return Calibration(x, (last - first) / 7.0, (end - first) / 7.0, mean_spend, last)


def reference_values(cal: Calibration) -> tuple[np.ndarray, str]:
    g = group_triples(cal.x, cal.t_x, cal.T)
    bg = fit_bgnbd(g.x, g.t_x, g.T, weights=g.weights)
    buyers = (cal.x > 0) & (cal.mean_spend > 0)
    gg = fit_gamma_gamma(cal.x[buyers], cal.mean_spend[buyers])
    transactions = expected_transactions(bg, HORIZON_DAYS / 7, cal.x, cal.t_x, cal.T)
    value = transactions * conditional_expected_spend(gg, cal.x, cal.mean_spend)
    fitted = (
        f"BG/NBD r {bg.r:.3f}, α {bg.alpha:.3f}, a {bg.a:.3f}, b {bg.b:.3f}; "
        f"Gamma-Gamma p {gg.p:.2f}, q {gg.q:.2f}, v ¥{gg.v:,.0f} (= ${gg.v / 100:.2f})"
    )
    return value, fitted


def top_decile_capture(order: np.ndarray, truth: np.ndarray) -> float:
    """Share of the set's future spend held by the first ceil(n/10) of `order` (indices)."""
    k = math.ceil(len(order) / 10)
    return float(truth[order[:k]].sum() / truth.sum())


def spearman(priority: np.ndarray, truth: np.ndarray) -> float:
    """Spearman's ρ of priority (higher = earlier in the order, ties allowed) and future spend."""
    return float(spearmanr(priority, truth).statistic)


@dataclass
class Figures:
    customers: int
    imported: int
    queue: list[dict[str, Any]]
    queue_seconds: float
    listed: int
    leaks: int  # customers listed at --at with a last order at or after it
    fitted: str = ""
    rows: dict[str, tuple[float, float]] = field(default_factory=dict)  # order: capture, Spearman
    set_future: float = 0.0
    buyers_later: int = 0
    max_value: float = 0.0
    max_annualised: float = 0.0
    low_alive_top100: int = 0
    top: list[tuple[dict[str, Any], float]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.max_value / self.max_annualised

    @property
    def states(self) -> str:
        counts = Counter(str(e["state"]) for e in self.queue)
        return ", ".join(f"{n:,} {state}" for state, n in sorted(counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=None, help="CDNOW_master.txt")
    parser.add_argument(
        "--calibration-only", action="store_true", help="import only purchases before 1997-10-01"
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep the export and database here"
    )
    parser.add_argument("--record", type=Path, default=None, help="append a section to this file")
    parser.add_argument("--label", default="", help="what code was measured, for --record")
    args = parser.parse_args()
    source = args.data or next((p for p in SOURCES if p.exists()), SOURCES[0])
    purchases = load(source)
    ids = np.unique(purchases.customer)
    print(f"{source}: {len(ids):,} customers, {len(purchases.day):,} purchases", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workdir or Path(tmp)
        figures = run_product(purchases, ids, folder, args.calibration_only)
    measure(purchases, ids, figures)
    report(figures)
    if args.record:
        record(args, figures)


def run_product(
    purchases: Purchases, ids: np.ndarray, folder: Path, calibration_only: bool
) -> Figures:
    """Export, import into a fresh SQLite database and read the queue, all through the CLI."""
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "cdnow.db"
    db_path.unlink(missing_ok=True)
    db = f"sqlite:///{db_path}"
    config = folder / "workbench.toml"
    talkscripts = json.dumps(str(ROOT / "talkscripts"))
    # No control group (kpi.control_share = 0): the benchmark measures the order, not the uplift.
    config.write_text(
        f"talkscripts_dir = {talkscripts}\n[scoring]\ndeadline_reset_months = 0\n"
        "[kpi]\ncontrol_share = 0\n",
        encoding="utf-8",
    )
    customers_csv, transactions_csv, imported = write_export(purchases, folder, calibration_only)
    for kind, path in (("customers", customers_csv), ("transactions", transactions_csv)):
        started = time.perf_counter()
        summary = json_lines(workbench_cli(db, config, "import", kind, str(path), "--json"))[-1]
        print(f"import {kind}: {summary['inserted']:,} inserted, {summary['rejected']} rejected "
              f"({time.perf_counter() - started:.1f} s)", flush=True)  # fmt: skip
        if summary["rejected"]:
            where = summary["rejects_path"]
            raise SystemExit(f"{summary['rejected']} {kind} rows rejected: see {where}")
    started = time.perf_counter()
    queue = json_lines(
        workbench_cli(db, config, "queue", "--at", AT, "--limit", "100000", "--json")
    )
    seconds = time.perf_counter() - started
    listed = json_lines(
        workbench_cli(db, config, "customers", "--at", AT, "--limit", "100000", "--json")
    )
    at = datetime.fromisoformat(AT)
    leaks = sum(
        1
        for c in listed
        if c.get("last_order_at") and datetime.fromisoformat(c["last_order_at"]) >= at
    )
    return Figures(len(ids), imported, queue, seconds, len(listed), leaks)


def measure(purchases: Purchases, ids: np.ndarray, f: Figures) -> None:
    later = (purchases.day >= SPLIT) & (purchases.day < SPLIT + HORIZON_DAYS)
    index = np.searchsorted(ids, purchases.customer)
    yen = purchases.yen[later].astype(np.float64)
    future = np.bincount(index[later], weights=yen, minlength=len(ids))
    cal = calibration_summary(purchases, ids)
    reference, f.fitted = reference_values(cal)
    numbers = np.array([int(str(e["customer_id"])[2:]) for e in f.queue], dtype=np.int64)
    members = np.searchsorted(ids, numbers)  # queue order
    if len(set(numbers.tolist())) != len(numbers) or not np.array_equal(ids[members], numbers):
        raise SystemExit("the queue returned customers that are not in CDNOW, or one twice")
    truth = future[members]
    position = np.arange(len(members))
    last_day = cal.last_day[members]
    orders = {
        "workbench queue": (position, -position.astype(np.float64)),
        "most recently lapsed first": (
            np.lexsort((numbers, -last_day)),
            last_day.astype(np.float64),
        ),
        "BG/NBD × Gamma-Gamma (reference)": (
            np.lexsort((numbers, -reference[members])),
            reference[members],
        ),
    }
    for name, (order, priority) in orders.items():
        f.rows[name] = (top_decile_capture(order, truth), spearman(priority, truth))
    values = np.array([float(e["components"]["value"]) for e in f.queue])
    p_alive = np.array([float(e["components"]["p_alive"]) for e in f.queue])
    f.set_future, f.buyers_later = float(truth.sum()), int((truth > 0).sum())
    f.max_value = float(values.max()) if len(values) else 0.0
    f.max_annualised = float(future.max()) * 52 / 39
    f.low_alive_top100 = int((p_alive[:100] < 0.05).sum())
    f.top = [(e, float(t)) for e, t in zip(f.queue[:5], truth[:5], strict=False)]


def report(f: Figures) -> None:
    print(f"queue at {AT}: {len(f.queue):,} of {f.customers:,} customers ({f.states}) "
          f"in {f.queue_seconds:.1f} s")  # fmt: skip
    print(f"customers --at {AT}: {f.listed:,} listed, {f.leaks} with a last order at or after --at")
    print(f"their future spend (39 weeks): ¥{f.set_future:,.0f}; {f.buyers_later:,} bought again")
    print(f"reference fit: {f.fitted}")
    for name, (capture, rho) in f.rows.items():
        print(f"  {name:34s} top-decile capture {capture:6.1%}   Spearman {rho:+.3f}")
    verdict = "ok" if f.ratio <= 3 else "ABOVE 3×"
    print(f"largest components.value ¥{f.max_value:,.0f} = {f.ratio:.2f}× the largest real "
          f"annualised spend ¥{f.max_annualised:,.0f} ({verdict})")  # fmt: skip
    nothing = sum(1 for _, spend in f.top if spend == 0)
    print(f"top 100 with p_alive < 0.05: {f.low_alive_top100}; top 5 who spent nothing: {nothing}")
    print("top 5 of the queue:")
    for entry, spend in f.top:
        parts = ", ".join(
            f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
            for k, v in entry["components"].items()
        )
        print(
            f"  {entry['customer_id']} {entry['state']}: {parts}; real future spend ¥{spend:,.0f}"
        )


def record(args: argparse.Namespace, f: Figures) -> None:
    command = "python scripts/bench_cdnow.py" + (
        " --calibration-only" if args.calibration_only else ""
    )
    scope = "calibration only" if args.calibration_only else "all, holdout included"
    nothing = sum(1 for _, spend in f.top if spend == 0)
    lines = [
        f"\n## CDNOW: queue order against real future spend ({datetime.now(UTC):%Y-%m-%d}, {machine()})\n",
        f"Command: `{command}`{f' ({args.label})' if args.label else ''}; {f.customers:,} customers, {f.imported:,} purchases imported ({scope}); "
        f"`queue --at {AT} --limit 100000 --json` returned {len(f.queue):,} customers ({f.states}) in "
        f"{f.queue_seconds:.1f} s; truth = each one's spend in the 39 weeks from 1997-10-01 "
        f"(¥{f.set_future:,.0f}, {f.buyers_later:,} buyers). Reference fitted on the calibration "
        f"period: {f.fitted}.\n",
        "| order | top-decile capture | Spearman ρ |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {name} | {capture:.1%} | {rho:+.3f} |" for name, (capture, rho) in f.rows.items()]
    lines.append(
        f"\nLargest `components.value` {f.ratio:.2f}× the largest real annualised spend (limit 3×); "
        f"top 100 with p_alive < 0.05: {f.low_alive_top100}; top 5 who spent nothing afterwards: "
        f"{nothing}; customers listed with a last order after `--at`: {f.leaks}.\n"
    )
    with args.record.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
