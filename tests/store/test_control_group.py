"""The control group on every path, on both backends: a member is never queued, claimed,
recorded as called or emailed, and `queue --explain` counts them.

The base: 24 lapsed customers G01–G24, each with a mobile number and an address, all
callable on Tuesday 24 November 2026 at 10:00 in Tokyo, and GX, lapsed too but on the
do-not-call list.  The share is 0.5 and the seed is set in `model_state` before the first
scoring run, so the members are known in advance: they are computed here from the
published definition of splitmix64 (Steele, Lea & Flood 2014; Vigna's reference code) and
the composition the product documents (`u = splitmix64(seed XOR splitmix64(id)) >> 11`,
scaled by 2⁻⁵³; a member when u < share), not with the product's own draw.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mail"))
from servers import SmtpTestServer  # noqa: E402

from workbench.config import Settings, load_settings  # noqa: E402
from workbench.services.call_queue import queue_at  # noqa: E402
from workbench.services.claim import claim  # noqa: E402
from workbench.services.escalation import advance_cadences  # noqa: E402
from workbench.services.explain import explain  # noqa: E402
from workbench.services.freshness import rescore_now  # noqa: E402
from workbench.services.importer import import_file  # noqa: E402
from workbench.store.models import (  # noqa: E402
    ContactAttempt,
    Customer,
    EscalationCadence,
    ModelState,
    OutboxMessage,
    QueueScore,
)

JST = ZoneInfo("Asia/Tokyo")
AT = datetime(2026, 11, 24, 10, 0, tzinfo=JST)  # a Tuesday, inside 09:00–20:00
DAY = timedelta(days=1)
SEED = 0x0123_4567_89AB_CDEF
SHARE = 0.5
LAPSED = [f"G{n:02d}" for n in range(1, 25)]
BLOCKED = "GX"
BASE = [sys.executable, "-c", "from workbench.cli import main; main()"]

MASK = (1 << 64) - 1


def splitmix64(x: int) -> int:
    """The splitmix64 finaliser of the state advanced by the golden gamma (one output)."""
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def expected_member(customer_id: int, seed: int = SEED, share: float = SHARE) -> bool:
    u = (splitmix64((seed ^ splitmix64(customer_id)) & MASK) >> 11) / 2.0**53
    return u < share


TEMPLATE = """---
id: t_{purpose}
title: test {purpose}
reasons: unknown
kind: any
language: ja
purpose: {purpose}
subject: {{{{ company_name }}}}より {purpose}
---

