"""The real `workbench` console command: import summaries, errors for people, customer listings."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from workbench.services.importer import import_file
from workbench.store.engine import make_engine

AT = "2026-11-01T10:00+09:00"


def _base_command() -> list[str]:
    script = shutil.which("workbench") or str(Path(sys.executable).with_name("workbench"))
    if Path(script).is_file() and os.access(script, os.X_OK):
        return [script]
    return [sys.executable, "-c", "from workbench.cli import main; main()"]


BASE = _base_command()


def workbench(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [*BASE, "--db", url, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def json_lines(stdout: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A database the command creates itself (errors do not depend on the backend)."""
    return f"sqlite:///{tmp_path / 'cli.db'}"


def assert_user_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


# --------------------------------------------------------------------------- import


CUSTOMER_HEADER = ["customer_id", "name", "kind", "phone"]
CUSTOMER_ROWS = [
    ["C1", "山田太郎", "b2c", "０９０－１２３４－５６７８"],
    ["C2", "髙橋商事", "b2b", "(03) 1234-5678"],
    ["C3", "佐藤花子", "b2c", "03-1234"],  # rejected
    ["C4", "鈴木一郎", "b2c", "+81 90 8765 4321"],
]


def test_import_customers_prints_a_summary_and_json(db_url, tmp_path):
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_HEADER, CUSTOMER_ROWS, encoding="cp932")

    first = workbench(db_url, "import", "customers", str(path), cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    out = first.stdout
    assert "customers: 4 rows (cp932)" in out
    assert "3 new, 0 updated, 0 unchanged, 1 rejected" in out
    rejects = tmp_path / "customers.rejects.csv"
    assert f"rejected rows (phone: 1) written to {rejects}" in out
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        [reject] = list(csv.DictReader(fh))
    assert (reject["file"], reject["line"], reject["column"]) == (str(path), "4", "phone")

    second = workbench(db_url, "import", "customers", str(path), "--json", cwd=tmp_path)

    assert second.returncode == 0, second.stderr
    [summary] = json_lines(second.stdout)
    assert set(summary) >= {"kind", "path", "encoding", "rows", "inserted", "updated", "unchanged", "rejected",
                            "rejects_path", "seconds", "reject_columns"}  # fmt: skip
    assert (summary["kind"], summary["path"], summary["encoding"]) == (
        "customers",
        str(path),
        "cp932",
    )
    assert (summary["rows"], summary["inserted"], summary["updated"], summary["unchanged"], summary["rejected"]) == (
        4, 0, 0, 3, 1,
    )  # fmt: skip
    assert summary["rejects_path"] == str(rejects)
    assert summary["reject_columns"] == {"phone": 1}
    assert isinstance(summary["seconds"], float) and summary["seconds"] >= 0


def test_import_of_a_missing_file(sqlite_url, tmp_path):
    result = workbench(
        sqlite_url, "import", "customers", str(tmp_path / "missing.csv"), cwd=tmp_path
    )
    assert_user_error(result, "ファイルが見つかりません", "missing.csv")


def test_import_of_a_malformed_file_names_file_and_line(sqlite_url, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("customer_id,name,kind\nC1,山田,b2c\n", encoding="utf-8")

    result = workbench(sqlite_url, "import", "customers", str(path), cwd=tmp_path)

    assert_user_error(result, f"{path}:1", "phone")


def test_import_with_bytes_invalid_in_the_given_encoding_names_the_line(sqlite_url, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"customer_id,name,kind,phone\nC1,ok,b2c,090-1234-5678\nC2,\xff,b2c,090-1234-5679\n"
    )

    result = workbench(
        sqlite_url, "import", "customers", str(path), "--encoding", "utf-8", cwd=tmp_path
    )

    assert_user_error(result, f"{path}:3")
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:  # the database was created, and nothing was written
            assert conn.execute(text("SELECT count(*) FROM customers")).scalar_one() == 0
    finally:
        engine.dispose()


def test_import_of_an_unknown_kind(sqlite_url, tmp_path):
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADER, CUSTOMER_ROWS[:1])
    assert_user_error(workbench(sqlite_url, "import", "orders", str(path), cwd=tmp_path), "orders")


def test_import_with_an_unknown_encoding_is_an_error_for_people(sqlite_url, tmp_path):
    path = write_csv(tmp_path / "c.csv", CUSTOMER_HEADER, CUSTOMER_ROWS[:1])
    assert_user_error(workbench(sqlite_url, "import", "customers", str(path), "--encoding", "latin-99", cwd=tmp_path),
                      "latin-99")  # fmt: skip


# --------------------------------------------------------------------------- customers


def _data_set(db_url: str, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    """Customers in every state at 2026-11-01 10:00 JST; D1, D2, B2 and Y1 are dormant."""
    engine = make_engine(db_url)
    header = ["customer_id", "name", "kind", "company", "phone", "do_not_call"]
    people = [
        ["D1", "休眠一郎", "b2c", "", "090-1111-0001", "0"],  # last order 214 days ago
        ["D2", "境界花子", "b2c", "", "03-1111-0002", "0"],  # last order exactly 180 days ago
        ["B2", "株式会社休眠", "b2b", "休眠商事", "0120-111-222", "0"],  # b2b, 426 days
        ["A1", "現役次郎", "b2c", "", "090-1111-0004", "0"],  # 17 days: active
        ["R1", "危険三郎", "b2c", "", "090-1111-0005", "0"],  # one order 123 days ago: at risk
        ["B1", "株式会社途中", "b2b", "途中商事", "06-1111-0006", "0"],  # b2b, 295 days: at risk
        [
            "X1",
            "苦情四郎",
            "b2c",
            "",
            "090-1111-0007",
            "0",
        ],  # complaint after the last order: churned
        ["N1", "拒否五郎", "b2c", "", "090-1111-0008", "1"],  # do not call: churned
        [
            "Y1",
            "昔断六郎",
            "b2c",
            "",
            "090-1111-0009",
            "0",
        ],  # refused once, bought after: dormant (669 days)
        ["P1", "見込七子", "b2c", "", "090-1111-0010", "0"],  # never bought: prospect
    ]
    orders = [
        ["D1", "2025-12-01 10:00", "3000", "food"],
        ["D1", "2026-03-01 10:00", "5000", "food"],
        ["D1", "2026-04-01 10:00", "4000", "wine"],
        ["D2", "2026-05-05 10:00", "8000", "wine"],
        ["B2", "2025-08-01 10:00", "50000", "office"],
        ["B2", "2025-09-01 10:00", "70000", "office"],
        ["A1", "2026-10-15 10:00", "2000", "food"],
        ["R1", "2026-07-01 10:00", "6000", "food"],
        ["B1", "2026-01-10 10:00", "30000", "office"],
        ["X1", "2025-01-01 10:00", "1000", "food"],
        ["N1", "2025-01-01 10:00", "1500", "food"],
        ["Y1", "2025-01-01 10:00", "9000", "rice"],
    ]
    contacts = [
        ["X1", "2025-02-01 10:00", "call", "complaint", "op1"],
        ["Y1", "2024-12-01 10:00", "call", "not_interested", "op2"],
        ["D1", "2026-06-01 10:00", "call", "no_answer", "op1"],
    ]
    try:
        import_file(
            engine, "customers", write_csv(tmp_path / "people.csv", header, people), settings
        )
        import_file(engine, "transactions", write_csv(tmp_path / "orders.csv",
                    ["customer_id", "ordered_at", "amount", "category"], orders), settings)  # fmt: skip
        import_file(engine, "contacts", write_csv(tmp_path / "contacts.csv",
                    ["customer_id", "at", "channel", "outcome", "operator"], contacts), settings)  # fmt: skip
    finally:
        engine.dispose()


# RFM over the nine buyers (hand-computed quintiles, ties sharing the average rank):
# recency days 669 ×3 (X1, N1, Y1) → 1; 426 → 2; 295, 214 → 3; 180, 123 → 4; 17 → 5
# orders: 1 ×7 → 2; 2 → 4; 3 → 5.  spend: 8000, 9000 → 3; 12000 → 4; 120000 → 5.
EXPECTED_DORMANT = [
    {"customer_id": "D1", "name": "休眠一郎", "kind": "b2c", "state": "dormant",
     "last_order_at": "2026-04-01T10:00:00+09:00", "days_since_last_order": 214, "orders": 3, "monetary": 12000,
     "main_category": "food", "rfm": {"r": 3, "f": 5, "m": 4}, "phone": "+819011110001"},
    {"customer_id": "B2", "name": "株式会社休眠", "kind": "b2b", "state": "dormant",
     "last_order_at": "2025-09-01T10:00:00+09:00", "days_since_last_order": 426, "orders": 2, "monetary": 120000,
     "main_category": "office", "rfm": {"r": 2, "f": 4, "m": 5}, "phone": "+81120111222"},
    {"customer_id": "D2", "name": "境界花子", "kind": "b2c", "state": "dormant",
     "last_order_at": "2026-05-05T10:00:00+09:00", "days_since_last_order": 180, "orders": 1, "monetary": 8000,
     "main_category": "wine", "rfm": {"r": 4, "f": 2, "m": 3}, "phone": "+81311110002"},
    {"customer_id": "Y1", "name": "昔断六郎", "kind": "b2c", "state": "dormant",
     "last_order_at": "2025-01-01T10:00:00+09:00", "days_since_last_order": 669, "orders": 1, "monetary": 9000,
     "main_category": "rice", "rfm": {"r": 1, "f": 2, "m": 3}, "phone": "+819011110009"},
]  # fmt: skip


def test_customers_dormant_json_lists_exactly_the_dormant_customers_and_states_of_everyone(
    db_url, tmp_path, settings
):
    _data_set(db_url, tmp_path, settings)

    result = workbench(
        db_url, "customers", "--state", "dormant", "--json", "--at", AT, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    rows = json_lines(result.stdout)
    assert sorted(r["customer_id"] for r in rows) == ["B2", "D1", "D2", "Y1"]
    fields = ["customer_id", "name", "kind", "state", "last_order_at", "days_since_last_order", "orders",
              "monetary", "main_category", "rfm", "phone"]  # fmt: skip
    assert [{k: r[k] for k in fields} for r in rows] == EXPECTED_DORMANT  # most valuable first
    assert rows[1]["company"] == "休眠商事"

    everyone = workbench(db_url, "customers", "--json", "--at", AT, cwd=tmp_path)

    assert everyone.returncode == 0, everyone.stderr
    states = {r["customer_id"]: r["state"] for r in json_lines(everyone.stdout)}
    assert states == {
        "D1": "dormant", "D2": "dormant", "B2": "dormant", "Y1": "dormant", "A1": "active", "R1": "at_risk",
        "B1": "at_risk", "X1": "churned", "N1": "churned", "P1": "prospect",
    }  # fmt: skip


def test_customers_with_an_unknown_state(sqlite_url, tmp_path):
    result = workbench(sqlite_url, "customers", "--state", "nonsense", "--at", AT, cwd=tmp_path)
    assert_user_error(result, "nonsense", "dormant")


def test_customers_show_json_includes_purchases_and_contacts(db_url, tmp_path, settings):
    _data_set(db_url, tmp_path, settings)

    result = workbench(db_url, "customers", "show", "D1", "--json", "--at", AT, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    [detail] = json_lines(result.stdout)
    assert (detail["customer_id"], detail["state"], detail["orders"], detail["monetary"]) == (
        "D1",
        "dormant",
        3,
        12000,
    )
    assert [(p["amount"], p["category"]) for p in detail["purchases"]] == [
        (3000, "food"),
        (5000, "food"),
        (4000, "wine"),
    ]
    assert detail["purchases"][-1]["ordered_at"] == "2026-04-01T10:00:00+09:00"
    assert [(c["channel"], c["outcome"], c["operator"]) for c in detail["contacts"]] == [
        ("call", "no_answer", "op1")
    ]
    assert [p["e164"] for p in detail["phones"]] == ["+819011110001"]
    assert detail["do_not_call"] == []

    churned = json_lines(
        workbench(db_url, "customers", "show", "N1", "--json", "--at", AT, cwd=tmp_path).stdout
    )[0]
    assert churned["state"] == "churned"
    assert [d["source"] for d in churned["do_not_call"]] == ["import"]


def test_customers_show_of_an_unknown_id(sqlite_url, tmp_path):
    result = workbench(
        sqlite_url, "customers", "show", "NOBODY", "--json", "--at", AT, cwd=tmp_path
    )
    assert_user_error(result, "NOBODY")
