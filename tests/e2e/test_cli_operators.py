"""`workbench operators`: the ids claims and dispositions accept, through the console command.

A typo in `--operator` used to invent an operator in the statistics (issue #13); once a team
registers its operators, any other id is refused with the registered ones listed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

AT = "2026-11-24T10:30:00+09:00"
NEXT_DAY = "2026-11-25T10:30:00+09:00"  # past the retry gap after the first call


def run(db: str, *args: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from workbench.cli import main; main()", "--db", db,
         "--config", str(config), *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    config = tmp_path / "workbench.toml"
    config.write_text('language = "ja"\n', encoding="utf-8")
    customers = tmp_path / "c.csv"
    customers.write_text(
        "customer_id,name,kind,phone\nK01,顧客 一,b2c,090-3200-0001\n", encoding="utf-8"
    )
    orders = tmp_path / "t.csv"
    orders.write_text(
        "customer_id,ordered_at,amount,category\nK01,2026-03-01T10:00+09:00,9000,food\n",
        encoding="utf-8",
    )
    for kind, path in (("customers", customers), ("transactions", orders)):
        done = run(url, "import", kind, str(path), config=config)
        assert done.returncode == 0, done.stderr
    return url, config


def test_operators_are_registered_listed_and_checked(db: tuple[str, Path]) -> None:
    url, config = db
    # Nobody registered: an outside tool's ids are taken as given.
    done = run(
        url,
        "dispose",
        "K01",
        "--outcome",
        "no_answer",
        "--at",
        AT,
        "--operator",
        "tool",
        config=config,
    )
    assert done.returncode == 0, done.stderr

    added = run(url, "operators", "add", "sato", "--name", "佐藤 花子", "--json", config=config)
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {
        "code": "sato", "name": "佐藤 花子", "language": "ja", "active": True, "role": "operator",
        "added": True,
    }  # fmt: skip
    listed = run(url, "operators", config=config)
    assert listed.stdout.strip() == "sato\t佐藤 花子\tja\toperator"

    ghost = run(
        url,
        "dispose",
        "K01",
        "--outcome",
        "no_answer",
        "--at",
        AT,
        "--operator",
        "ghost",
        config=config,
    )
    assert ghost.returncode == 2
    lines = ghost.stderr.strip().splitlines()
    assert len(lines) == 1 and "'ghost'" in lines[0] and "sato" in lines[0], ghost.stderr
    claim = run(url, "claim", "--operator", "ghost", "--at", AT, config=config)
    assert claim.returncode == 2 and "--operator" in claim.stderr and "sato" in claim.stderr

    ok = run(
        url,
        "dispose",
        "K01",
        "--outcome",
        "no_answer",
        "--at",
        NEXT_DAY,
        "--operator",
        "sato",
        config=config,
    )
    assert ok.returncode == 0, ok.stderr

    retired = run(url, "operators", "retire", "sato", config=config)
    assert retired.returncode == 0 and retired.stdout.strip() == "退任にしました: sato"
    again = run(
        url,
        "dispose",
        "K01",
        "--outcome",
        "no_answer",
        "--at",
        AT,
        "--operator",
        "sato",
        config=config,
    )
    assert again.returncode == 2 and "無効になっています" in again.stderr


def test_a_bad_operator_id_is_one_line(db: tuple[str, Path]) -> None:
    url, config = db
    done = run(url, "operators", "add", "-x y", config=config)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    missing = run(url, "operators", "retire", "nobody", config=config)
    assert missing.returncode == 2 and "'nobody'" in missing.stderr
