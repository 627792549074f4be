"""The real console command: `scripts render --customer`, `scripts history`, `stats scripts`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
ROOT = str(REPO / "talkscripts")
BOOT = "from workbench.cli import main; main()"
STATS_FIELDS = {
    "script_id", "version", "reason", "kind", "operator", "attempts", "contacts", "reactivations",
    "rate", "wilson_low", "wilson_high", "p_best", "revenue", "not_enough_data", "level",
}  # fmt: skip


def workbench(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-c", BOOT, "--db", url, *args], check=False, cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip


def json_lines(stdout: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("scripts_cli")
    url = f"sqlite:///{folder / 'demo.db'}"
    seeded = workbench(url, "demo", "--customers", "300", "--today", "2026-11-25", cwd=folder)
    assert seeded.returncode == 0, seeded.stderr
    return url, folder


@pytest.fixture(scope="module")
def a_customer(demo_db: tuple[str, Path]) -> dict:  # type: ignore[type-arg]
    url, folder = demo_db
    listed = workbench(url, "customers", "--json", "--limit", "1", cwd=folder)
    assert listed.returncode == 0, listed.stderr
    return json_lines(listed.stdout)[0]


def test_render_for_a_database_customer(demo_db, a_customer):
    url, folder = demo_db
    kind = a_customer["kind"]
    result = workbench(url, "scripts", "render", f"{kind}_listen_general", "--customer", a_customer["customer_id"],
                       "--operator", "op01", "--at", "2026-11-25T10:00+09:00", "--root", ROOT, cwd=folder)  # fmt: skip
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert a_customer["name"] in result.stdout
    assert "【opening】" in result.stdout and "【closing】" in result.stdout
    assert (
        "サンプル商事株式会社" in result.stdout and "山田 太郎" in result.stdout
    )  # company, op01's name
    assert "1) → hearing:" in result.stdout
    assert "Traceback" not in result.stderr


def test_render_uses_the_configured_folder_and_language(demo_db, a_customer):
    url, _ = demo_db
    result = workbench(
        url,
        "scripts",
        "render",
        "moved_followup",
        "--customer",
        a_customer["customer_id"],
        cwd=REPO,
    )
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "【opening】" in result.stdout


def test_render_unknown_customer_is_a_user_error(demo_db):
    url, folder = demo_db
    result = workbench(
        url,
        "scripts",
        "render",
        "b2c_listen_general",
        "--customer",
        "NOPE",
        "--root",
        ROOT,
        cwd=folder,
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and "NOPE" in result.stderr
    assert "Traceback" not in result.stderr


def test_render_error_prints_message_and_raw_section(demo_db, a_customer, tmp_path):
    url, _ = demo_db
    (tmp_path / "ja").mkdir()
    source = (REPO / "talkscripts" / "ja" / "b2c_listen_general.md").read_text(encoding="utf-8")
    # Renders for the linter's demo customers (seen on 2026-11-25) but fails on any other day.
    trap = '{{ "" if (today.month, today.day) == (11, 25) else 1 // (today.day - today.day) }}'
    broken = source.replace("## hearing ヒアリング\n", f"## hearing ヒアリング\n{trap}\n", 1)
    assert broken != source
    (tmp_path / "ja" / "b2c_listen_general.md").write_text(broken, encoding="utf-8")
    result = workbench(url, "scripts", "render", "b2c_listen_general", "--customer", a_customer["customer_id"],
                       "--at", "2026-11-20T10:00+09:00", "--root", str(tmp_path), cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "!! エラー:" in result.stdout
    assert trap in result.stdout  # the raw section follows the message
    assert "【closing】" in result.stdout  # the other sections still render
    assert "Traceback" not in result.stderr


def test_stats_scripts_json_fields(demo_db):
    url, folder = demo_db
    result = workbench(url, "stats", "scripts", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    everything = json_lines(result.stdout)
    assert everything, "the demo data has scripted calls"
    for row in everything:
        assert set(row) == STATS_FIELDS
        assert row["contacts"] <= row["attempts"] and row["reactivations"] <= row["contacts"]
        assert 0.0 <= row["wilson_low"] <= row["wilson_high"] <= 1.0
        assert row["not_enough_data"] == (row["contacts"] < 30)
    # A total per script version, its per-reason rows (the rows of old) after it.
    rows = [r for r in everything if r["level"] == "breakdown"]
    totals = [r for r in everything if r["level"] == "total"]
    assert {r["level"] for r in everything} == {"total", "breakdown"}
    assert sum(r["attempts"] for r in totals) == sum(r["attempts"] for r in rows)
    by_operator = json_lines(
        workbench(url, "stats", "scripts", "--by", "operator", "--json", cwd=folder).stdout
    )
    parts = [r for r in by_operator if r["level"] == "breakdown"]
    assert sum(r["attempts"] for r in parts) == sum(r["attempts"] for r in rows)
    assert all(r["operator"] for r in parts)


def test_stats_scripts_table_and_errors(demo_db):
    url, folder = demo_db
    table = workbench(url, "stats", "scripts", "--by", "kind", "--since", "2020-01-01", cwd=folder)
    assert table.returncode == 0, table.stderr
    assert "再開率" in table.stdout and "種別" in table.stdout
    bad = workbench(url, "stats", "scripts", "--since", "yesterday", cwd=folder)
    assert (
        bad.returncode == 2
        and bad.stderr.startswith("error: --since")
        and "Traceback" not in bad.stderr
    )


def test_history_json(demo_db):
    url, folder = demo_db
    result = workbench(
        url, "scripts", "history", "b2c_listen_general", "--json", "--root", ROOT, cwd=folder
    )
    assert result.returncode == 0, result.stderr
    rows = json_lines(result.stdout)
    assert [r["current"] for r in rows].count(True) == 1
    assert {"version", "first_seen", "last_seen", "attempts", "contacts", "reactivations", "rate",
            "wilson_low", "wilson_high", "revenue", "current"} <= set(rows[0])  # fmt: skip
    plain = workbench(url, "scripts", "history", "b2c_listen_general", "--root", ROOT, cwd=folder)
    assert plain.returncode == 0 and "b2c_listen_general" in plain.stdout
    unknown = workbench(url, "scripts", "history", "nope", "--root", ROOT, cwd=folder)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: ")