## text
{{{{ addressee }}}}
{purpose} のご案内です。
{{{{ company_name }}}} {{{{ sender_address }}}}
配信停止: {{{{ unsubscribe_mailto }}}}
"""


def _write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@dataclasses.dataclass
class World:
    engine: Engine
    url: str
    settings: Settings
    config: Path
    ids: dict[str, int]  # external → database id
    members: set[str]  # external ids of the lapsed members, computed here
    others: set[str]  # the other lapsed customers G…
    folder: Path

    def cli(self, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
        env.update(WORKBENCH_SERVER="off", COLUMNS="200")
        return subprocess.run(
            [*BASE, "--db", self.url, "--config", str(config or self.config), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def attempts(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(ContactAttempt)).scalar_one())


def write_config(folder: Path, *, share: float, smtp_port: int = 1, language: str = "ja",
                 escalation: bool = False) -> Path:  # fmt: skip
    scripts = folder / "scripts"
    templates = scripts / "email" / "ja"
    if not templates.exists():
        templates.mkdir(parents=True)
        for purpose in ("first", "reminder", "followup"):
            (templates / f"t_{purpose}.md").write_text(
                TEMPLATE.format(purpose=purpose), encoding="utf-8"
            )
    config = folder / f"workbench-{share}-{language}-{escalation}.toml"
    config.write_text(
        f'language = "{language}"\ntalkscripts_dir = "{scripts}"\n'
        f"[kpi]\ncontrol_share = {share}\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsender = "info@sample-shoji.example"\n'
        "timeout_seconds = 5\nrate_per_minute = 0\n"
        f"[escalation]\nenabled = {'true' if escalation else 'false'}\n"
        'unsubscribe_url = "https://sample-shoji.example/unsub/{token}"\n',
        encoding="utf-8",
    )
    return config


def build(engine: Engine, url: str, folder: Path, config: Path) -> World:
    settings = load_settings(path=config, env={})
    assert settings.kpi.control_share == SHARE
    everyone = [*LAPSED, BLOCKED]
    customers = _write(
        folder / "customers.csv",
        [["customer_id", "name", "kind", "phone", "email", "do_not_call"]]
        + [
            [
                cid,
                f"顧客 {cid}",
                "b2c",
                f"090-3000-{n:04d}",
                f"{cid.lower()}@example.jp",
                "1" if cid == BLOCKED else "0",
            ]
            for n, cid in enumerate(everyone, start=1)
        ],  # fmt: skip
    )
    transactions = _write(
        folder / "transactions.csv",
        [["customer_id", "ordered_at", "amount", "category"]]
        + [
            row
            for cid in everyone
            for row in (
                [cid, "2025-12-01T12:00+09:00", "30000", "food"],
                [cid, "2026-03-01T12:00+09:00", "30000", "food"],
            )
        ],
    )
    for kind, path in (("customers", customers), ("transactions", transactions)):
        assert import_file(engine, kind, path, settings, now=AT - DAY).rejected == 0  # type: ignore[arg-type]
    with engine.begin() as conn:
        conn.execute(
            insert(ModelState.__table__).values(
                key="control_group", value=json.dumps({"seed": SEED}), fitted_at=AT - DAY
            )
        )
        ids = dict(conn.execute(select(Customer.external_id, Customer.id)).all())
    score(engine, settings, AT - timedelta(hours=1))
    members = {cid for cid in LAPSED if expected_member(ids[cid])}
    assert 0 < len(members) < len(LAPSED)  # the fixture tells members from the others
    return World(engine, url, settings, config, ids, members, set(LAPSED) - members, folder)


def score(engine: Engine, settings: Settings, at: datetime) -> None:
    rescore_now(engine, settings, at)
    with engine.begin() as conn:
        # Lapsed, and worth a mid-tier cadence (email first) when the escalation runs.
        conn.execute(update(QueueScore).values(state="dormant", value=20000.0, p_alive=0.5))


@pytest.fixture
def world(engine: Engine, db_url: str, tmp_path: Path) -> World:
    return build(engine, db_url, tmp_path, write_config(tmp_path, share=SHARE))


def test_the_stored_blocks_name_exactly_the_members(world: World) -> None:
    with world.engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(Customer.external_id, QueueScore.permanent_block).join(
                    QueueScore, QueueScore.customer_id == Customer.id
                )
            ).all()
        )
    assert {cid for cid, block in stored.items() if block == "control_group"} == world.members
    assert stored[BLOCKED] == "do_not_call"  # the legal block is named first, member or not
    assert all(stored[cid] is None for cid in world.others)


def test_the_queue_never_lists_a_member(world: World) -> None:
    entries = queue_at(world.engine, world.settings, AT, None, 100)
    assert {e.external_id for e in entries} == world.others
    result = world.cli("queue", "--at", AT.isoformat(), "--limit", "100", "--json")
    assert result.returncode == 0, result.stderr
    listed = {json.loads(line)["customer_id"] for line in result.stdout.splitlines()}
    assert listed == world.others


def test_claims_until_empty_never_return_a_member(world: World) -> None:
    claimed = []
    for n in range(len(LAPSED) + 2):
        entry = claim(world.engine, world.settings, f"op{n:02d}", AT)
        if entry is None:
            break
        claimed.append(entry.external_id)
    assert len(claimed) == len(set(claimed)) and set(claimed) == world.others
    result = world.cli("claim", "--operator", "op99", "--at", AT.isoformat(), "--json")
    assert result.returncode != 0  # nothing left but members: nothing to call


def test_the_cli_claims_no_member(world: World) -> None:
    seen = set()
    for n in range(3):
        result = world.cli("claim", "--operator", f"cli{n}", "--at", AT.isoformat(), "--json")
        assert result.returncode == 0, result.stderr
        seen.add(json.loads(result.stdout)["customer_id"])
    assert len(seen) == 3 and seen <= world.others


def test_a_call_to_a_member_is_refused_in_japanese_and_in_english(world: World) -> None:
    member = sorted(world.members)[0]
    before = world.attempts()
    args = ("dispose", member, "--outcome", "no_answer", "--operator", "op01",
            "--at", AT.isoformat())  # fmt: skip
    ja = world.cli(*args)
    assert ja.returncode == 2
    assert ja.stderr.startswith("error: CUSTOMER_ID: ")
    assert f"お客様 {member} は対照群です" in ja.stderr and "held back" not in ja.stderr
    en = world.cli(*args, config=write_config(world.folder, share=SHARE, language="en"))
    assert en.returncode == 2
    assert f"customer {member} is held back in the control group" in en.stderr
    assert world.attempts() == before
    # A non-member is recorded as usual.
    other = sorted(world.others)[0]
    assert world.cli("dispose", other, *args[2:]).returncode == 0
    assert world.attempts() == before + 1


def test_a_batch_with_a_call_to_a_member_records_nothing_and_names_the_line(
    world: World,
) -> None:
    member, other = sorted(world.members)[0], sorted(world.others)[0]
    batch = _write(
        world.folder / "calls.csv",
        [
            ["customer_id", "at", "channel", "outcome", "operator"],
            [other, AT.isoformat(), "call", "no_answer", "op01"],
            [member, AT.isoformat(), "call", "no_answer", "op01"],
        ],
    )
    before = world.attempts()
    result = world.cli("dispose", "--file", str(batch))
    assert result.returncode == 2
    assert f"{batch}:3: customer_id: お客様 {member} は対照群です" in result.stderr
    assert f"{batch}:2" not in result.stderr.split("\n", 1)[1]
    assert world.attempts() == before


def test_explain_counts_exactly_the_members_among_the_otherwise_callable(world: World) -> None:
    result = explain(world.engine, world.settings, AT)
    assert result.held_back["control_group"] == len(world.members)
    assert result.held_back["do_not_call"] == 1
    assert result.callable_now == len(world.others)
    assert result.in_callable_states == len(LAPSED) + 1
    cli = world.cli("queue", "--explain", "--at", AT.isoformat(), "--json")
    assert cli.returncode == 0, cli.stderr
    shown = json.loads(cli.stdout)
    assert shown["held_back"]["control_group"] == len(world.members)
    assert shown["callable_now"] == len(world.others)
    table = world.cli("queue", "--explain", "--at", AT.isoformat())
    assert "対照群（効果測定のため連絡しません）" in table.stdout
    en = world.cli("queue", "--explain", "--at", AT.isoformat(),
                   config=write_config(world.folder, share=SHARE, language="en"))  # fmt: skip
    assert "held back: control group" in en.stdout and "対照群" not in en.stdout


def test_customers_show_says_who_is_held_back(world: World) -> None:
    member, other = sorted(world.members)[0], sorted(world.others)[0]
    for cid, expected in ((member, True), (other, False)):
        result = world.cli("customers", "show", cid, "--at", AT.isoformat(), "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["control_group"] is expected
        table = world.cli("customers", "show", cid, "--at", AT.isoformat())
        assert ("対照群（効果測定のため連絡しません）" in table.stdout) is expected


@pytest.fixture
def smtp() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


def _recipients(server: SmtpTestServer) -> set[str]:
    return {address for m in server.messages for address in m.rcpt_tos}


def _address(cid: str) -> str:
    return f"{cid.lower()}@example.jp"


def _cadences(world: World) -> set[str]:
    with world.engine.connect() as conn:
        return set(
            conn.execute(
                select(Customer.external_id).join(
                    EscalationCadence, EscalationCadence.customer_id == Customer.id
                )
            ).scalars()
        )


def test_escalation_run_starts_no_cadence_and_sends_no_email_to_a_member(
    world: World, smtp: SmtpTestServer
) -> None:
    config = write_config(world.folder, share=SHARE, smtp_port=smtp.port, escalation=True)
    for day in range(0, 15, 3):  # the first emails, the reminders and what follows
        result = world.cli(
            "escalation", "run", "--at", (AT + day * DAY).isoformat(), "--json", config=config
        )
        assert result.returncode == 0, result.stderr
    assert _cadences(world) == world.others
    assert smtp.messages, "the others were emailed"
    assert _recipients(smtp) == {_address(cid) for cid in world.others}
    with world.engine.connect() as conn:
        queued_to = set(conn.execute(select(OutboxMessage.to_address)).scalars())
    assert queued_to == {_address(cid) for cid in world.others}


def test_cadences_started_before_a_member_was_held_back_send_them_nothing(
    world: World, smtp: SmtpTestServer
) -> None:
    """Started with no control group (every customer's first email queued), then run with
    one: the queued emails to members are skipped, and their later steps send nothing."""
    before = load_settings(
        path=write_config(world.folder, share=0.0, smtp_port=smtp.port, escalation=True), env={}
    )
    score(world.engine, before, AT - timedelta(minutes=30))
    summary = advance_cadences(world.engine, before, AT)
    assert summary.started == len(LAPSED)  # GX is blocked for good: no cadence
    config = write_config(world.folder, share=SHARE, smtp_port=smtp.port, escalation=True)
    skipped = 0
    for day in range(0, 15, 3):
        result = world.cli(
            "escalation", "run", "--at", (AT + day * DAY).isoformat(), "--json", config=config
        )
        assert result.returncode == 0, result.stderr
        skipped += json.loads(result.stdout)["skipped"].get("control_group", 0)
    assert _recipients(smtp) == {_address(cid) for cid in world.others}
    assert skipped >= len(world.members)  # each member's queued first email, at least
    with world.engine.connect() as conn:
        statuses = dict(
            conn.execute(
                select(OutboxMessage.to_address, OutboxMessage.status).where(
                    OutboxMessage.step == 1
                )
            ).all()
        )
    assert {statuses[_address(cid)] for cid in world.members} == {"skipped"}


def test_the_shipped_share_holds_back_about_a_tenth_of_a_demo_base(tmp_path: Path) -> None:
    """With the shipped settings (no environment, no file) a tenth of the lapsed customers
    whom no legal rule blocks are held back: within 5 binomial standard deviations."""
    from datetime import date

    from workbench.domain.escalation import WIN_BACK_LIFECYCLES
    from workbench.services.demo import load_demo
    from workbench.store.engine import make_engine
    from workbench.store.schema import upgrade

    shipped = load_settings(path=None, env={})
    assert shipped.kpi.control_share == 0.10
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    load_demo(engine, shipped, customers=1500, seed=7, announce=lambda _: None,
              today=date(2026, 11, 25))  # fmt: skip
    rescore_now(engine, shipped, datetime(2026, 11, 25, 7, 0, tzinfo=JST))
    with engine.connect() as conn:
        blocks = list(
            conn.execute(
                select(QueueScore.permanent_block).where(
                    QueueScore.state.in_(sorted(WIN_BACK_LIFECYCLES))  # type: ignore[attr-defined]
                )
            ).scalars()
        )
    engine.dispose()
    eligible = [b for b in blocks if b in (None, "control_group")]
    held = eligible.count("control_group")
    n = len(eligible)
    assert n >= 200, n  # enough lapsed customers for the bound to mean something
    assert abs(held - 0.1 * n) <= 5 * (n * 0.1 * 0.9) ** 0.5, (held, n)
