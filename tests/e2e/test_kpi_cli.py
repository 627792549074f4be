"""`workbench kpi` through the command line: JSON fields, a table that fits 80 columns in
Japanese and English, the no-control notice, and bad options refused with exit 2.

The fixture is `tests/store/kpi_fixture.py`'s; the figures themselves are checked by hand in
`tests/store/test_kpi.py`, here only that the command prints the service's values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from tests.store.kpi_fixture import CAMPAIGN, CONTROL, ENV, seed
from workbench.cli.context import UserError
from workbench.cli.root import app
from workbench.store.engine import make_engine

FIELDS = [
    "since", "until", "control_contacted", "kpi", "group_by", "group", "campaign_n", "control_n", "campaign",
    "control", "uplift", "uplift_low", "uplift_high", "relative_lift", "unit",
    "campaign_censored", "control_censored", "cost", "incremental_revenue", "incremental_low",
    "incremental_high",
]  # fmt: skip
KPIS = ["reactivation_rate", "repurchase_rate", "order_value_recovery", "ltv_change",
        "revenue_per_customer", "roi"]  # fmt: skip
PERIOD = ["--since", "2026-06-01", "--until", "2026-08-29"]


@pytest.fixture
def url(db_url: str) -> Iterator[str]:
    engine = make_engine(db_url)
    seed(engine)
    engine.dispose()
    yield db_url


def invoke(url: str, *args: str, language: str = "ja", **extra: str):  # type: ignore[no-untyped-def]
    env = {"WORKBENCH_CONFIG": "/dev/null", "COLUMNS": "80", "WORKBENCH_LANGUAGE": language,
           **ENV, **extra}  # fmt: skip
    return CliRunner().invoke(app, ["--db", url, "kpi", *args], env=env)


def test_json_lines(url: str) -> None:
    result = invoke(url, *PERIOD, "--by", "kind", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(list(row) == FIELDS for row in rows)
    assert [(r["group_by"], r["group"], r["kpi"]) for r in rows] == [
        (by, group, kpi) for by, group in (("all", "all"), ("kind", "b2c"), ("kind", "b2b"))
        for kpi in KPIS
    ]  # fmt: skip
    first = rows[0]
    assert (first["since"], first["until"]) == ("2026-06-01", "2026-08-29")
    assert (first["campaign_n"], first["control_n"]) == (len(CAMPAIGN), len(CONTROL))
    assert first["campaign"] == pytest.approx(4 / len(CAMPAIGN))
    assert first["uplift"] == pytest.approx(4 / len(CAMPAIGN) - 2 / len(CONTROL))
    assert first["uplift_low"] < first["uplift"] < first["uplift_high"]
    assert rows[5]["cost"] > 0 and rows[5]["campaign"] is None
    # Everyone is a B2C customer: the b2b rows are empty and have no uplift.
    assert all(r["campaign_n"] == 0 and r["uplift"] is None for r in rows if r["group"] == "b2b")


def test_default_period_is_the_90_days_up_to_today(url: str) -> None:
    result = invoke(url, "--json", WORKBENCH_NOW="2026-08-29T18:00")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout.splitlines()[0])
    assert (row["since"], row["until"]) == ("2026-06-01", "2026-08-29")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_table_fits_80_columns(url: str, language: str) -> None:
    result = invoke(url, *PERIOD, "--by", "segment", language=language)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for line in lines:
        assert cell_len(line) <= 80, line
        assert "…" not in line, line
    text = result.stdout
    if language == "ja":
        assert "再開率" in text and "休眠" in text and "Reactivation" not in text
        assert "2026-06-01 ～ 2026-08-29" in text
    else:
        assert "Reactivation" in text and "dormant" in text and "再開率" not in text
    percent = f"{4 / len(CAMPAIGN) * 100:.1f}%"
    assert percent in text  # the campaign's reactivation rate


def test_no_control_group_is_said(url: str) -> None:
    ja = invoke(url, *PERIOD, WORKBENCH_KPI_CONTROL_SHARE="0")
    assert ja.exit_code == 0 and "対照群がありません" in ja.stdout
    en = invoke(url, *PERIOD, language="en", WORKBENCH_KPI_CONTROL_SHARE="0")
    assert "no control group" in en.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--since", "2026-13-01"], "--since"),
        (["--until", "yesterday"], "--until"),
        (["--since", "2026-06-10", "--until", "2026-06-01"], "--until"),
        (["--by", "operator"], "--by"),
    ],
)
def test_bad_options_are_one_line_errors(url: str, args: list[str], named: str) -> None:
    result = invoke(url, *args)
    assert isinstance(result.exception, UserError), result.output
    message = str(result.exception)
    assert "\n" not in message and message.startswith(named), message


def test_bad_date_exits_2_through_the_entry_point(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli.root import main

    monkeypatch.setenv("WORKBENCH_CONFIG", "/dev/null")
    monkeypatch.setattr("sys.argv", ["workbench", "--db", url, "kpi", "--since", "2026-02-30"])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --since"), err
