"""Large files are read and validated in worker processes: the result must be the serial import's, exactly.

The worker path is forced on small files with tiny chunks, so records, rejects
and line numbers cross many chunk boundaries; the serial import of the same
file into a side SQLite database is the reference.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from workbench.importing import pipeline
from workbench.services.importer import import_file
from workbench.store.database import open_database
from workbench.store.models import Customer, CustomerMetrics, Phone, Purchase

customers = Customer.__table__
phones = Phone.__table__
purchases = Purchase.__table__
metrics = CustomerMetrics.__table__

CUSTOMER_HEADER = ["customer_id", "name", "kind", "phone", "phone2", "do_not_call"]
TRANSACTION_HEADER = ["customer_id", "ordered_at", "amount", "category", "product"]


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def customer_rows() -> list[list[str]]:
    rows = []
    for i in range(1, 121):
        phone = "０９０－１２３４－" + f"{i:04d}".translate(
            str.maketrans("0123456789", "０１２３４５６７８９")
        )
        rows.append([f"C{i}", f"顧客{i}", "b2b" if i % 9 == 0 else "b2c", phone, "" if i % 4 else "03-3333-0001",
                     "1" if i % 11 == 0 else "0"])  # fmt: skip
        if i % 25 == 0:
            rows.append([f"X{i}", "電話なし", "b2c", "12", "", "0"])  # invalid phone
    rows.append(["C7", "二度目", "b2c", "090-1111-2222", "", "0"])  # duplicate, many chunks later
    return rows


def transaction_rows() -> list[list[str]]:
    rows = []
    for i in range(1, 121):
        for k in range(1, 4):
            product = f'商品{k}\n改行入り, "引用"' if (i + k) % 17 == 0 else f"商品{k}"
            rows.append(
                [
                    f"C{i}",
                    f"2025-{k:02d}-{(i % 27) + 1:02d}T10:{k:02d}:00+09:00",
                    str(1000 * k + i),
                    "garden",
                    product,
                ]
            )
        if i % 30 == 0:
            rows.append([f"NOPE{i}", "2025-01-01", "100", "", ""])  # unknown customer
            rows.append([f"C{i}", "2025/13/01", "100", "", ""])  # bad date
            rows.append([f"C{i}", "2025-01-01", "12.5", "", ""])  # bad amount
    rows.append(rows[0])  # the same purchase again
    return rows


def read_rejects(path: str | None) -> list[dict[str, str]]:
    if path is None:
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: v for k, v in row.items() if k != "file"} for row in csv.DictReader(fh)]


def contents(engine: Engine) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """What an import leaves, keyed by external id so that stored ids do not matter."""
    c = customers.c
    joined = {
        "customers": (None, ()),
        "phones": (phones, (phones.c.position, phones.c.e164, phones.c.number_type)),
        "transactions": (
            purchases,
            (purchases.c.ordered_at, purchases.c.amount, purchases.c.product),
        ),
        "metrics": (metrics, (metrics.c.n_orders, metrics.c.monetary, metrics.c.last_order_at)),
    }
    out = {}
    with engine.connect() as conn:
        for name, (table, columns) in joined.items():
            if table is None:
                query = select(c.external_id, c.name, c.kind)
            else:
                query = select(c.external_id, *columns).join(table, table.c.customer_id == c.id)
            out[name] = sorted(tuple(r) for r in conn.execute(query).all())
    return out


def import_both(engine: Engine, settings, files: dict[str, Path], tmp_path: Path, workers: int):  # type: ignore[no-untyped-def]
    summaries = []
    for kind, path in files.items():
        summaries.append(import_file(engine, kind, path, settings, rejects_path=tmp_path / f"{kind}.{workers}.rejects.csv",
                                     workers=workers))  # fmt: skip
    return summaries


def reference(settings, files: dict[str, Path], tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = open_database(f"sqlite:///{tmp_path / 'reference.db'}")
    summaries = import_both(engine, settings, files, tmp_path, workers=0)
    return engine, summaries


def comparable(summary):  # type: ignore[no-untyped-def]
    return (summary.rows, summary.inserted, summary.updated, summary.unchanged, summary.rejected,
            summary.reject_columns, read_rejects(summary.rejects_path))  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "customers": write_csv(
            tmp_path / "customers.csv", CUSTOMER_HEADER, customer_rows(), "cp932"
        ),
        "transactions": write_csv(
            tmp_path / "transactions.csv", TRANSACTION_HEADER, transaction_rows()
        ),
    }


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 700)


def test_worker_import_equals_the_serial_import(engine, settings, files, tmp_path, tiny_chunks):
    ref_engine, expected = reference(settings, files, tmp_path)

    got = import_both(engine, settings, files, tmp_path, workers=2)

    assert [comparable(s) for s in got] == [comparable(s) for s in expected]
    assert contents(engine) == contents(ref_engine)
    customers_summary, transactions_summary = got
    assert customers_summary.reject_columns == {"phone": 4, "customer_id": 1}
    assert transactions_summary.reject_columns == {"customer_id": 4, "ordered_at": 4, "amount": 4}
    unknown = [
        r for r in read_rejects(transactions_summary.rejects_path) if r["column"] == "customer_id"
    ]
    assert [r["row"].split(",")[0] for r in unknown] == [
        f"customer_id=NOPE{i}" for i in (30, 60, 90, 120)
    ]
    duplicate = [
        r for r in read_rejects(customers_summary.rejects_path) if r["column"] == "customer_id"
    ]
    assert duplicate[0]["row"].startswith(
        "customer_id=C7,name=二度目"
    )  # raw values recovered from its chunk
    assert transactions_summary.unchanged == 1  # the repeated purchase


def test_a_broken_worker_pool_falls_back_to_validating_here(
    engine, settings, files, tmp_path, tiny_chunks, monkeypatch
):
    ref_engine, expected = reference(settings, files, tmp_path)
    broken: list[int] = []

    class BreaksAfterThree(pipeline.ProcessPoolExecutor):  # type: ignore[misc, valid-type]
        submitted = 0

        def submit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            BreaksAfterThree.submitted += 1
            if BreaksAfterThree.submitted > 3:
                broken.append(BreaksAfterThree.submitted)
                raise pipeline.BrokenProcessPool("a worker died")
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", BreaksAfterThree)

    got = import_both(engine, settings, files, tmp_path, workers=2)

    assert broken  # the pool did break mid-file
    assert [comparable(s) for s in got] == [comparable(s) for s in expected]
    assert contents(engine) == contents(ref_engine)


def test_import_from_a_script_on_stdin_still_works(settings, files, tmp_path):
    # Spawned workers cannot re-import a __main__ read from stdin (`python -`): the pool breaks at once.
    db = tmp_path / "stdin.db"
    script = f"""
from pathlib import Path
from workbench.config import load_settings
from workbench.importing import pipeline
from workbench.services.importer import import_file
from workbench.store.database import open_database
pipeline.PARALLEL_FROM_BYTES = 0
pipeline.CHUNK_BYTES = 700
engine = open_database("sqlite:///{db}")
settings = load_settings(path=None, env={{}})
for kind in ("customers", "transactions"):
    s = import_file(engine, kind, Path("{tmp_path}") / f"{{kind}}.csv", settings, workers=2)
    print(kind, s.rows, s.inserted, s.rejected)
"""
    done = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    ref_engine, expected = reference(settings, files, tmp_path)
    assert done.stdout.split("\n")[:2] == [
        f"{s.kind} {s.rows} {s.inserted} {s.rejected}" for s in expected
    ]
    assert contents(open_database(f"sqlite:///{db}")) == contents(ref_engine)
