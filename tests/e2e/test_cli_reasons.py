"""`workbench reasons fix|unfix|list` and operators' roles, through the console command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from workbench.store.models import AuditEntry

AT = "2026-11-24T10:30:00+09:00"


def run(db: str, *args: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from workbench.cli import main; main()", "--db", db,
         "--config", str(config), *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _audit(url: str) -> list[tuple[str, str, str | None, dict]]:  # type: ignore[type-arg]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            t = AuditEntry.__table__
            rows = conn.execute(select(t).order_by(t.c.id)).all()
    finally:
        engine.dispose()
    return [(r.actor, r.action, r.subject, json.loads(r.details)) for r in rows]


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    config = tmp_path / "workbench.toml"
    config.write_text('language = "ja"\n', encoding="utf-8")
    added = run(url, "operators", "add", "lead", "--name", "主任", "--role", "supervisor",
                "--json", config=config)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {
        "code": "lead", "name": "主任", "language": "ja", "active": True, "role": "supervisor",
        "added": True,
    }  # fmt: skip
    return url, config


def test_roles_are_listed_and_kept_on_update(db: tuple[str, Path]) -> None:
    url, config = db
    assert run(url, "operators", "add", "sato", config=config).returncode == 0
    # An update without --role keeps the role.
    assert run(url, "operators", "add", "lead", "--name", "主任 二", config=config).returncode == 0
    listed = run(url, "operators", "--json", config=config)
    roles = {row["code"]: row["role"] for row in map(json.loads, listed.stdout.splitlines())}
    assert roles == {"lead": "supervisor", "sato": "operator"}
    text = run(url, "operators", config=config).stdout.splitlines()
    assert text == ["lead\t主任 二\tja\tsupervisor", "sato\tsato\tja\toperator"]
    bad = run(url, "operators", "add", "x", "--role", "boss", config=config)
    assert bad.returncode == 2 and "--role" in bad.stderr


def test_fix_list_unfix_write_the_audit_log(db: tuple[str, Path]) -> None:
    url, config = db
    done = run(url, "reasons", "fix", "price", "--on", "2026-11-20", "--kind", "b2c",
               "--note", "新料金プラン", "--by", "lead", "--at", AT, config=config)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "改善済みにしました: price（b2c）2026-11-20 から"
    assert run(url, "reasons", "fix", "competitor", "--on", "2026-11-01", "--by", "lead",
               "--at", AT, config=config).returncode == 0  # fmt: skip
    listed = run(url, "reasons", "list", "--json", config=config)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows == [
        {"reason": "competitor", "kind": "any", "fixed_on": "2026-11-01", "marked_by": "lead",
         "marked_at": "2026-11-24T10:30:00+09:00", "note": None},
        {"reason": "price", "kind": "b2c", "fixed_on": "2026-11-20", "marked_by": "lead",
         "marked_at": "2026-11-24T10:30:00+09:00", "note": "新料金プラン"},
    ]  # fmt: skip
    text = run(url, "reasons", "list", config=config).stdout.splitlines()
    assert text[1] == "price\tb2c\t2026-11-20 から\tlead\t新料金プラン"

    gone = run(url, "reasons", "unfix", "price", "--kind", "b2c", "--by", "lead", "--at", AT,
               config=config)  # fmt: skip
    assert gone.returncode == 0 and gone.stdout.strip() == "改善済みの印を外しました: price（b2c）"
    assert [json.loads(line)["reason"] for line in
            run(url, "reasons", "list", "--json", config=config).stdout.splitlines()] == ["competitor"]  # fmt: skip
    audit = _audit(url)
    assert [(a, action, subject) for a, action, subject, _ in audit] == [
        ("lead", "reason_fix", "price"), ("lead", "reason_fix", "competitor"),
        ("lead", "reason_unfix", "price"),
    ]  # fmt: skip
    assert audit[0][3] == {"reason": "price", "kind": "b2c", "fixed_on": "2026-11-20",
                           "note": "新料金プラン", "previous": None}  # fmt: skip
    assert audit[2][3]["fixed_on"] == "2026-11-20"


def test_bad_input_is_refused_with_exit_2_and_nothing_written(db: tuple[str, Path]) -> None:
    url, config = db
    cases = [
        (("fix", "cheaper", "--by", "lead"), "price"),  # the known reasons are listed
        (("fix", "price", "--by", "ghost"), "lead"),  # the registered operators are listed
        (("fix", "price", "--on", "11/20", "--by", "lead"), "--on"),
        (("fix", "price"), "--by"),
        (("unfix", "price", "--by", "lead"), "price"),  # not marked
        (("fix", "price", "--kind", "b2x", "--by", "lead"), "--kind"),
    ]
    for args, named in cases:
        done = run(url, "reasons", *args, config=config)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert named in done.stderr, (args, done.stderr)
        if args[-1] != "b2x" and "--kind" not in args:
            assert len(lines) == 1 and lines[0].startswith("error:"), (args, done.stderr)
    assert _audit(url) == []
    assert run(url, "reasons", "list", config=config).stdout.strip() == "改善済みの理由はありません"
