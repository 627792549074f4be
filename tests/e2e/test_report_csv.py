"""`workbench report --csv DIR` (issue #13 item 5): the report's raw tables as CSV files,
UTF-8 with a BOM by default (as the import's rejects file), Shift_JIS with `--encoding cp932`,
and a character Shift_JIS cannot hold refused with its file, line and field.

The fixture is `report_fixture.py`'s.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.e2e.report_fixture import (
    A_V,
    B_V,
    KPI_NOW,
    SCRIPT_NOTE,
    A,
    B,
    lapsed_buyers,
    seed,
    seed_lapsed,
)
from tests.store.kpi_fixture import in_control
from workbench.cli.context import UserError
from workbench.cli.root import app
from workbench.report.csv_files import KPI_FIELDS, REASON_FIELDS, SCRIPT_FIELDS, WEEK_FIELDS

FILES = ("scripts.csv", "weekly.csv", "reasons.csv", "kpi.csv")
LAPSED_IDS: list[int] = []


@pytest.fixture
def url(db_url: str) -> Iterator[str]:
    seed(db_url)
    LAPSED_IDS[:] = seed_lapsed(db_url)
    yield db_url


def invoke(url: str, *args: str, language: str = "ja"):  # type: ignore[no-untyped-def]
    env = {"WORKBENCH_CONFIG": "/dev/null", "WORKBENCH_LANGUAGE": language,
           "WORKBENCH_KPI_CONTROL_SHARE": "0.5", "WORKBENCH_NOW": KPI_NOW}  # fmt: skip
    return CliRunner().invoke(app, ["--db", url, "report", *args], env=env)


def read(path: Path, encoding: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def test_utf8_tables_with_bom(url: str, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    result = invoke(url, "--csv", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    for name, fields in zip(
        FILES, (SCRIPT_FIELDS, WEEK_FIELDS, REASON_FIELDS, KPI_FIELDS), strict=True
    ):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # Excel reads UTF-8 only with its BOM
        assert raw.decode("utf-8-sig").splitlines()[0] == ",".join(fields)
    scripts = read(out / "scripts.csv", "utf-8-sig")
    # Each script version's total, then its rows by reason (no reason first: unanswered dials).
    assert [(r["level"], r["script_id"], r["version"], r["reason"]) for r in scripts] == [
        ("total", A, A_V, ""), ("breakdown", A, A_V, ""), ("breakdown", A, A_V, "price"),
        ("breakdown", A, A_V, "quality_dissatisfaction"),
        ("total", B, B_V, ""), ("breakdown", B, B_V, ""), ("breakdown", B, B_V, "price"),
    ]  # fmt: skip
    a = scripts[0]
    assert (a["attempts"], a["contacts"], a["reactivations"], a["revenue"]) == (
        "50",
        "35",
        "10",
        "48000",
    )
    # 10/35 = 0.285714; Wilson [0.163265, 0.450549] (hand-computed in test_report_html.py).
    assert (a["rate"], a["wilson_low"], a["wilson_high"]) == ("0.285714", "0.163265", "0.450549")
    assert a["not_enough_data"] == "false" and scripts[4]["not_enough_data"] == "true"
    assert scripts[2]["reason_label"] == "価格"
    weeks = read(out / "weekly.csv", "utf-8-sig")
    assert [(w["week_start"], w["dials"], w["conversations"], w["reactivations"], w["revenue"])
            for w in weeks] == [("2026-03-02", "42", "30", "9", "45000"),
                                ("2026-03-09", "24", "13", "2", "11000")]  # fmt: skip
    # 2/13: Wilson centre 0.232802, half 0.189544.
    assert (weeks[1]["rate"], weeks[1]["wilson_low"]) == ("0.153846", "0.043258")
    reasons = read(out / "reasons.csv", "utf-8-sig")
    assert [(r["reason"], r["mentions"], r["customers"], r["reactivations"]) for r in reasons] == [
        ("price", "38", "2", "10"), ("quality_dissatisfaction", "5", "2", "1"),
    ]  # fmt: skip
    assert reasons[0]["notes"] == f"{SCRIPT_NOTE} / 価格を見直してほしい"  # text, as written
    # English: the same codes and headers, the reasons in English words.
    english = tmp_path / "en"
    assert invoke(url, "--csv", str(english), language="en").exit_code == 0
    assert (
        read(english / "reasons.csv", "utf-8-sig")[1]["reason_label"] == "quality dissatisfaction"
    )


def test_kpi_table(url: str, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    assert invoke(url, "--csv", str(out)).exit_code == 0
    rows = read(out / "kpi.csv", "utf-8-sig")
    # Every KPI overall, then by kind, segment, reason and script (no calls: no script rows).
    assert [r["group_by"] for r in rows[:6]] == ["all"] * 6
    assert {r["group_by"] for r in rows[6:]} == {"kind", "segment", "reason"}
    campaign = [i for i in LAPSED_IDS if not in_control(i)]
    control = [i for i in LAPSED_IDS if in_control(i)]
    won = {LAPSED_IDS[k] for k in lapsed_buyers()}
    first = rows[0]
    assert (first["since"], first["until"], first["kpi"]) == (
        "2025-12-21", "2026-03-20", "reactivation_rate")  # fmt: skip
    assert (first["campaign_n"], first["control_n"]) == (str(len(campaign)), str(len(control)))
    assert first["campaign"] == f"{len(won & set(campaign)) / len(campaign):.6f}"
    assert first["control"] == f"{len(won & set(control)) / len(control):.6f}"
    assert first["group_label"] == "全体" and first["campaign_censored"] == ""
    dormant = [r for r in rows if (r["group_by"], r["kpi"]) == ("segment", "reactivation_rate")]
    assert [(r["group"], r["group_label"]) for r in dormant] == [("dormant", "休眠")]
    # Shift_JIS holds every word of it.
    sjis = tmp_path / "sjis"
    assert (
        invoke(url, "--csv", str(sjis), "--encoding", "cp932", "--until", "2026-03-08").exit_code
        == 0
    )
    assert read(sjis / "kpi.csv", "cp932")[0]["until"] == "2026-03-08"


def test_shift_jis_on_request(url: str, tmp_path: Path) -> None:
    out = tmp_path / "sjis"
    # Up to 03-08: the emoji note (week of 03-09) is not in the period.
    result = invoke(url, "--csv", str(out), "--encoding", "cp932", "--until", "2026-03-08")
    assert result.exit_code == 0, result.output
    raw = (out / "reasons.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "価格を見直してほしい".encode("cp932") in raw
    rows = read(out / "reasons.csv", "cp932")
    assert [(r["reason"], r["reason_label"], r["mentions"]) for r in rows] == [
        ("price", "価格", "30")
    ]
    assert [r["dials"] for r in read(out / "weekly.csv", "cp932")] == ["42"]


def test_unencodable_character_names_file_line_and_field(url: str, tmp_path: Path) -> None:
    out = tmp_path / "sjis"
    result = invoke(url, "--csv", str(out), "--encoding", "sjis")
    assert isinstance(result.exception, UserError), result.output
    message = str(result.exception)
    # reasons.csv line 3 (header, price, quality): the quality note's emoji.
    assert message.startswith("reasons.csv:3: notes: '😀'") and "U+1F600" in message
    assert "--encoding utf-8" in message and "\n" not in message
    assert not out.exists()  # nothing half-written
    english = invoke(url, "--csv", str(out), "--encoding", "cp932", language="en")
    assert "has no code in cp932" in str(english.exception)


def test_refusals(url: str, tmp_path: Path) -> None:
    result = invoke(url, "--csv", str(tmp_path / "x"), "--encoding", "latin-1")
    assert isinstance(result.exception, UserError)
    assert "'latin-1'" in str(result.exception) and "cp932" in str(result.exception)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke(url, "--csv", str(blocker))
    assert isinstance(result.exception, UserError)
    assert str(blocker) in str(result.exception) and "書き込めません" in str(result.exception)
