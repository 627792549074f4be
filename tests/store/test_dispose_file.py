"""A batch file of dispositions (`services.dispose_file`): every row or none, and every problem
named `<file>:<line>: <field>: <problem>`, on each backend.

Three callable customers are imported from CSV; the batch is dialled on Tuesday
24 November 2026 at 10:00 in Tokyo, inside the calling window.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from workbench.config import Settings
from workbench.importing.csvfile import ImportFileError
from workbench.services.dispose_file import DisposeFileError, dispose_file
from workbench.services.importer import import_file
from workbench.store.models import Callback, ContactAttempt

JST = ZoneInfo("Asia/Tokyo")
HEADER = ["customer_id", "at", "channel", "direction", "outcome", "operator", "callback_at", "note"]
AT = "2026-11-24T10:00+09:00"


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def base(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    customers = write_csv(
        tmp_path / "customers.csv",
        [["C1", "顧客 一", "b2c", "090-2000-0001"], ["C2", "顧客 二", "b2c", "090-2000-0002"],
         ["C3", "顧客 三", "b2c", "090-2000-0003"]],
        ["customer_id", "name", "kind", "phone"],
    )  # fmt: skip
    summary = import_file(engine, "customers", customers, settings)
    assert summary.rejected == 0
    return engine


def attempts(engine: Engine) -> list[tuple[str, str, str | None, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ContactAttempt.outcome, ContactAttempt.source, ContactAttempt.operator, ContactAttempt.note)
            .order_by(ContactAttempt.id)
        ).all()  # fmt: skip
    return [tuple(row) for row in rows]  # type: ignore[misc]


def count(engine: Engine, table: type) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


GOOD = [
    ["C1", AT, "call", "outbound", "no_answer", "op01", "", "呼び出しのみ"],
    ["C2", AT, "call", "outbound", "callback", "op01", "2026-11-25T11:00+09:00", ""],
    ["C3", "2026-11-24T10:05+09:00", "call", "outbound", "not_interested", "op02", "", ""],
]


def test_a_good_file_disposes_every_row_in_file_order(
    base: Engine, settings: Settings, tmp_path: Path
) -> None:
    results = dispose_file(base, settings, write_csv(tmp_path / "good.csv", GOOD))
    assert [(r.customer_id, r.outcome) for r in results] == [
        ("C1", "no_answer"), ("C2", "callback"), ("C3", "not_interested"),
    ]  # fmt: skip
    assert attempts(base) == [
        ("no_answer", "batch", "op01", "呼び出しのみ"),
        ("callback", "batch", "op01", None),
        ("not_interested", "batch", "op02", None),
    ]
    assert count(base, Callback) == 1
    with base.connect() as conn:
        (due,) = conn.execute(select(Callback.due_at)).one()
    assert due.replace(tzinfo=due.tzinfo or ZoneInfo("UTC")) == datetime(
        2026, 11, 25, 11, tzinfo=JST
    )


def test_unreadable_rows_name_file_line_and_field_and_record_nothing(
    base: Engine, settings: Settings, tmp_path: Path
) -> None:
    rows = [list(r) for r in GOOD]
    rows[1][4] = "bogus"  # line 3
    rows[2][1] = "next tuesday"  # line 4
    path = write_csv(tmp_path / "unreadable.csv", [*rows, ["C1", AT, "call"]])  # line 5: short row
    with pytest.raises(DisposeFileError) as info:
        dispose_file(base, settings, path)
    lines = info.value.lines()
    assert [line.split(": ", 2)[:2] for line in lines] == [
        [f"{path}:3", "outcome"], [f"{path}:4", "at"], [f"{path}:5", "*"],
    ]  # fmt: skip
    assert "'bogus'" in lines[0] and "next tuesday" in lines[1] and "列の数" in lines[2]
    message = str(info.value)
    assert message.splitlines()[0].startswith(
        f"{path} からは何も記録していません。3, 4, 5 行目を直して"
    )
    assert message.splitlines()[1:] == lines
    assert attempts(base) == []


def test_a_row_the_rules_refuse_rolls_back_the_whole_file(
    base: Engine, settings: Settings, tmp_path: Path
) -> None:
    rows = [list(r) for r in GOOD]
    rows[0][0] = "NO-SUCH-CUSTOMER"  # line 2
    rows[2][1] = "2026-11-24T21:00+09:00"  # line 4: after the calling window closed
    path = write_csv(tmp_path / "refused.csv", rows)
    with pytest.raises(DisposeFileError) as info:
        dispose_file(base, settings, path)
    first, second = info.value.lines()
    assert first.startswith(f"{path}:2: customer_id: 顧客 ID 'NO-SUCH-CUSTOMER' が見つかりません")
    assert (
        second.startswith(f"{path}:4: at: ")
        and "C3 への架電は架電ルールで認められていません" in second
    )
    assert "。2, 4 行目を直して" in str(info.value)
    # Line 3 was applied inside the transaction and rolled back with the rest.
    assert attempts(base) == [] and count(base, Callback) == 0
    fixed = write_csv(tmp_path / "fixed.csv", GOOD)
    assert len(dispose_file(base, settings, fixed)) == 3
    assert len(attempts(base)) == 3


def test_a_file_that_cannot_be_read_names_the_file(
    base: Engine, settings: Settings, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.csv"
    with pytest.raises(ImportFileError, match="missing.csv: ファイルが見つかりません"):
        dispose_file(base, settings, missing)
    no_outcome = write_csv(
        tmp_path / "no_outcome.csv", [["C1", AT, "call"]], ["customer_id", "at", "channel"]
    )
    with pytest.raises(ImportFileError, match="no_outcome.csv"):
        dispose_file(base, settings, no_outcome)
    assert attempts(base) == []
