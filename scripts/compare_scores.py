"""Rescore a copy of a database and check that every stored score equals a reference run's.

    python scripts/compare_scores.py dump --db /tmp/bench100k/pristine.db --out /tmp/before.pkl
    python scripts/compare_scores.py dump --db /tmp/bench100k/pristine.db --out /tmp/after.pkl
    python scripts/compare_scores.py diff /tmp/before.pkl /tmp/after.pkl

`dump` copies the SQLite file (the original is never written), rescores the copy at the
queue benchmark's instant (twice: a first run that fits every model, then a second that
reuses the fresh fits and counts only new attempts into the tally) and pickles every
`queue_scores` row and `model_state` value of both runs (the control group drawn from one fixed
seed, stored in the copy when it has none).  Run it once with the code before
a change (e.g. `PYTHONPATH=<worktree of the old commit>`) and once after; `diff` reports
rows that differ beyond float rounding and exits non-zero if any do.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

AT = datetime(2026, 11, 4, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # bench_queue's instant
REL_TOL = 1e-9
ABS_TOL = 1e-9


def dump(db: Path, out: Path, at: datetime) -> None:
    from sqlalchemy import select

    import workbench
    from workbench.config import load_settings
    from workbench.services.scoring import rescore
    from workbench.store.database import open_database
    from workbench.store.models import ModelState, QueueScore

    print(f"code from {Path(workbench.__file__).parent}", flush=True)
    settings = load_settings(path=None, env={})
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copyfile(db, copy)
        engine = open_database(f"sqlite:///{copy}", migrate=True)
        _fix_control_seed(engine)
        for label in ("first", "second"):
            started = time.perf_counter()
            rescore(engine, settings, at)
            print(f"{label} rescore: {time.perf_counter() - started:.1f}s", flush=True)
            with engine.connect() as conn:
                table = QueueScore.__table__
                columns = [c.name for c in table.columns]
                rows = [tuple(r) for r in conn.execute(select(table).order_by(table.c.customer_id))]
                state = {
                    k: json.loads(v)
                    for k, v in conn.execute(select(ModelState.key, ModelState.value))
                }  # type: ignore[call-overload]
            runs.append({"columns": columns, "rows": rows, "state": state})
        engine.dispose()
    out.write_bytes(pickle.dumps(runs))


CONTROL_SEED = 20261202  # both runs draw the same control group (else each copy draws its own seed)


def _fix_control_seed(engine) -> None:  # type: ignore[no-untyped-def]
    """Store a fixed control-group seed in the copy, where the code has a control group and none is stored."""
    from datetime import UTC

    from sqlalchemy import insert, select

    from workbench.store.models import ModelState

    try:
        from workbench.services.control_group import CONTROL_KEY
    except ImportError:  # code from before the control group
        return
    table = ModelState.__table__
    with engine.begin() as conn:
        if conn.execute(select(table.c.key).where(table.c.key == CONTROL_KEY)).first() is None:
            conn.execute(insert(table).values(key=CONTROL_KEY, value=json.dumps({"seed": CONTROL_SEED}),
                                              fitted_at=datetime.now(UTC)))  # fmt: skip


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        fa, fb = float(a), float(b)  # type: ignore[arg-type]
        return (math.isnan(fa) and math.isnan(fb)) or math.isclose(
            fa, fb, rel_tol=REL_TOL, abs_tol=ABS_TOL
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def diff(before: Path, after: Path, show: int = 10) -> int:
    old_runs, new_runs = pickle.loads(before.read_bytes()), pickle.loads(after.read_bytes())
    bad = 0
    for label, old, new in zip(("first", "second"), old_runs, new_runs, strict=True):
        columns = old["columns"]
        if columns != new["columns"]:
            print(f"{label}: columns differ: {columns} vs {new['columns']}")
            return 1
        if len(old["rows"]) != len(new["rows"]):
            print(f"{label}: {len(old['rows'])} rows before, {len(new['rows'])} after")
            bad += 1
        per_column: dict[str, int] = {}
        shown = 0
        for a, b in zip(old["rows"], new["rows"]):
            for name, x, y in zip(columns, a, b, strict=True):
                if not _same(x, y):
                    per_column[name] = per_column.get(name, 0) + 1
                    if shown < show:
                        print(f"{label}: customer {a[0]} {name}: {x!r} → {y!r}")
                        shown += 1
        for key in sorted(old["state"].keys() | new["state"].keys()):
            if not _same(old["state"].get(key), new["state"].get(key)):
                print(f"{label}: model_state {key!r} differs")
                bad += 1
        print(
            f"{label}: {len(old['rows']):,} rows compared, differing per column: {per_column or 'none'}"
        )
        bad += sum(per_column.values())
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--db", type=Path, required=True, help="SQLite file to copy and rescore")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--at", type=datetime.fromisoformat, default=AT)
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.db, args.out, args.at)
        return 0
    return diff(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
