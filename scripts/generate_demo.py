"""Write the demo CSV files (customers, transactions, contacts, truth).

python scripts/generate_demo.py --customers 100000 --seed 1 --out data/demo
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

# Allow running from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.demo.generate import (
    DEFAULT_END,
    DEFAULT_MALFORMED_RATE,
    DEFAULT_START,
    MAX_CUSTOMERS,
    generate,
)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Generate deterministic demo data for the workbench."
    )
    parser.add_argument(
        "--customers", type=int, required=True, help=f"number of customers (1 … {MAX_CUSTOMERS:,})"
    )
    parser.add_argument(
        "--seed",
        type=int,
        required=True,
        help="random seed; same seed and size give identical files",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="output directory (created if missing)"
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=DEFAULT_START,
        help="first day of history (YYYY-MM-DD)",
    )
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=DEFAULT_END,
        help="as-of date, exclusive (YYYY-MM-DD)",
    )
    parser.add_argument(
        "--malformed-rate",
        type=float,
        default=DEFAULT_MALFORMED_RATE,
        help="share of deliberately broken customer rows (0 for a clean file)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    started = time.perf_counter()
    try:
        files = generate(
            args.out,
            args.customers,
            args.seed,
            args.start,
            args.end,
            malformed_rate=args.malformed_rate,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    print(f"customers.csv     {files.customer_rows:>12,} rows ({files.malformed_rows:,} malformed)")
    print(f"transactions.csv  {files.transaction_rows:>12,} rows")
    print(f"contacts.csv      {files.contact_rows:>12,} rows")
    print(f"truth.csv         {files.truth_rows:>12,} rows")
    print(f"written to {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
