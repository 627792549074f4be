"""Seeding the demo data set: generate CSVs into a temporary folder and import them."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from workbench.config import Settings
from workbench.messages import say
from workbench.services.control_group import adopt_seed
from workbench.services.importer import ImportKind, import_file
from workbench.store.models import Customer, Operator

DEMO_OPERATORS = [(f"op{i:02d}", name) for i, name in enumerate(
    ["山田 太郎", "鈴木 一郎", "高橋 美咲", "田中 健", "伊藤 優子", "渡辺 翔", "中村 彩", "小林 誠"], start=1
)]  # fmt: skip


class DemoRefused(ValueError):
    """Demo customers would be mixed into real ones (and nothing removes them afterwards)."""

    def __init__(self, held: int) -> None:
        super().__init__(say("cmd.demo_refused", held=held))
        self.held = held


def customer_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Customer)).scalar_one())


def is_empty(engine: Engine) -> bool:
    return customer_count(engine) == 0


def ensure_demo_data(
    engine: Engine, settings: Settings, announce: Callable[[str], None] = print
) -> bool:
    """Load the demo set when the database has no customers; returns whether it did."""
    if not is_empty(engine):
        return False
    load_demo(engine, settings, customers=2000, seed=7, announce=announce)
    return True


def load_demo(
    engine: Engine,
    settings: Settings,
    customers: int,
    seed: int,
    announce: Callable[[str], None] = print,
    today: date | None = None,
    force: bool = False,
) -> None:
    """Generate and import the demo set; a database that holds customers is refused unless `force`."""
    from workbench.demo.generate import generate

    held = customer_count(engine)
    if held and not force:
        raise DemoRefused(held)

    adopt_seed(engine, demo_control_seed(seed))
    end = today or datetime.now(UTC).date()
    start = end - timedelta(days=365 * 3)
    announce(f"loading demo data: {customers} customers (seed {seed})…")
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(Path(tmp), customers=customers, seed=seed, start=start, end=end)
        loads: tuple[tuple[ImportKind, Path], ...] = (
            ("customers", files.customers),
            ("transactions", files.transactions),
            ("contacts", files.contacts),
        )
        for kind, path in loads:
            summary = import_file(
                engine, kind, path, settings, rejects_path=Path(tmp) / f"{kind}.rejects.csv"
            )
            announce(
                f"  {kind}: {summary.inserted} imported, {summary.rejected} rejected on purpose (malformed demo rows)"
            )
    ensure_operators(engine)


def demo_control_seed(seed: int) -> int:
    """The control-group seed of the demo set generated with `seed` (63 bits, as drawn ones)."""
    digest = hashlib.sha256(f"workbench-demo-control:{seed}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def ensure_operators(engine: Engine) -> None:
    with engine.begin() as conn:
        have = set(conn.execute(select(Operator.code)).scalars())  # type: ignore[call-overload]
        rows = [
            {"code": code, "name": name, "language": "ja", "active": True}
            for code, name in DEMO_OPERATORS
            if code not in have
        ]
        if rows:
            conn.execute(insert(Operator), rows)
