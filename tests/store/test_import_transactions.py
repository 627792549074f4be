"""Transaction import on SQLite and PostgreSQL: amounts, dates, idempotency, customer_metrics."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from workbench.importing.csvfile import ImportFileError
from workbench.services.importer import import_file
from workbench.store.models import Customer, CustomerMetrics, Purchase

# These tests read the English texts (language = "en"); tests/e2e/test_cli_messages_language.py
# checks that the same errors are Japanese by default.
pytestmark = pytest.mark.usefixtures("english_messages")

customers = Customer.__table__
purchases = Purchase.__table__
metrics = CustomerMetrics.__table__

HEADER = ["customer_id", "ordered_at", "amount", "category", "product"]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue()


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    path.write_bytes(csv_text(header, rows).encode(encoding))
    return path


@pytest.fixture
def people(engine: Engine, settings, tmp_path: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Customers C1..C3, returned as external id → id."""
    path = write_csv(
        tmp_path / "customers.csv",
        ["customer_id", "name", "kind", "phone"],
        [
            ["C1", "山田太郎", "b2c", "090-1111-1111"],
            ["C2", "佐藤花子", "b2c", "090-2222-2222"],
            ["C3", "株式会社髙橋", "b2b", "03-3333-3333"],
        ],  # fmt: skip
    )
    import_file(engine, "customers", path, settings)
    with engine.connect() as conn:
        return dict(conn.execute(select(customers.c.external_id, customers.c.id)).all())


def run(engine: Engine, path: Path, settings, **kwargs):  # type: ignore[no-untyped-def]
    return import_file(engine, "transactions", path, settings, **kwargs)


def stored(engine: Engine) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    purchases.c.customer_id,
                    purchases.c.ordered_at,
                    purchases.c.amount,
                    purchases.c.category,
                    purchases.c.product,
                ).order_by(purchases.c.ordered_at, purchases.c.amount)  # fmt: skip
            ).all()
        ]


def all_rows(engine: Engine) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return {
            "transactions": [
                tuple(r) for r in conn.execute(select(purchases).order_by(purchases.c.id)).all()
            ],
            "metrics": [
                tuple(r)
                for r in conn.execute(select(metrics).order_by(metrics.c.customer_id)).all()
            ],
        }


def metrics_of(engine: Engine, cid: int):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(metrics).where(metrics.c.customer_id == cid)).one_or_none()


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def tokyo(*args: int) -> datetime:
    """A Tokyo wall-clock time as the UTC instant it denotes."""
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)


# --------------------------------------------------------------------------- values


