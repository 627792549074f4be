"""The real console command: queue, claim, dispose (one or a file) and queue --explain.

The database is SQLite, seeded once with `demo --customers 300 --today 2026-11-25` (a
fixed history, whatever day the suite runs) and copied for each test.  Wednesday
25 November 2026 10:30 in Tokyo is inside the calling window.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workbench.store.engine import make_engine
from workbench.store.models import Callback, ContactAttempt, Lease

BASE = [sys.executable, "-c", "from workbench.cli import main; main()"]


DAY = date(2026, 11, 25)  # a Wednesday
NEXT_DAY = date(2026, 11, 26)


def t(hhmm: str, day: date = DAY) -> str:
    return f"{day.isoformat()}T{hhmm}+09:00"


AT = t("10:30")
CONTRACT = {
    "customer_id",
    "score",
    "components",
    "phone",
    "local_time",
    "state",
    "reason",
    "script",
    "channel",
}
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
CONTACT_HEADER = [
    "customer_id",
    "at",
    "channel",
    "direction",
    "outcome",
    "operator",
    "script",
    "reason",
    "amount",
    "callback_at",
    "note",
]


def workbench(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [*BASE, "--db", url, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def json_lines(stdout: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def assert_user_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def write_contacts(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    out = csv.DictWriter(buffer, CONTACT_HEADER, lineterminator="\n")
    out.writeheader()
    out.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    result = ok(
        workbench(
            f"sqlite:///{path}",
            "demo",
            "--customers",
            "300",
            "--today",
            DAY.isoformat(),
            cwd=folder,
        )
    )
    assert "300" in result.stderr
    return path


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> tuple[str, Path]:
    """A private copy of the seeded database, and a working folder."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{seeded}{suffix}")
        if source.exists():
            shutil.copy(source, tmp_path / f"cli.db{suffix}")
    return f"sqlite:///{tmp_path / 'cli.db'}", tmp_path


def count(url: str, table, *where) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
    finally:
        engine.dispose()


def queue(url: str, cwd: Path, at: str = AT, *extra: str) -> list[dict]:  # type: ignore[type-arg]
    return json_lines(ok(workbench(url, "queue", "--at", at, "--json", *extra, cwd=cwd)).stdout)


def test_queue_prints_the_json_contract_best_first(db: tuple[str, Path]) -> None:
    url, cwd = db
    result = ok(workbench(url, "queue", "--at", AT, "--json", "--limit", "5", cwd=cwd))
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 5
    rows = [json.loads(line) for line in lines]
    at = datetime.fromisoformat(AT)
    for row in rows:
        assert CONTRACT <= set(row), row
        assert isinstance(row["customer_id"], str) and row["customer_id"]
        assert E164.match(row["phone"]), row["phone"]
        assert datetime.fromisoformat(row["local_time"]) == at
        assert row["local_time"].endswith("+09:00")  # the demo customers are in Japan
        assert row["state"] in ("dormant", "at_risk")
        assert row["channel"] == "call"
        assert isinstance(row["components"], dict) and row["score"] == pytest.approx(
            row["components"]["score"], abs=1e-6
        )
    assert len({row["customer_id"] for row in rows}) == 5
    # Due callbacks first, then by score, best first.
    due = [row.get("callback_due", False) for row in rows]
    assert due == sorted(due, reverse=True)
    scores = [row["score"] for row in rows if not row.get("callback_due")]
    assert scores == sorted(scores, reverse=True)


def test_claims_lease_different_customers(db: tuple[str, Path]) -> None:
    url, cwd = db
    first = ok(workbench(url, "claim", "--operator", "op01", "--at", AT, "--json", cwd=cwd))
    (one,) = json_lines(first.stdout)
    assert CONTRACT <= set(one)
    (two,) = json_lines(
        ok(workbench(url, "claim", "--operator", "op02", "--at", AT, "--json", cwd=cwd)).stdout
    )
    assert two["customer_id"] != one["customer_id"]
    # op01 asking again gets the lease they hold.
    (again,) = json_lines(
        ok(
            workbench(url, "claim", "--operator", "op01", "--at", t("10:31"), "--json", cwd=cwd)
        ).stdout
    )
    assert again["customer_id"] == one["customer_id"]
    assert count(url, Lease) == 2
    others = {
        row["customer_id"] for row in queue(url, cwd, AT, "--operator", "op03", "--limit", "50")
    }
    assert not {one["customer_id"], two["customer_id"]} & others


