"""Times the CLI prints carry the customer's (or the configured) zone, never bare UTC (issue #11).

A real SQLite database: a small demo history ending 30 June 1998, plus one Tokyo
customer of our own whose only order was placed at 00:30 on 1 October 1997 (JST),
which is 30 September in UTC.  Wednesday 1 July 1998 21:00 in Tokyo is after the
calling window; it opens again on Thursday at 09:00 JST (00:00 UTC).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli.context import UserError
from workbench.cli.root import app

CUSTOMER = "TZ0001"
OTHER = "TZ0002"  # the same history, for the refused dispositions
NIGHT = "1998-07-01T21:00:00+09:00"  # Wednesday, after the window
MORNING = "1998-07-02T10:00:00+09:00"  # Thursday, inside it
PROBE_SCRIPT = "tz_probe"  # a script id no file has: its history is this one call


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("local_times")
    url = f"sqlite:///{folder / 'times.db'}"
    run(url, "demo", "--customers", "60", "--seed", "3", "--today", "1998-06-30")
    customers = folder / "customers.csv"
    customers.write_text(
        f"customer_id,name,kind,phone\n{CUSTOMER},時差 確認,b2c,03-5555-0101\n"
        f"{OTHER},時差 再確認,b2c,03-5555-0102\n",
        encoding="utf-8",
    )
    orders = folder / "orders.csv"
    # Naive times are read in the configured zone (Asia/Tokyo).
    orders.write_text(
        f"customer_id,ordered_at,amount,category\n{CUSTOMER},1997-10-01 00:30,5400,food\n"
        f"{OTHER},1997-10-01 00:30,5400,food\n",
        encoding="utf-8",
    )
    # A call before 09:00 in Tokyo is on the previous day in UTC (contact history may hold one).
    contacts = folder / "contacts.csv"
    contacts.write_text(
        "customer_id,at,channel,direction,outcome,operator,script\n"
        f"{CUSTOMER},1998-06-10 08:30,call,outbound,no_answer,op03,{PROBE_SCRIPT}\n",
        encoding="utf-8",
    )
    run(url, "import", "customers", str(customers))
    run(url, "import", "transactions", str(orders))
    run(url, "import", "contacts", str(contacts))
    run(url, "rescore", "--at", MORNING)
    return url


def run(url: str, *args: str) -> str:
    env = {"WORKBENCH_CONFIG": "/dev/null", "COLUMNS": "200"}  # tables wide enough to show dates
    result = CliRunner().invoke(app, ["--db", url, *args], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def json_lines(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_order_date_is_the_local_day(db: str) -> None:
    (shown,) = json_lines(run(db, "customers", "show", CUSTOMER, "--at", MORNING, "--json"))
    (order,) = shown["purchases"]
    assert order["ordered_at"] == "1997-10-01T00:30:00+09:00"
    assert order["ordered_on"] == "1997-10-01"
    assert shown["last_order_at"] == "1997-10-01T00:30:00+09:00"
    table = run(db, "customers", "show", CUSTOMER, "--at", MORNING)
    assert "1997-10-01T00:30:00+09:00" in table
    assert "1997-09-30" not in table


def test_customer_list_times_in_the_customer_zone(db: str) -> None:
    rows = json_lines(run(db, "customers", "--at", MORNING, "--json"))
    ours = next(r for r in rows if r["customer_id"] == CUSTOMER)
    assert ours["last_order_at"] == "1997-10-01T00:30:00+09:00"
    assert all(r["last_order_at"].endswith("+09:00") for r in rows if r["last_order_at"])


def test_explain_next_callable_at_nine_jst(db: str) -> None:
    (data,) = json_lines(run(db, "queue", "--explain", "--at", NIGHT, "--json"))
    assert data["callable_now"] == 0
    assert data["at"] == NIGHT
    assert data["next_callable_at"] == "1998-07-02T09:00:00+09:00"
    text = run(db, "queue", "--explain", "--at", "1998-07-01T12:00:00Z")  # Japanese by default
    assert "1998-07-01T21:00:00+09:00 時点" in text
    assert "次に架電可能になる時刻: 1998-07-02T09:00:00+09:00" in text


def test_callback_at_in_the_customer_zone(tmp_path: Path, db: str) -> None:
    # The callback time is given in UTC; it is 09:00 on Friday in Tokyo.
    run(db, "dispose", CUSTOMER, "--outcome", "callback", "--operator", "op01",
        "--at", MORNING, "--callback-at", "1998-07-03T00:00:00Z")  # fmt: skip
    due = "1998-07-03T09:00:00+09:00"
    (entry,) = json_lines(
        run(db, "queue", "--at", due, "--operator", "op01", "--limit", "1", "--json")
    )
    assert entry["customer_id"] == CUSTOMER and entry["callback_due"] is True
    assert entry["callback_at"] == due
    assert entry["local_time"] == due
    (shown,) = json_lines(run(db, "customers", "show", CUSTOMER, "--at", due, "--json"))
    imported, call = shown["contacts"]
    assert imported["at"] == "1998-06-10T08:30:00+09:00"
    assert call["at"] == "1998-07-02T10:00:00+09:00"
    assert call["callback_at"] == due


def test_callback_outside_the_window_names_local_times(db: str) -> None:
    result = CliRunner().invoke(
        app,
        ["--db", db, "dispose", OTHER, "--outcome", "callback", "--operator", "op02",
         "--at", "1998-07-02T11:00:00+09:00", "--callback-at", "1998-07-02T12:30:00Z"],
        env={"WORKBENCH_CONFIG": "/dev/null"},
    )  # fmt: skip
    assert isinstance(result.exception, UserError), (result.output, result.exception)
    message = str(result.exception)
    assert "1998-07-02T21:30:00+09:00 はお客様の架電可能な時間帯の外です" in message
    assert "最も早くかけられるのは 1998-07-03T09:00:00+09:00 です" in message


def test_refused_call_names_the_local_time(db: str) -> None:
    result = CliRunner().invoke(
        app,
        ["--db", db, "dispose", OTHER, "--outcome", "no_answer", "--at", "1998-07-01T13:00:00Z"],
        env={"WORKBENCH_CONFIG": "/dev/null"},
    )
    assert isinstance(result.exception, UserError), (result.output, result.exception)
    assert f"1998-07-01T22:00:00+09:00 の {OTHER} への架電" in str(result.exception)


def test_script_history_in_the_configured_zone(db: str) -> None:
    (row,) = json_lines(run(db, "scripts", "history", PROBE_SCRIPT, "--json"))
    assert row["first_seen"] == row["last_seen"] == "1998-06-10T08:30:00+09:00"
    table = run(db, "scripts", "history", PROBE_SCRIPT)
    assert "1998-06-10" in table and "1998-06-09" not in table
