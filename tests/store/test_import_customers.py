"""Customer import on SQLite and PostgreSQL: encodings, phones, re-imports, rejects, atomicity."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from workbench.importing.csvfile import SNIFF_BYTES, CsvSource, ImportFileError
from workbench.importing.records import CUSTOMER_COLUMNS, CUSTOMER_REQUIRED
from workbench.services import importer
from workbench.services.importer import import_file
from workbench.store.models import (
    ContactAttempt,
    Customer,
    CustomerMetrics,
    DoNotCall,
    Phone,
    Purchase,
)

# These tests read the English texts (language = "en"); tests/e2e/test_cli_messages_language.py
# checks that the same errors are Japanese by default.
pytestmark = pytest.mark.usefixtures("english_messages")

customers = Customer.__table__
phones = Phone.__table__
dnc = DoNotCall.__table__

HEADER = ["customer_id", "name", "kind", "phone", "phone2", "do_not_call", "email_opt_out"]


# --------------------------------------------------------------------------- helpers


def csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    path.write_bytes(csv_text(header, rows, newline).encode(encoding))
    return path


def customer_row(cid: str, name: str = "山田太郎", phone: str = "090-1234-5678", phone2: str = "",
                 dnc_flag: str = "0", opt_out: str = "0", kind: str = "b2c") -> list[str]:  # fmt: skip
    return [cid, name, kind, phone, phone2, dnc_flag, opt_out]


def run(engine: Engine, path: Path, settings, **kwargs):  # type: ignore[no-untyped-def]
    return import_file(engine, "customers", path, settings, **kwargs)


def count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def customer_by_id(engine: Engine, external_id: str):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(
            select(customers).where(customers.c.external_id == external_id)
        ).one_or_none()


def phones_of(engine: Engine, external_id: str) -> dict[int, object]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(phones)
            .join(customers, customers.c.id == phones.c.customer_id)
            .where(customers.c.external_id == external_id)
        ).all()
    return {r.position: r for r in rows}


def dnc_rows(engine: Engine) -> list:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return conn.execute(select(dnc).order_by(dnc.c.id)).all()


def snapshot(engine: Engine) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    tables = [Customer, Phone, DoNotCall, Purchase, ContactAttempt, CustomerMetrics]
    out = {}
    with engine.connect() as conn:
        for model in tables:
            table = model.__table__
            pk = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*pk)).all()]
    return out


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- encodings


def test_utf8_file_imports_all_fields(engine, settings, tmp_path):
    header = ["customer_id", "name", "name_kana", "kind", "company", "contact_person", "previous_rep",
              "phone", "phone2", "email", "prefecture", "created_at", "do_not_call", "email_opt_out"]  # fmt: skip
    rows = [
        ["C001", "山田 太郎", "ヤマダ タロウ", "b2c", "", "", "佐藤", "090-1234-5678", "", "taro@example.jp",
         "東京都", "2024/04/01 09:30", "0", "0"],
        ["C002", "株式会社髙橋商店", "", "B2B", "髙橋商店", "髙橋 一郎", "", "03-1234-5678", "",
         "", "大阪府", "2024-04-01T09:30+09:00", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "customers.csv", header, rows)

    summary = run(engine, path, settings)

    assert (summary.encoding, summary.rows, summary.inserted, summary.updated, summary.unchanged, summary.rejected) == (
        "utf-8", 2, 2, 0, 0, 0,
    )  # fmt: skip
    assert summary.rejects_path is None
    assert not (tmp_path / "customers.rejects.csv").exists()
    c1 = customer_by_id(engine, "C001")
    assert (c1.name, c1.name_kana, c1.kind, c1.previous_rep, c1.email, c1.prefecture) == (
        "山田 太郎", "ヤマダ タロウ", "b2c", "佐藤", "taro@example.jp", "東京都",
    )  # fmt: skip
    assert c1.company is None and c1.contact_person is None
    # A naive created_at is Tokyo time; stored as UTC.
    assert c1.created_at == datetime(2024, 4, 1, 0, 30, tzinfo=UTC)
    c2 = customer_by_id(engine, "C002")
    assert (c2.kind, c2.company, c2.contact_person, c2.email) == (
        "b2b",
        "髙橋商店",
        "髙橋 一郎",
        None,
    )
    assert c2.created_at == datetime(2024, 4, 1, 0, 30, tzinfo=UTC)
    assert c2.email_opt_out is False
    assert phones_of(engine, "C001")[1].e164 == "+819012345678"
    assert phones_of(engine, "C002")[1].e164 == "+81312345678"


def test_utf8_with_bom_is_detected(engine, settings, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + csv_text(HEADER, [customer_row("C1", "鈴木花子")]).encode("utf-8")
    )

    summary = run(engine, path, settings)

    assert summary.encoding == "utf-8-sig"
    assert (summary.rows, summary.inserted, summary.rejected) == (1, 1, 0)
    assert customer_by_id(engine, "C1").name == "鈴木花子"


def test_explicit_utf8_on_a_bom_file_still_finds_the_first_column(engine, settings, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + csv_text(HEADER, [customer_row("C1", "鈴木花子")]).encode("utf-8")
    )

    summary = run(engine, path, settings, encoding="utf-8")

    assert (summary.rows, summary.inserted, summary.rejected) == (1, 1, 0)
    assert customer_by_id(engine, "C1").external_id == "C1"


CP932_NAMES = ["髙橋 一郎", "①番窓口 株式会社", "渡邉 ㈱テスト", "山﨑 花子"]


def test_cp932_is_detected_automatically(engine, settings, tmp_path):
    rows = [
        customer_row(f"S{i}", name, phone=f"090-1111-000{i}") for i, name in enumerate(CP932_NAMES)
    ]
    # Excel writes CP932 with CRLF line ends.
    path = write_csv(tmp_path / "sjis.csv", HEADER, rows, encoding="cp932", newline="\r\n")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    summary = run(engine, path, settings)

    assert summary.encoding == "cp932"
    assert (summary.rows, summary.inserted, summary.rejected) == (4, 4, 0)
    with engine.connect() as conn:
        stored = conn.execute(
            select(customers.c.external_id, customers.c.name).order_by(customers.c.external_id)
        ).all()
    assert [name for _, name in stored] == CP932_NAMES


def test_cp932_with_explicit_encoding_and_its_aliases(engine, settings, tmp_path):
    rows = [
        customer_row(f"S{i}", name, phone=f"090-1111-000{i}") for i, name in enumerate(CP932_NAMES)
    ]
    path = write_csv(tmp_path / "sjis.csv", HEADER, rows, encoding="cp932")

    results = {given: run(engine, path, settings, encoding=given) for given in
               ("cp932", "shift_jis", "Shift_JIS", "sjis", "shift-jis")}  # fmt: skip

    # Plain Shift_JIS has no ① or 髙: every alias must read the file as CP932.
    assert {given: s.encoding for given, s in results.items()} == dict.fromkeys(results, "cp932")
    assert [(s.inserted, s.unchanged, s.rejected) for s in results.values()] == [(4, 0, 0)] + [
        (0, 4, 0)
    ] * 4
    assert customer_by_id(engine, "S1").name == "①番窓口 株式会社"
    assert count(engine, customers) == 4


# --------------------------------------------------------------------------- phones

PHONE_CASES = [
    ("０９０－１２３４－５６７８", "+819012345678", "mobile", "Asia/Tokyo"),
    ("090-1234-5678", "+819012345678", "mobile", "Asia/Tokyo"),
    ("09012345678", "+819012345678", "mobile", "Asia/Tokyo"),
    ("080 1234 5678", "+818012345678", "mobile", "Asia/Tokyo"),
    ("070ー1234ー5678", "+817012345678", "mobile", "Asia/Tokyo"),
    ("(03) 1234-5678", "+81312345678", "fixed_line", "Asia/Tokyo"),
    ("０３（１２３４）５６７８", "+81312345678", "fixed_line", "Asia/Tokyo"),
    ("06-6123-4567", "+81661234567", "fixed_line", "Asia/Tokyo"),
    ("+81 90 1234 5678", "+819012345678", "mobile", "Asia/Tokyo"),
    ("+81(0)3-1234-5678", "+81312345678", "fixed_line", "Asia/Tokyo"),
    ("+81 (0)3-1234-5678", "+81312345678", "fixed_line", "Asia/Tokyo"),
    ("＋８１　９０　１２３４　５６７８", "+819012345678", "mobile", "Asia/Tokyo"),
    ("0120-123-456", "+81120123456", "toll_free", "Asia/Tokyo"),
    ("050-1234-5678", "+815012345678", "voip", "Asia/Tokyo"),
    ("+1 212-736-5000", "+12127365000", "fixed_line_or_mobile", "America/New_York"),
]


def test_phone_numbers_are_normalised_with_type_and_zone(engine, settings, tmp_path):
    rows = [customer_row(f"P{i:02d}", phone=raw) for i, (raw, *_rest) in enumerate(PHONE_CASES)]
    path = write_csv(tmp_path / "phones.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert (summary.inserted, summary.rejected) == (len(PHONE_CASES), 0)
    for i, (raw, e164, number_type, zone) in enumerate(PHONE_CASES):
        phone = phones_of(engine, f"P{i:02d}")[1]
        assert (phone.e164, phone.number_type, phone.time_zones, phone.raw) == (
            e164,
            number_type,
            zone,
            raw,
        ), raw
        assert phone.retired_at is None


def test_second_phone_is_stored_at_position_2(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [customer_row("C1", phone="03-1234-5678", phone2="090-8765-4321")],
    )

    run(engine, path, settings)

    stored = phones_of(engine, "C1")
    assert sorted(stored) == [1, 2]
    assert (stored[1].e164, stored[2].e164, stored[2].number_type) == (
        "+81312345678",
        "+819087654321",
        "mobile",
    )


INVALID_PHONES = [
    ("phone", "03-1234", ""),
    ("phone", "abc", ""),
    ("phone", "0000000000", ""),
    ("phone", "090-1234-56789", ""),
    ("phone", "090-0123-4567", ""),
    ("phone", "", ""),
    ("phone2", "090-1234-5678", "03-1234"),
    ("phone2", "090-1234-5678", "tel:0312345678"),
]


def test_invalid_phone_numbers_are_rejected_not_guessed(engine, settings, tmp_path):
    rows = [customer_row("OK", phone="03-1234-5678")]
    rows += [
        customer_row(f"BAD{i}", phone=phone, phone2=phone2)
        for i, (_, phone, phone2) in enumerate(INVALID_PHONES)
    ]
    path = write_csv(tmp_path / "c.csv", HEADER, rows)

    summary = run(engine, path, settings)

    n = len(INVALID_PHONES)
    assert (summary.rows, summary.inserted, summary.rejected) == (n + 1, 1, n)
    assert summary.reject_columns == {"phone": 6, "phone2": 2}
    with engine.connect() as conn:
        assert conn.execute(select(customers.c.external_id)).scalars().all() == ["OK"]
    assert count(engine, phones) == 1
    rejects = read_rejects(Path(summary.rejects_path))
    assert sorted((int(r["line"]), r["column"]) for r in rejects) == [
        (i + 3, column) for i, (column, _, _) in enumerate(INVALID_PHONES)
    ]
    assert all(r["reason"] for r in rejects)


# --------------------------------------------------------------------------- re-imports


def test_importing_the_same_file_twice_changes_nothing(engine, settings, tmp_path):
    rows = [
        customer_row("C1", "山田太郎", "090-1234-5678", "03-1234-5678", dnc_flag="1"),
        customer_row("C2", "佐藤花子", "０８０－１１１１－２２２２", opt_out="1"),
        customer_row("C3", "髙橋一郎", "+81(0)3-9999-8888"),
    ]
    path = write_csv(tmp_path / "c.csv", HEADER, rows)
    first = run(engine, path, settings)
    before = snapshot(engine)

    second = run(engine, path, settings)

    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.rows, second.inserted, second.updated, second.unchanged, second.rejected) == (
        3,
        0,
        0,
        3,
        0,
    )
    assert snapshot(engine) == before


def test_changed_name_updates_the_customer_by_external_id(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [customer_row("C1", "山田太郎"), customer_row("C2", "佐藤花子", "03-1111-2222")],
    )
    run(engine, path, settings)
    id_before = customer_by_id(engine, "C1").id

    write_csv(
        path,
        HEADER,
        [customer_row("C1", "山田 太郎（改姓）"), customer_row("C2", "佐藤花子", "03-1111-2222")],
    )
    summary = run(engine, path, settings)

    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, 1)
    after = customer_by_id(engine, "C1")
    assert (after.id, after.name) == (id_before, "山田 太郎（改姓）")
    assert count(engine, customers) == 2


def test_changed_phone_counts_as_update_and_clears_retirement_only_for_new_numbers(
    engine, settings, tmp_path
):
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [
            customer_row("MOVED", phone="090-1111-1111"),
            customer_row("SAME", phone="090-2222-2222"),
            customer_row("REFORMAT", phone="090-3333-3333"),
        ],
    )
    run(engine, path, settings)
    retired = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(update(phones).values(retired_at=retired))

    write_csv(
        path,
        HEADER,
        [
            customer_row("MOVED", phone="090-1111-9999"),  # a different number
            customer_row("SAME", phone="090-2222-2222"),  # exactly as before
            customer_row(
                "REFORMAT", phone="０９０３３３３３３３３"
            ),  # the same number, typed differently
        ],
    )
    summary = run(engine, path, settings)

    moved, same, reformat = (
        phones_of(engine, "MOVED")[1],
        phones_of(engine, "SAME")[1],
        phones_of(engine, "REFORMAT")[1],
    )
    assert (moved.e164, moved.retired_at) == ("+819011119999", None)
    assert (same.e164, same.retired_at) == ("+819022222222", retired)
    assert (reformat.e164, reformat.raw, reformat.retired_at) == (
        "+819033333333",
        "０９０３３３３３３３３",
        retired,
    )
    assert summary.inserted == 0
    assert summary.updated >= 1 and summary.updated + summary.unchanged == 3
    assert summary.unchanged >= 1  # SAME did not change


def test_retired_number_stays_retired_when_it_moves_to_the_other_position(
    engine, settings, tmp_path
):
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [customer_row("C1", phone="090-1111-1111", phone2="03-2222-2222")],
    )
    run(engine, path, settings)
    retired = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
    with engine.begin() as conn:  # the mobile turned out to be a wrong number
        conn.execute(
            update(phones).where(phones.c.e164 == "+819011111111").values(retired_at=retired)
        )

    # The next export lists the same two numbers, in the other order.
    write_csv(path, HEADER, [customer_row("C1", phone="03-2222-2222", phone2="090-1111-1111")])
    run(engine, path, settings)

    by_number = {p.e164: p for p in phones_of(engine, "C1").values()}
    assert set(by_number) == {"+81322222222", "+819011111111"}
    assert (
        by_number["+819011111111"].retired_at == retired
    )  # an unchanged number keeps its retirement
    assert by_number["+81322222222"].retired_at is None


def test_only_a_phone_change_is_counted_updated(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", HEADER, [customer_row("C1", phone="090-1111-1111"), customer_row("C2")]
    )
    run(engine, path, settings)

    write_csv(path, HEADER, [customer_row("C1", phone="090-1111-2222"), customer_row("C2")])
    summary = run(engine, path, settings)

    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, 1)


def test_removing_phone2_deletes_the_stored_second_phone(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [customer_row("C1", phone="03-1234-5678", phone2="090-1234-5678")],
    )
    run(engine, path, settings)
    assert sorted(phones_of(engine, "C1")) == [1, 2]

    write_csv(path, HEADER, [customer_row("C1", phone="03-1234-5678", phone2="")])
    summary = run(engine, path, settings)

    stored = phones_of(engine, "C1")
    assert sorted(stored) == [1]
    assert stored[1].e164 == "+81312345678"
    assert count(engine, phones) == 1
    assert (summary.updated, summary.unchanged) == (1, 0)


def test_do_not_call_flag_creates_one_customer_entry_that_imports_never_lift(
    engine, settings, tmp_path
):
    now = datetime(2026, 1, 10, 1, 0, tzinfo=UTC)
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [customer_row("C1", dnc_flag="1"), customer_row("C2", phone="03-1111-2222")],
    )
    run(engine, path, settings, now=now)

    entries = dnc_rows(engine)
    assert len(entries) == 1
    c1 = customer_by_id(engine, "C1")
    assert (entries[0].customer_id, entries[0].e164, entries[0].source) == (c1.id, None, "import")
    assert entries[0].created_at == now

    run(engine, path, settings)  # same file again
    assert len(dnc_rows(engine)) == 1

    write_csv(
        path, HEADER, [customer_row("C1", dnc_flag="0"), customer_row("C2", phone="03-1111-2222")]
    )
    run(engine, path, settings)
    assert [(e.customer_id, e.e164) for e in dnc_rows(engine)] == [(c1.id, None)]


def test_do_not_call_accepts_common_true_spellings(engine, settings, tmp_path):
    spellings = ["1", "true", "yes", "はい", "○", "TRUE"]
    rows = [
        customer_row(f"C{i}", phone=f"090-1234-000{i}", dnc_flag=flag)
        for i, flag in enumerate(spellings)
    ]
    rows.append(customer_row("NO", phone="090-1234-0099", dnc_flag="いいえ"))
    path = write_csv(tmp_path / "c.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert summary.rejected == 0
    assert len(dnc_rows(engine)) == len(spellings)
    assert customer_by_id(engine, "NO").id not in {e.customer_id for e in dnc_rows(engine)}


def test_email_opt_out_is_never_cleared_by_a_later_import(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [customer_row("C1", opt_out="1"), customer_row("C2", opt_out="0")],
    )
    run(engine, path, settings)
    assert customer_by_id(engine, "C1").email_opt_out is True

    write_csv(path, HEADER, [customer_row("C1", opt_out="0"), customer_row("C2", opt_out="1")])
    summary = run(engine, path, settings)

    assert customer_by_id(engine, "C1").email_opt_out is True
    assert customer_by_id(engine, "C2").email_opt_out is True
    assert (summary.updated, summary.unchanged) == (1, 1)


# --------------------------------------------------------------------------- rejects


def test_duplicate_customer_id_rejects_the_later_row_naming_the_first_line(
    engine, settings, tmp_path
):
    rows = [customer_row("C1", "最初"), customer_row("C2"), customer_row("C1", "二番目")]
    path = write_csv(tmp_path / "c.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert (summary.rows, summary.inserted, summary.rejected) == (3, 2, 1)
    assert customer_by_id(engine, "C1").name == "最初"
    [reject] = read_rejects(Path(summary.rejects_path))
    assert (reject["line"], reject["column"]) == ("4", "customer_id")
    assert "line 2" in reject["reason"]


def test_rejects_file_keeps_the_whole_row_of_a_duplicate(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", HEADER, [customer_row("C1", "最初"), customer_row("C1", "二番目")]
    )

    summary = run(engine, path, settings)

    [reject] = read_rejects(Path(summary.rejects_path))
    assert (reject["line"], reject["column"]) == ("3", "customer_id")
    # "file, line, column, reason, then the row itself": enough to fix the row and import it again.
    assert (
        reject["row"]
        == "customer_id=C1,name=二番目,kind=b2c,phone=090-1234-5678,phone2=,do_not_call=0,email_opt_out=0"
    )


def test_duplicate_customer_id_across_batches(engine, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    rows = [customer_row(f"C{i}", phone=f"090-1234-000{i}") for i in range(1, 6)] + [
        customer_row("C1", "後")
    ]
    path = write_csv(tmp_path / "c.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert (summary.rows, summary.inserted, summary.rejected) == (6, 5, 1)
    assert customer_by_id(engine, "C1").name == "山田太郎"
    [reject] = read_rejects(Path(summary.rejects_path))
    assert (reject["line"], reject["column"]) == ("7", "customer_id")
    assert "line 2" in reject["reason"]


def test_parallel_validation_keeps_file_order_lines_and_rules(
    engine, settings, tmp_path, monkeypatch
):
    # Large files are validated in worker processes; force that path on a small file.
    from workbench.importing import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(importer, "BATCH", 40)
    pools: list[object] = []

    class CountingPool(pipeline.ProcessPoolExecutor):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            pools.append(self)

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", CountingPool)
    rows = []
    for i in range(1, 401):
        if i % 50 == 0:
            rows.append(
                customer_row(f"C{i}", kind="b2x", phone=f"090-1234-{i:04d}")
            )  # line i + 1 rejected
        else:
            rows.append(
                customer_row(
                    f"C{i}",
                    f"顧客{i}",
                    phone=f"090-1234-{i:04d}",
                    dnc_flag="1" if i % 7 == 0 else "0",
                )
            )
    rows.append(customer_row("C3", "重複"))  # line 402: duplicate of line 4, several batches later
    path = write_csv(tmp_path / "c.csv", HEADER, rows)

    summary = run(engine, path, settings, workers=2)

    assert len(pools) == 1
    assert (summary.rows, summary.inserted, summary.rejected) == (401, 392, 9)
    assert summary.reject_columns == {"kind": 8, "customer_id": 1}
    rejects = read_rejects(Path(summary.rejects_path))
    assert sorted((int(r["line"]), r["column"]) for r in rejects) == [
        (i + 1, "kind") for i in range(50, 401, 50)
    ] + [(402, "customer_id")]
    assert "line 4" in next(r for r in rejects if r["column"] == "customer_id")["reason"]
    with engine.connect() as conn:
        stored = dict(conn.execute(select(customers.c.external_id, customers.c.name)).all())
    assert len(stored) == 392 and stored["C3"] == "顧客3" and stored["C399"] == "顧客399"
    assert len(dnc_rows(engine)) == len([i for i in range(1, 401) if i % 7 == 0 and i % 50])
    assert phones_of(engine, "C123")[1].e164 == "+819012340123"


def test_every_rejected_row_is_in_the_rejects_file_with_its_real_line(engine, settings, tmp_path):
    header = ["customer_id", "name", "kind", "phone", "email", "created_at", "do_not_call"]
    lines = [
        ",".join(header),                                   # 1
        "G1,良い顧客,b2c,090-1234-5678,,,0",                 # 2 ok
        "",                                                 # 3 blank, skipped
        'G2,"改行を含む\n名前",b2c,090-1234-5679,,,0',      # 4-5 ok (quoted newline)
        "B1,種別不正,b2x,090-1234-5670,,,0",                # 6 kind
        "B2,,b2c,090-1234-5671,,,0",                        # 7 name empty
        "B3,メール不正,b2c,090-1234-5672,not-an-email,,0",   # 8 email
        "B4,電話不正,b2c,03-1234,,,0",                       # 9 phone
        "B5,列不足,b2c,090-1234-5673",                       # 10 too few fields
        "B6,列過多,b2c,090-1234-5674,,,0,extra",             # 11 too many fields
        "B7,フラグ不正,b2c,090-1234-5675,,,maybe",           # 12 do_not_call
        "B8,日付不正,b2c,090-1234-5676,,2024-13-45,0",       # 13 created_at
        ",ID無し,b2c,090-1234-5677,,,0",                     # 14 customer_id
        "G3,良い顧客3,b2b,0120-123-456,,,0",                 # 15 ok
    ]  # fmt: skip
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    summary = run(engine, path, settings)

    expected = [
        ("6", "kind"), ("7", "name"), ("8", "email"), ("9", "phone"), ("10", "*"), ("11", "*"),
        ("12", "do_not_call"), ("13", "created_at"), ("14", "customer_id"),
    ]  # fmt: skip
    assert summary.rejects_path == str(tmp_path / "mixed.rejects.csv")
    rejects = read_rejects(Path(summary.rejects_path))
    assert sorted((r["line"], r["column"]) for r in rejects) == sorted(expected)
    assert all(r["file"] == str(path) for r in rejects)
    assert all(r["reason"].strip() for r in rejects)
    kind_reject = next(r for r in rejects if r["column"] == "kind")
    assert (
        kind_reject["row"]
        == "customer_id=B1,name=種別不正,kind=b2x,phone=090-1234-5670,email=,created_at=,do_not_call=0"
    )
    assert (
        summary.rows,
        summary.inserted,
        summary.updated,
        summary.unchanged,
        summary.rejected,
    ) == (12, 3, 0, 0, 9)
    assert summary.rows == summary.inserted + summary.updated + summary.unchanged + summary.rejected
    assert summary.reject_columns == {
        "kind": 1, "name": 1, "email": 1, "phone": 1, "*": 2, "do_not_call": 1, "created_at": 1, "customer_id": 1,
    }  # fmt: skip
    assert count(engine, customers) == 3
    assert customer_by_id(engine, "G2").name == "改行を含む\n名前"


def test_wrong_field_count_is_rejected_with_column_star(engine, settings, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "customer_id,name,kind,phone\nC1,山田,b2c\nC2,佐藤,b2c,090-1234-5678\n", encoding="utf-8"
    )

    summary = run(engine, path, settings, rejects_path=tmp_path / "rej.csv")

    assert summary.rejects_path == str(tmp_path / "rej.csv")
    [reject] = read_rejects(tmp_path / "rej.csv")
    assert (reject["file"], reject["line"], reject["column"]) == (str(path), "2", "*")
    assert "3" in reject["reason"] and "4" in reject["reason"]
    assert (summary.inserted, summary.rejected) == (1, 1)


# --------------------------------------------------------------------------- malformed files


BAD_HEADERS = [
    ("customer_id,name,kind\nC1,山田,b2c\n", "phone"),  # missing required column
    ("customer_id,name,kind,phone,fax\nC1,山田,b2c,090-1234-5678,\n", "fax"),  # unknown column
    ("customer_id,name,kind,phone,name\nC1,a,b2c,090-1234-5678,b\n", "name"),  # duplicated column
]


def test_bad_header_raises_naming_file_and_line_and_writes_nothing(engine, settings, tmp_path):
    for i, (content, needle) in enumerate(BAD_HEADERS):
        path = tmp_path / f"bad{i}.csv"
        path.write_text(content, encoding="utf-8")

        with pytest.raises(ImportFileError) as caught:
            run(engine, path, settings)

        message = str(caught.value)
        assert f"{path}:1" in message, message
        assert needle in message, message
        assert not (tmp_path / f"bad{i}.rejects.csv").exists()
    assert count(engine, customers) == 0


def test_empty_file_raises_naming_file_and_line(engine, settings, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(ImportFileError) as caught:
        run(engine, path, settings)

    assert "empty" in str(caught.value)
    assert f"{path}:1" in str(caught.value)
    assert count(engine, customers) == 0


def test_missing_file_raises(engine, settings, tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(ImportFileError, match="file not found") as caught:
        run(engine, path, settings)
    assert str(path) in str(caught.value)


def _big_customer_file(path: Path, n_rows: int, bad_at_row: int, bad: bytes, encoding: str) -> int:
    """n_rows customers, row `bad_at_row` (1-based data row) carrying bytes invalid in `encoding`.

    Every row updates or flags something, so a partial commit would show.  Returns the bad line number.
    """
    out = [",".join(HEADER).encode(encoding)]
    for i in range(1, n_rows + 1):
        if i == bad_at_row:
            out.append(b"BAD1," + bad + b",b2c,090-9999-0000,,0,0")
            continue
        cid = f"C{i:06d}"
        name = "上書きされた名前" if i == 1 else f"顧客テスト太郎花子次郎三郎四郎五{i:06d}"
        flag = "1" if i % 7 == 0 else "0"
        out.append(
            f"{cid},{name},b2c,090-1{i // 10000:03d}-{i % 10000:04d},,{flag},{flag}".encode(
                encoding
            )
        )
    path.write_bytes(b"\n".join(out) + b"\n")
    return bad_at_row + 1


def test_bad_bytes_late_in_the_file_roll_back_the_whole_import(
    engine, settings, tmp_path, monkeypatch
):
    encoding, bad = "utf-8", b"\xff\xfe\xfd"
    # One customer exists already; the big file would rename it.
    seed = write_csv(
        tmp_path / "seed.csv", HEADER, [customer_row("C000001", "元の名前", "090-1000-0001")]
    )
    run(engine, seed, settings)
    before = snapshot(engine)

    path = tmp_path / "big.csv"
    bad_line = _big_customer_file(path, 16_000, 15_900, bad, encoding)
    data = path.read_bytes()
    assert data.index(bad) > SNIFF_BYTES  # beyond the sniffed block: detection picks `encoding`
    assert bad_line - 1 > 3 * importer.BATCH  # several batches come before the bad line
    written: list[int] = []
    original = importer.writer.write_customers

    def spy(conn, batch, now, *args):  # type: ignore[no-untyped-def]
        written.append(len(batch))
        return original(conn, batch, now, *args)

    monkeypatch.setattr(importer.writer, "write_customers", spy)

    with pytest.raises(ImportFileError) as caught:
        run(engine, path, settings)

    assert (
        len(written) >= 3 and sum(written) >= 3 * importer.BATCH
    )  # rows were written, then rolled back

    assert snapshot(engine) == before
    assert count(engine, customers) == 1
    assert customer_by_id(engine, "C000001").name == "元の名前"
    assert dnc_rows(engine) == []
    assert not (tmp_path / "big.rejects.csv").exists()
    message = str(caught.value)
    assert str(path) in message and encoding in message
    assert f"{path}:{bad_line}:" in message


def test_late_bytes_invalid_in_detected_cp932_name_the_file_and_line(tmp_path):
    # Decoding does not depend on the database: read the file as the importer does.
    path = tmp_path / "big_sjis.csv"
    bad = b"\x81\x20\x85\x40"
    bad_line = _big_customer_file(path, 16_000, 15_900, bad, "cp932")
    assert path.read_bytes().index(bad) > SNIFF_BYTES
    source = CsvSource(path, CUSTOMER_REQUIRED, CUSTOMER_COLUMNS)
    assert source.encoding == "cp932"

    seen = 0
    with pytest.raises(ImportFileError) as caught:
        for _row in source.rows():
            seen += 1

    assert seen >= 3 * importer.BATCH
    assert f"{path}:{bad_line}:" in str(caught.value) and "cp932" in str(caught.value)


def test_bad_bytes_error_names_the_real_line(engine, settings, tmp_path):
    for bad_at_row in (1, 1_500, 2_999):
        path = tmp_path / f"bad{bad_at_row}.csv"
        bad_line = _big_customer_file(path, 3_000, bad_at_row, b"\xff", "utf-8")

        with pytest.raises(ImportFileError) as caught:
            run(engine, path, settings, encoding="utf-8")

        assert f"{path}:{bad_line}:" in str(caught.value)
    assert count(engine, customers) == 0


def test_undecodable_small_file_is_refused_naming_the_file(engine, settings, tmp_path):
    path = tmp_path / "neither.csv"
    path.write_bytes(b"customer_id,name,kind,phone\nC1,\x81\x20\xef\xbf,b2c,090-1234-5678\n")

    with pytest.raises(ImportFileError) as caught:
        run(engine, path, settings)

    assert str(path) in str(caught.value)
    assert count(engine, customers) == 0


# --------------------------------------------------------------------------- column mapping


def test_column_mapping_file_maps_their_headers(engine, settings, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[columns]\ncustomer_id = "顧客番号"\nname = "氏名"\nkind = "区分"\nphone = "電話番号"\n'
        'do_not_call = "架電禁止"\n',
        encoding="utf-8",
    )
    path = write_csv(
        tmp_path / "crm.csv",
        ["顧客番号", "氏名", "区分", "電話番号", "架電禁止"],
        [
            ["K-001", "髙橋 ①郎", "b2c", "０９０－１２３４－５６７８", "1"],
            ["K-002", "佐藤", "b2b", "03-1234-5678", "0"],
        ],
        encoding="cp932",
    )

    summary = run(engine, path, settings, mapping_path=mapping)

    assert (summary.encoding, summary.inserted, summary.rejected) == ("cp932", 2, 0)
    assert customer_by_id(engine, "K-001").name == "髙橋 ①郎"
    assert phones_of(engine, "K-001")[1].e164 == "+819012345678"
    assert customer_by_id(engine, "K-002").kind == "b2b"
    assert len(dnc_rows(engine)) == 1


def test_their_headers_without_a_mapping_are_refused(engine, settings, tmp_path):
    path = write_csv(
        tmp_path / "crm.csv",
        ["顧客番号", "氏名", "区分", "電話番号"],
        [["K-001", "佐藤", "b2c", "03-1234-5678"]],
    )

    with pytest.raises(ImportFileError) as caught:
        run(engine, path, settings)

    assert f"{path}:1" in str(caught.value)
    assert count(engine, customers) == 0


def test_unreadable_mapping_file_is_an_import_error(engine, settings, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("[columns\ncustomer_id = ", encoding="utf-8")
    path = write_csv(tmp_path / "c.csv", HEADER, [customer_row("C1")])

    with pytest.raises(ImportFileError) as caught:
        run(engine, path, settings, mapping_path=mapping)

    assert str(mapping) in str(caught.value)
    assert count(engine, customers) == 0


def test_an_oversized_field_rejects_its_row_only(engine, settings, tmp_path):
    """A 400,000-character note used to abort the file ("field larger than field limit")."""
    rows = [
        customer_row("C1"),
        customer_row("C2", "あ" * 400_000, phone="090-1234-0002"),
        customer_row("C3", phone="090-1234-0003"),
    ]
    path = write_csv(tmp_path / "c.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert (summary.rows, summary.inserted, summary.rejected) == (3, 2, 1)
    assert customer_by_id(engine, "C2") is None and customer_by_id(engine, "C3") is not None
    [reject] = read_rejects(Path(summary.rejects_path))
    assert (reject["line"], reject["column"]) == ("3", "name")
    assert "400,000 characters" in reject["reason"]
    assert "あ" * 400_000 in reject["row"]  # nothing lost: the rejects file keeps the whole row


def test_the_rejects_file_opens_in_excel(engine, settings, tmp_path):
    """UTF-8 with a byte-order mark: Excel shows the Japanese instead of mojibake."""
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [customer_row("C1", "山田"), customer_row("C2", "田中", phone="12")],
        encoding="cp932",
    )

    summary = run(engine, path, settings)

    data = Path(summary.rejects_path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "田中" in data.decode("utf-8-sig")


def test_a_mapping_file_renames_values_as_well_as_columns(engine, settings, tmp_path):
    """An Excel export says 個人/法人 for the kind: `[values.kind]` maps them."""
    header = ["顧客番号", "氏名", "区分", "電話番号"]
    rows = [
        ["C1", "山田", "個人", "090-1234-0001"],
        ["C2", "山田商店", "法人 ", "03-1234-0002"],
        ["C3", "謎", "団体", "090-1234-0003"],
    ]
    path = write_csv(tmp_path / "c.csv", header, rows, encoding="cp932")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[columns]\ncustomer_id = "顧客番号"\nname = "氏名"\nkind = "区分"\nphone = "電話番号"\n'
        '[values.kind]\n"個人" = "b2c"\n"法人" = "b2b"\n',
        encoding="utf-8",
    )

    summary = run(engine, path, settings, mapping_path=mapping)

    assert (summary.inserted, summary.rejected) == (2, 1)
    assert customer_by_id(engine, "C1").kind == "b2c" and customer_by_id(engine, "C2").kind == "b2b"
    [reject] = read_rejects(Path(summary.rejects_path))
    assert (reject["line"], reject["column"]) == ("4", "kind")


def test_a_value_mapping_for_an_unknown_column_is_refused_with_the_file(engine, settings, tmp_path):
    path = write_csv(tmp_path / "c.csv", HEADER, [customer_row("C1")])
    mapping = tmp_path / "m.toml"
    mapping.write_text('[values.colour]\n"赤" = "red"\n', encoding="utf-8")

    with pytest.raises(
        ImportFileError, match=r"m\.toml: \[values\.colour\]: not a customers column"
    ):
        run(engine, path, settings, mapping_path=mapping)
    assert customer_by_id(engine, "C1") is None