def test_a_callback_leads_its_operators_queue_at_the_promised_time(db: tuple[str, Path]) -> None:
    url, cwd = db
    (claimed,) = json_lines(
        ok(workbench(url, "claim", "--operator", "op01", "--at", AT, "--json", cwd=cwd)).stdout
    )
    cid = claimed["customer_id"]
    result = ok(workbench(url, "dispose", cid, "--outcome", "callback", "--callback-at", t("15:00"),
                          "--operator", "op01", "--at", t("10:35"), cwd=cwd))  # fmt: skip
    assert "1 件の結果を記録しました" in result.stdout
    assert count(url, Lease) == 0 and count(url, Callback) == 1
    for at in (t("14:55"), t("15:00"), t("15:05")):
        rows = queue(url, cwd, at, "--operator", "op01", "--limit", "5")
        assert rows[0]["customer_id"] == cid, at
        assert rows[0]["callback_due"] is True
        assert datetime.fromisoformat(rows[0]["callback_at"]) == datetime.fromisoformat(t("15:00"))
    assert cid not in {
        r["customer_id"] for r in queue(url, cwd, t("14:50"), "--operator", "op01", "--limit", "50")
    }
    # The owner's 5 minutes before the time are theirs alone; op01 has had no session since
    # 10:35 (calling.session_idle_minutes), so at the promised time the callback is the team's.
    assert cid not in {
        r["customer_id"] for r in queue(url, cwd, t("14:55"), "--operator", "op02", "--limit", "50")
    }
    assert (
        queue(url, cwd, t("15:00"), "--operator", "op02", "--limit", "5")[0]["customer_id"] == cid
    )
    (mine,) = json_lines(
        ok(
            workbench(url, "claim", "--operator", "op01", "--at", t("15:00"), "--json", cwd=cwd)
        ).stdout
    )
    assert mine["customer_id"] == cid


def test_dispose_with_an_unknown_outcome_is_an_error_for_people(db: tuple[str, Path]) -> None:
    url, cwd = db
    cid = queue(url, cwd, AT, "--limit", "1")[0]["customer_id"]
    before = count(url, ContactAttempt)
    result = workbench(
        url, "dispose", cid, "--outcome", "bogus", "--operator", "op01", "--at", AT, cwd=cwd
    )
    assert_user_error(result, "error: --outcome: ", "'bogus'")
    assert count(url, ContactAttempt) == before
    late = workbench(
        url,
        "dispose",
        cid,
        "--outcome",
        "no_answer",
        "--operator",
        "op01",
        "--at",
        t("21:00"),
        cwd=cwd,
    )
    assert_user_error(late, "error: --at: ", "outside_window")
    no_time = workbench(
        url, "dispose", cid, "--outcome", "callback", "--operator", "op01", "--at", AT, cwd=cwd
    )
    assert_user_error(no_time, "error: --callback-at: ")
    assert count(url, ContactAttempt) == before


def test_queue_explain_json(db: tuple[str, Path]) -> None:
    url, cwd = db
    (data,) = json_lines(
        ok(workbench(url, "queue", "--at", AT, "--explain", "--json", cwd=cwd)).stdout
    )
    assert {"held_back", "callable_now", "next_callable_at"} <= set(data)
    assert isinstance(data["held_back"], dict) and all(
        isinstance(v, int) for v in data["held_back"].values()
    )
    assert isinstance(data["callable_now"], int) and data["callable_now"] >= 5
    assert data["in_callable_states"] == data["callable_now"] + sum(data["held_back"].values())
    if data["next_callable_at"] is not None:
        assert datetime.fromisoformat(data["next_callable_at"]) >= datetime.fromisoformat(AT)
    # Out of hours nobody is callable and the next instant is the window's opening.
    (night,) = json_lines(
        ok(workbench(url, "queue", "--at", t("21:00"), "--explain", "--json", cwd=cwd)).stdout
    )
    assert night["callable_now"] == 0
    assert night["held_back"].get("outside_window", 0) >= data["callable_now"]
    assert datetime.fromisoformat(night["next_callable_at"]) == datetime.fromisoformat(
        t("09:00", NEXT_DAY)
    )