def test_amount_formats_are_accepted(engine, settings, tmp_path, people):
    rows = [
        ["C1", "2025-01-01", "12,800", "food", "a"],
        ["C1", "2025-01-02", "¥12800", "food", "b"],
        ["C1", "2025-01-03", "12800円", "food", "c"],
        ["C1", "2025-01-04", "￥1,200", "food", "d"],
        ["C1", "2025-01-05", "１２８００", "food", "e"],
        ["C1", "2025-01-06", " 300 ", "food", "f"],
    ]
    path = write_csv(tmp_path / "t.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert summary.rejected == 0
    assert [r[2] for r in stored(engine)] == [12800, 12800, 12800, 1200, 12800, 300]


def test_first_import_counts_inserted_rows(engine, settings, tmp_path, people):
    rows = [["C1", f"2025-01-0{d}", "1000", "food", ""] for d in range(1, 6)]
    path = write_csv(tmp_path / "t.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert len(stored(engine)) == 5
    assert (
        summary.rows,
        summary.inserted,
        summary.updated,
        summary.unchanged,
        summary.rejected,
    ) == (5, 5, 0, 0, 0)


def test_bad_amounts_are_rejected(engine, settings, tmp_path, people):
    rows = [
        ["C1", "2025-01-01", "12.5", "food", ""],
        ["C1", "2025-01-02", "abc", "food", ""],
        ["C1", "2025-01-03", "", "food", ""],
        ["C1", "2025-01-04", "1.2.3", "food", ""],
        ["C1", "2025-01-05", "500", "food", ""],
    ]
    path = write_csv(tmp_path / "t.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert (summary.rows, summary.rejected) == (5, 4)
    assert summary.reject_columns == {"amount": 4}
    assert sorted(int(r["line"]) for r in read_rejects(Path(summary.rejects_path))) == [2, 3, 4, 5]
    assert [r[2] for r in stored(engine)] == [500]


def test_dates_are_parsed_and_naive_values_are_tokyo_time(engine, settings, tmp_path, people):
    rows = [
        ["C1", "2025/01/05", "100", "", ""],
        ["C1", "2025-01-05T10:00+09:00", "200", "", ""],
        ["C1", "2025/01/05 10:00", "300", "", ""],
        ["C1", "2025-01-05T10:00:00Z", "400", "", ""],
        ["C1", "２０２５／０１／０６", "500", "", ""],
    ]
    path = write_csv(tmp_path / "t.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert summary.rejected == 0
    got = {amount: ordered_at for _, ordered_at, amount, _, _ in stored(engine)}
    assert got == {
        100: datetime(2025, 1, 4, 15, 0, tzinfo=UTC),
        200: datetime(2025, 1, 5, 1, 0, tzinfo=UTC),
        300: datetime(2025, 1, 5, 1, 0, tzinfo=UTC),
        400: datetime(2025, 1, 5, 10, 0, tzinfo=UTC),
        500: datetime(2025, 1, 5, 15, 0, tzinfo=UTC),
    }
    assert all(
        value.tzinfo is not None and value.utcoffset().total_seconds() == 0
        for value in got.values()
    )


def test_bad_dates_are_rejected(engine, settings, tmp_path, people):
    rows = [["C1", value, "100", "", ""] for value in ("2025-13-01", "yesterday", "", "05/01/2025")]
    path = write_csv(tmp_path / "t.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert (summary.rejected, summary.reject_columns) == (4, {"ordered_at": 4})
    assert stored(engine) == []


def test_unknown_customer_is_rejected(engine, settings, tmp_path, people):
    rows = [
        ["C1", "2025-01-01", "100", "", ""],
        ["NOBODY", "2025-01-01", "100", "", ""],
        ["", "2025-01-01", "1", "", ""],
    ]
    path = write_csv(tmp_path / "t.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert (summary.rows, summary.rejected) == (3, 2)
    rejects = read_rejects(Path(summary.rejects_path))
    assert sorted((r["line"], r["column"]) for r in rejects) == [
        ("3", "customer_id"),
        ("4", "customer_id"),
    ]
    unknown = next(r for r in rejects if r["line"] == "3")
    assert "NOBODY" in unknown["reason"] and unknown["file"] == str(path)
    assert [(cid, amount) for cid, _, amount, _, _ in stored(engine)] == [(people["C1"], 100)]


def test_rejects_file_keeps_the_whole_row_of_an_unknown_customer(
    engine, settings, tmp_path, people
):
    path = write_csv(
        tmp_path / "t.csv", HEADER, [["NOBODY", "2025-01-01", "12,800", "food", "rice"]]
    )

    summary = run(engine, path, settings)

    [reject] = read_rejects(Path(summary.rejects_path))
    assert (reject["line"], reject["column"]) == ("2", "customer_id")
    # "file, line, column, reason, then the row itself": enough to fix the row and import it again.
    assert (
        reject["row"]
        == "customer_id=NOBODY,ordered_at=2025-01-01,amount=12,800,category=food,product=rice"
    )


def test_wrong_field_count_is_rejected_with_column_star(engine, settings, tmp_path, people):
    path = tmp_path / "t.csv"
    path.write_text(
        "customer_id,ordered_at,amount\nC1,2025-01-01\nC1,2025-01-02,100\n", encoding="utf-8"
    )

    summary = run(engine, path, settings)

    [reject] = read_rejects(Path(summary.rejects_path))
    assert (reject["line"], reject["column"]) == ("2", "*")
    assert len(stored(engine)) == 1


# --------------------------------------------------------------------------- idempotency


def test_reimporting_identical_rows_inserts_nothing(engine, settings, tmp_path, people):
    rows = [
        ["C1", "2025-01-01 10:00", "1000", "food", "rice"],
        ["C1", "2025-02-01 10:00", "2000", "wine", "red"],
        ["C2", "2025-03-01", "3000", "", ""],
    ]
    path = write_csv(tmp_path / "t.csv", HEADER, rows)
    run(engine, path, settings)
    before = all_rows(engine)
    assert len(before["transactions"]) == 3

    second = run(engine, path, settings)

    assert (second.rows, second.inserted, second.updated, second.unchanged, second.rejected) == (
        3,
        0,
        0,
        3,
        0,
    )
    assert all_rows(engine) == before


def test_same_rows_in_another_file_written_differently_insert_nothing(
    engine, settings, tmp_path, people
):
    run(
        engine,
        write_csv(tmp_path / "a.csv", HEADER, [["C1", "2025-01-05", "12800", "food", "rice"]]),
        settings,
    )

    again = write_csv(
        tmp_path / "b.csv",
        HEADER,
        [["C1", "2025/01/05 00:00", "￥12,800", "food", "rice"]],
        "cp932",
    )
    summary = run(engine, again, settings)

    assert (summary.inserted, summary.unchanged) == (0, 1)
    assert len(stored(engine)) == 1


def test_transaction_id_identifies_a_row(engine, settings, tmp_path, people):
    header = HEADER + ["transaction_id"]
    path = write_csv(
        tmp_path / "t.csv",
        header,
        [["C1", "2025-01-01", "100", "", "", "T1"], ["C1", "2025-01-01", "100", "", "", "T2"]],
    )
    run(engine, path, settings)
    assert len(stored(engine)) == 2  # same values, different transaction ids: two orders

    run(engine, path, settings)
    assert len(stored(engine)) == 2


# --------------------------------------------------------------------------- metrics


def test_customer_metrics_after_import_and_after_adding_rows(engine, settings, tmp_path, people):
    first = write_csv(
        tmp_path / "t1.csv",
        HEADER,
        [
            ["C1", "2025-01-10 09:00", "1000", "food", ""],
            ["C1", "2025-03-10 09:00", "2000", "wine", ""],
            ["C1", "2025-02-10 09:00", "3000", "food", ""],
            ["C2", "2025-05-01 12:00", "5000", "", ""],
            ["C3", "2025-04-01", "7000", "office", ""],
        ],
    )
    run(engine, first, settings)

    c1 = metrics_of(engine, people["C1"])
    assert c1 is not None, "customer_metrics was not refreshed after the import"
    assert (c1.first_order_at, c1.last_order_at) == (tokyo(2025, 1, 10, 9), tokyo(2025, 3, 10, 9))
    assert (c1.n_orders, c1.monetary, c1.main_category) == (3, 6000, "food")
    c2 = metrics_of(engine, people["C2"])
    assert (c2.n_orders, c2.monetary, c2.main_category) == (1, 5000, None)  # no category at all
    c3 = metrics_of(engine, people["C3"])
    assert (c3.first_order_at, c3.n_orders, c3.monetary, c3.main_category) == (
        tokyo(2025, 4, 1),
        1,
        7000,
        "office",
    )

    second = write_csv(
        tmp_path / "t2.csv",
        HEADER,
        [
            ["C1", "2025-01-10 09:00", "1000", "food", ""],  # already there
            ["C1", "2024-12-01 09:00", "400", "wine", ""],  # earlier than the first order
            ["C1", "2025-06-01 09:00", "600", "wine", ""],  # wine now the most frequent
            ["C2", "2025-06-02 12:00", "1500", "toys", ""],
        ],
    )
    summary = run(engine, second, settings)

    assert (summary.inserted, summary.unchanged) == (3, 1)
    c1 = metrics_of(engine, people["C1"])
    assert (c1.first_order_at, c1.last_order_at) == (tokyo(2024, 12, 1, 9), tokyo(2025, 6, 1, 9))
    assert (c1.n_orders, c1.monetary, c1.main_category) == (5, 7000, "wine")
    c2 = metrics_of(engine, people["C2"])
    assert (c2.last_order_at, c2.n_orders, c2.monetary, c2.main_category) == (
        tokyo(2025, 6, 2, 12),
        2,
        6500,
        "toys",
    )
    c3 = metrics_of(engine, people["C3"])
    assert (c3.n_orders, c3.monetary) == (1, 7000)


def test_main_category_tie_goes_to_the_most_recent_category(engine, settings, tmp_path, people):
    rows = [
        ["C1", "2025-01-01", "100", "food", ""],
        ["C1", "2025-02-01", "100", "wine", ""],
        ["C1", "2025-03-01", "100", "food", ""],
        ["C1", "2025-04-01", "100", "wine", ""],
    ]
    run(engine, write_csv(tmp_path / "t.csv", HEADER, rows), settings)

    c1 = metrics_of(engine, people["C1"])
    assert c1 is not None, "customer_metrics was not refreshed after the import"
    assert (c1.n_orders, c1.main_category) == (4, "wine")


def test_customers_without_transactions_have_no_metrics(engine, settings, tmp_path, people):
    run(
        engine,
        write_csv(tmp_path / "t.csv", HEADER, [["C1", "2025-01-01", "100", "", ""]]),
        settings,
    )
    with engine.connect() as conn:
        assert conn.execute(select(metrics.c.customer_id)).scalars().all() == [people["C1"]]


# --------------------------------------------------------------------------- atomicity


def test_bad_bytes_late_in_a_transaction_file_write_nothing(engine, settings, tmp_path, people):
    run(
        engine,
        write_csv(tmp_path / "seed.csv", HEADER, [["C1", "2024-01-01", "100", "seed", ""]]),
        settings,
    )
    before = all_rows(engine)
    lines = [",".join(HEADER).encode()]
    lines += [f"C{i % 3 + 1},2025-01-01 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d},{i},カテゴリ{i % 4},"
              .encode() for i in range(12_000)]  # fmt: skip
    lines.append(b"C1,2025-02-01,\xff100,x,")
    path = tmp_path / "t.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")

    with pytest.raises(ImportFileError) as caught:
        run(engine, path, settings, encoding="utf-8")

    assert f"{path}:{len(lines)}:" in str(caught.value)
    assert all_rows(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(purchases)).scalar_one() == 1
