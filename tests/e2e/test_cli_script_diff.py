"""`workbench scripts diff|pin|unpin|retire|unretire|audit` through the console entry point.

A copy of two talk scripts in tmp_path, edited by the test; `scripts check` stores the
checked versions, the edit is a new version, and `scripts diff` shows the change with each
version's figures from four recorded calls of the old version: three conversations, one win-back
of ¥3,500 → rate 1/3, Wilson 95 % [0.0615, 0.7923] (by hand: centre (1/3 + z²/6) / (1 + z²/3)
= 0.42692, half-width z·√(2/27 + z²/36) / (1 + z²/3) = 0.36543, z = 1.95996).
The entry point runs in this process (`main` with `sys.argv`), so errors are the real
`error: …` line and exit 2.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from workbench.cli import main
from workbench.services.script_contents import stored_versions
from workbench.store.engine import make_engine
from workbench.store.models import ContactAttempt, Customer
from workbench.talk.model import script_version

REPO = Path(__file__).parents[2]
SID = "b2c_usage_decreased"
OLD_LINE, NEW_LINE = "2、3分ほどお時間よろしいでしょうか。", "1分だけお時間よろしいでしょうか。"


class Run:
    def __init__(self, url: str, config: Path, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
        self.url, self.config, self.monkeypatch, self.capsys = url, config, monkeypatch, capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        argv = ["workbench", "--db", self.url, "--config", str(self.config), *args]
        self.monkeypatch.setattr(sys, "argv", argv)
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = self.capsys.readouterr()
        return code, out.out, out.err


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    root = tmp_path / "talkscripts"
    (root / "ja").mkdir(parents=True)
    for name in (SID, "b2c_listen_general"):
        shutil.copy(REPO / "talkscripts" / "ja" / f"{name}.md", root / "ja" / f"{name}.md")
    return root


@pytest.fixture
def run(db_url: str, scripts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Run:  # fmt: skip
    for name in ("WORKBENCH_LANGUAGE", "WORKBENCH_TALKSCRIPTS_DIR", "WORKBENCH_OPERATOR"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "workbench.toml"
    config.write_text(f'language = "ja"\ntalkscripts_dir = "{scripts}"\n', encoding="utf-8")
    return Run(db_url, config, monkeypatch, capsys)


def _calls(url: str, version: str) -> None:
    """Four calls of `version`: a win-back of ¥3,500, two refusals, one unanswered."""
    engine = make_engine(url)
    at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    with engine.begin() as conn:
        cid = conn.execute(
            insert(Customer.__table__).values(external_id="D1", name="差分 様", kind="b2c")
        ).inserted_primary_key[0]
        for outcome, amount in [("reactivated", 3500), ("not_interested", None),
                                ("not_interested", None), ("no_answer", None)]:  # fmt: skip
            conn.execute(insert(ContactAttempt.__table__).values(
                customer_id=cid, channel="call", at=at, outcome=outcome, script_id=SID,
                script_version=version, amount=amount, operator="op1", source="call",
            ))  # fmt: skip
    engine.dispose()


def test_diff_shows_the_edit_with_each_versions_figures(run: Run, scripts: Path) -> None:
    path = scripts / "ja" / f"{SID}.md"
    old = script_version(path.read_bytes())
    assert run("scripts", "check")[0] == 0  # stores the checked versions
    engine = make_engine(run.url)
    [stored] = stored_versions(engine, "b2c_listen_general")  # (no diff asks for this one)
    engine.dispose()
    assert stored.content == (scripts / "ja" / "b2c_listen_general.md").read_text("utf-8")
    code, _, err = run("scripts", "diff", SID)
    assert code == 2
    assert err.strip() == (
        f"error: {SID}（ja）: 比べる前の版が保存されていません（保存済みの版: {old}）"
    )
    _calls(run.url, old)
    path.write_text(path.read_text("utf-8").replace(OLD_LINE, NEW_LINE), "utf-8")
    new = script_version(path.read_bytes())

    code, out, err = run("scripts", "diff", SID)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{SID} (ja)"
    assert lines[1].startswith(f"  旧  {old}  初回 ")
    assert lines[1].endswith(
        "架電 4 / 接触 3 / 再開 1 / 再開率 33.3% (95%区間 6.1%–79.2%) / 売上 3,500"
    )
    assert lines[2].startswith(f"  新  {new}  初回 ") and lines[2].endswith("[現行]  (架電なし)")
    assert f"--- {SID}@{old}" in lines and f"+++ {SID}@{new}" in lines
    assert [
        line for line in lines if line[:1] in ("+", "-") and line[:3] not in ("+++", "---")
    ] == [
        f"-{OLD_LINE}",
        f"+{NEW_LINE}",
    ]

    code, out, _ = run("scripts", "diff", SID, "--from", old[:6], "--to", new, "--json")
    assert code == 0
    found = json.loads(out)
    assert (found["from"]["version"], found["to"]["version"]) == (old, new)
    assert (found["from"]["attempts"], found["from"]["contacts"]) == (4, 3)
    assert (found["from"]["reactivations"], found["from"]["revenue"]) == (1, 3500)
    assert found["from"]["wilson_low"] == pytest.approx(0.0615, abs=5e-4)
    assert found["from"]["wilson_high"] == pytest.approx(0.7923, abs=5e-4)
    assert found["to"]["current"] is True and found["to"]["attempts"] == 0
    assert found["from"]["first_seen"].endswith("+09:00")  # the configured clock
    assert f"-{OLD_LINE}" in found["diff"] and f"+{NEW_LINE}" in found["diff"]

    code, _, err = run("scripts", "diff", SID, "--to", "abcdef")
    assert code == 2
    assert err.strip() == (
        f"error: {SID}（ja）: 版 abcdef は保存されていません（保存済みの版: {old}, {new}）"
    )
    # The old version's file is gone, and its stored text still names its language.
    code, out, _ = run("scripts", "history", SID, "--json")
    assert code == 0
    assert {row["version"]: row["language"] for row in map(json.loads, out.splitlines())} == {
        old: "ja",
        new: "ja",
    }


def test_pin_retire_and_the_audit_log(run: Run) -> None:
    assert run("operators", "add", "lead1")[0] == 0
    code, out, _ = run("scripts", "pin", "unknown", "b2c_listen_general", "--kind", "b2c",
                       "--by", "lead1", "--at", "2026-11-24T09:00+09:00")  # fmt: skip
    assert (code, out) == (0, "固定しました: unknown（b2c）→ b2c_listen_general\n")
    code, _, err = run("scripts", "pin", "unknown", SID, "--by", "lead1")
    assert code == 2
    assert err.startswith(f"error: スクリプト {SID} は理由 unknown（全種別）に使えません")
    code, _, err = run("scripts", "retire", SID, "--by", "ghost")
    assert (code, err) == (
        2,
        "error: 担当者 ghost は登録されていないか退任しています（登録済み: lead1）\n",
    )
    code, out, _ = run("scripts", "retire", SID, "--by", "lead1", "--at", "2026-11-24T10:00+09:00")
    assert (code, out) == (0, f"引退にしました: {SID}（どの理由でも出しません）\n")

    code, out, _ = run("scripts", "audit")
    assert code == 0
    assert out.splitlines() == [
        f'2026-11-24T10:00+09:00  lead1  引退  {SID}  {{"script_id": "{SID}", "pinned_for": []}}',
        '2026-11-24T09:00+09:00  lead1  固定  b2c_listen_general  {"reason": "unknown", '
        '"kind": "b2c", "script_id": "b2c_listen_general", "previous": null}',
    ]
    code, out, _ = run("scripts", "audit", "--json", "--limit", "1")
    [row] = [json.loads(line) for line in out.splitlines()]
    assert (row["action"], row["actor"], row["subject"]) == ("retire", "lead1", SID)
    assert row["at"] == "2026-11-24T10:00:00+09:00"

    run.config.write_text(run.config.read_text("utf-8").replace('"ja"', '"en"'), "utf-8")
    code, out, _ = run("scripts", "unretire", SID, "--by", "lead1")
    assert (code, out) == (0, f"offered again: {SID}\n")
    code, out, _ = run("scripts", "unpin", "unknown", "--kind", "b2c", "--by", "lead1")
    assert (code, out) == (0, "unpinned: unknown (b2c) b2c_listen_general\n")
    code, _, err = run("scripts", "unpin", "unknown", "--by", "lead1")
    assert (code, err) == (2, "error: nothing is pinned for unknown (both kinds)\n")