def _batch_rows(ids: list[str], at: str, outcome: str = "no_answer") -> list[dict[str, str]]:
    return [
        {
            "customer_id": cid,
            "at": at,
            "channel": "call",
            "direction": "outbound",
            "outcome": outcome,
            "operator": "op05",
        }
        for cid in ids
    ]


def test_dispose_file_records_every_row(db: tuple[str, Path]) -> None:
    url, cwd = db
    ids = [row["customer_id"] for row in queue(url, cwd, t("11:00"), "--limit", "3")]
    assert len(ids) == 3
    batch = write_contacts(cwd / "batch.csv", _batch_rows(ids, t("11:00")))
    result = ok(workbench(url, "dispose", "--file", str(batch), cwd=cwd))
    assert "3 件の結果を記録しました" in result.stdout
    assert count(url, ContactAttempt, ContactAttempt.source == "batch") == 3
    # The retry gap now holds them back.
    later = {row["customer_id"] for row in queue(url, cwd, t("11:05"), "--limit", "100")}
    assert not set(ids) & later


def test_dispose_file_with_a_bad_row_records_nothing(db: tuple[str, Path]) -> None:
    url, cwd = db
    ids = [row["customer_id"] for row in queue(url, cwd, t("11:00"), "--limit", "3")]
    before = count(url, ContactAttempt)

    unreadable = _batch_rows(ids, t("11:00"))
    unreadable[2]["outcome"] = "bogus"  # line 4 (the header is line 1)
    result = workbench(
        url, "dispose", "--file", str(write_contacts(cwd / "bad.csv", unreadable)), cwd=cwd
    )
    assert_user_error(result, "bad.csv:4", "outcome")
    assert count(url, ContactAttempt) == before

    against_rules = _batch_rows(ids, t("11:00"))
    against_rules[1]["at"] = t("21:00")  # line 3: after the window closed
    result = workbench(
        url, "dispose", "--file", str(write_contacts(cwd / "late.csv", against_rules)), cwd=cwd
    )
    assert_user_error(result, "late.csv:3", "at: ")
    assert "late.csv:2" not in result.stderr and "late.csv:4" not in result.stderr
    assert count(url, ContactAttempt) == before

    unknown = _batch_rows(ids, t("11:00"))
    unknown[0]["customer_id"] = "NO-SUCH-CUSTOMER"  # line 2
    result = workbench(
        url, "dispose", "--file", str(write_contacts(cwd / "unknown.csv", unknown)), cwd=cwd
    )
    assert_user_error(result, "unknown.csv:2", "customer_id")
    assert count(url, ContactAttempt) == before
    assert count(url, ContactAttempt, ContactAttempt.source == "batch") == 0
    # Fixed, the same rows go in.
    ok(
        workbench(
            url,
            "dispose",
            "--file",
            str(write_contacts(cwd / "fixed.csv", _batch_rows(ids, t("11:00")))),
            cwd=cwd,
        )
    )
    assert count(url, ContactAttempt) == before + 3


def test_dispose_needs_a_customer_and_an_outcome(db: tuple[str, Path]) -> None:
    url, cwd = db
    assert_user_error(workbench(url, "dispose", "--outcome", "no_answer", cwd=cwd), "CUSTOMER_ID")
    batch = write_contacts(cwd / "b.csv", _batch_rows(["X"], t("11:00")))
    assert_user_error(
        workbench(url, "dispose", "X", "--outcome", "no_answer", "--file", str(batch), cwd=cwd),
        "--file",
    )


def test_claim_when_nobody_is_callable_says_why(db: tuple[str, Path]) -> None:
    url, cwd = db
    result = workbench(
        url, "claim", "--operator", "op01", "--at", "2026-11-23T10:30+09:00", cwd=cwd
    )  # 勤労感謝の日
    assert_user_error(result, "今すぐ架電できるお客様はいません", "--explain")
    assert count(url, Lease) == 0
