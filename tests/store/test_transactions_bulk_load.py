"""A first load into an empty transactions table appends rows and builds the indexes at the end:
it must keep every import rule of the row-by-row path, and migration 0004 must keep the data."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from workbench.services.importer import import_file
from workbench.store import schema
from workbench.store.models import Customer, CustomerMetrics, Purchase

customers = Customer.__table__
purchases = Purchase.__table__
metrics = CustomerMetrics.__table__
HEADER = ["customer_id", "ordered_at", "amount", "category", "product", "transaction_id"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def people(engine: Engine, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,name,kind,phone\nC1,山田太郎,b2c,090-1111-1111\nC2,佐藤花子,b2c,090-2222-2222\n",
        encoding="utf-8",
    )
    import_file(engine, "customers", path, settings)


def index_names(engine: Engine) -> dict[str, bool]:
    return {ix["name"]: bool(ix["unique"]) for ix in inspect(engine).get_indexes("transactions")}


def stored(engine: Engine) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        query = select(customers.c.external_id, purchases.c.amount, purchases.c.product).join(
            customers, customers.c.id == purchases.c.customer_id
        )
        return [tuple(r) for r in conn.execute(query.order_by(purchases.c.id)).all()]


def test_first_load_drops_repeats_keeps_the_first_and_rebuilds_the_indexes(
    engine, settings, tmp_path, people
):
    rows = [
        ["C1", "2025-01-01", "1000", "food", "rice", ""],
        ["C1", "2025-01-01", "1000", "food", "rice", ""],  # the same purchase twice: one order
        ["C2", "2025-02-01", "500", "", "first", "T9"],
        [
            "C2",
            "2025-02-02",
            "700",
            "",
            "second",
            "T9",
        ],  # same transaction id: the first row stands
        ["C1", "2025-03-01", "300", "", "tea", ""],
    ]

    summary = import_file(engine, "transactions", write_csv(tmp_path / "t.csv", rows), settings)

    assert (summary.rows, summary.inserted, summary.unchanged, summary.rejected) == (5, 3, 2, 0)
    assert stored(engine) == [("C1", 1000, "rice"), ("C2", 500, "first"), ("C1", 300, "tea")]
    assert index_names(engine) == {
        "ux_transactions_fingerprint": True,
        "ix_transactions_customer_ordered": False,
    }
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(metrics.c.n_orders))).scalar_one() == 3


def test_a_later_import_into_a_filled_table_keeps_the_stored_rows(
    engine, settings, tmp_path, people
):
    import_file(
        engine,
        "transactions",
        write_csv(tmp_path / "a.csv", [["C2", "2025-02-01", "500", "", "first", "T9"]]),
        settings,
    )

    later = [
        ["C2", "2025-02-02", "700", "", "second", "T9"],
        ["C1", "2025-04-01", "900", "", "new", ""],
    ]
    summary = import_file(engine, "transactions", write_csv(tmp_path / "b.csv", later), settings)

    assert (summary.inserted, summary.unchanged) == (1, 1)
    assert stored(engine) == [("C2", 500, "first"), ("C1", 900, "new")]
    assert set(index_names(engine)) == {
        "ux_transactions_fingerprint",
        "ix_transactions_customer_ordered",
    }


def test_a_failed_first_load_leaves_the_table_and_its_indexes_as_they_were(
    engine, settings, tmp_path, people
):
    path = tmp_path / "bad.csv"
    good = "".join(
        f"C1,2025-01-{d % 28 + 1:02d} 10:{d % 60:02d},{100 + d},,p{d},\n" for d in range(3000)
    )
    path.write_bytes((",".join(HEADER) + "\n" + good).encode() + b"C1,\xff,1,,,\n")
    before = index_names(engine)

    with pytest.raises(Exception, match="bad.csv"):
        import_file(engine, "transactions", path, settings, encoding="utf-8")

    assert stored(engine) == []
    assert index_names(engine) == before


def test_migration_0004_keeps_purchases_and_their_uniqueness(engine):
    config = schema._config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    with engine.begin() as conn:
        cid = conn.execute(
            insert(customers)
            .values(external_id="M1", name="移行", kind="b2c")
            .returning(customers.c.id)
        ).scalar_one()
        conn.exec_driver_sql(
            "INSERT INTO transactions (customer_id, ordered_at, amount, fingerprint) VALUES "
            f"({cid}, '2024-01-01 00:00:00.000000', 100, 11), ({cid}, '2024-02-01 00:00:00.000000', 200, 22)"
        )
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

    assert schema.current_revision(engine) == schema.head_revision()
    assert index_names(engine) == {
        "ux_transactions_fingerprint": True,
        "ix_transactions_customer_ordered": False,
    }
    with engine.connect() as conn:
        assert [
            tuple(r)
            for r in conn.execute(
                select(purchases.c.amount, purchases.c.fingerprint).order_by(purchases.c.id)
            )
        ] == [(100, 11), (200, 22)]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO transactions (customer_id, ordered_at, amount, fingerprint) VALUES ({cid}, '2024-03-01 00:00:00.000000', 1, 22)"
        )
