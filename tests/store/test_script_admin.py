"""Team leads' hold on the script choice, through the queue and the claim on both backends.

The library is two hearing-first b2c scripts (`b2c_listen_general` and a copy with its own
id, `b2c_listen_alt`); eight dormant b2c customers with two orders each have no reason
heard and no guessing rule firing, so each gets a hearing-first script, drawn per customer.
A pin for `unknown` gives all of them the pinned script; retiring it takes it out even
though it stays pinned; the audit log has one row per change.  The library's versions are
stored once per version, and again only when a file changes.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, func, select

from workbench.config import Settings
from workbench.services.claim import claim
from workbench.services.importer import import_file
from workbench.services.operators import register_operator
from workbench.services.queue import read_queue
from workbench.services.scoring import rescore
from workbench.services.script_admin import (
    AdminError,
    ScriptRules,
    audit_entries,
    current_pins,
    pin_script,
    retire_script,
    unpin_script,
    unretire_script,
)
from workbench.services.script_contents import forget_met, record_files, stored_versions
from workbench.services.talk_choice import library_for
from workbench.store.models import Lease, ScriptContent
from workbench.talk.model import script_version

JST = ZoneInfo("Asia/Tokyo")
AT = datetime(2026, 11, 24, 10, 0, tzinfo=JST)
REPO = Path(__file__).resolve().parents[2]
GENERAL, ALT = "b2c_listen_general", "b2c_listen_alt"
PEOPLE = [f"P{i}" for i in range(8)]


def _library(tmp_path: Path) -> Path:
    root = tmp_path / "talkscripts"
    (root / "ja").mkdir(parents=True)
    source = REPO / "talkscripts" / "ja" / f"{GENERAL}.md"
    shutil.copy(source, root / "ja" / f"{GENERAL}.md")
    text = source.read_text("utf-8").replace(f"id: {GENERAL}", f"id: {ALT}", 1)
    (root / "ja" / f"{ALT}.md").write_text(text, "utf-8")
    return root


@pytest.fixture
def setup(engine: Engine, settings: Settings, tmp_path: Path) -> Settings:
    settings = dataclasses.replace(settings, talkscripts_dir=str(_library(tmp_path)), language="ja")
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,name,kind,phone\n"
        + "".join(f"{p},客 {p},b2c,090-3000-000{i}\n" for i, p in enumerate(PEOPLE)),
        encoding="utf-8",
    )
    orders = tmp_path / "transactions.csv"
    orders.write_text(
        "customer_id,ordered_at,amount,category\n"
        + "".join(
            f"{p},2025-06-01T12:00+09:00,5000,beverages\n{p},2025-09-01T12:00+09:00,5000,beverages\n"
            for p in PEOPLE
        ),
        encoding="utf-8",
    )
    for kind, path in (("customers", customers), ("transactions", orders)):
        done = import_file(engine, kind, path, settings, rejects_path=tmp_path / f"{kind}.rej.csv")
        assert done.rejected == 0
    rescore(engine, settings, AT)
    register_operator(engine, "lead1", "主任")
    register_operator(engine, "op1", "担当")
    return settings


def _scripts(engine: Engine, settings: Settings) -> dict[str, str | None]:
    with engine.connect() as conn:
        entries = read_queue(conn, settings, AT, "op1", 20)
    return {e.external_id: e.script.script_id if e.script else None for e in entries}


def test_a_pin_gives_every_customer_the_script_and_a_retirement_takes_it_away(
    engine: Engine, setup: Settings
) -> None:
    before = _scripts(engine, setup)
    assert set(before) == set(PEOPLE)
    assert set(before.values()) == {GENERAL, ALT}  # drawn per customer: both are read

    pin_script(engine, setup, "unknown", ALT, by="lead1", at=AT, kind="b2c")
    assert set(_scripts(engine, setup).values()) == {ALT}

    retire_script(engine, setup, ALT, by="lead1", at=AT)
    assert set(_scripts(engine, setup).values()) == {GENERAL}  # pinned, but retired

    unretire_script(engine, ALT, by="lead1", at=AT)
    assert set(_scripts(engine, setup).values()) == {ALT}  # the pin holds again

    unpin_script(engine, "unknown", by="lead1", at=AT, kind="b2c")
    assert _scripts(engine, setup) == before  # the same draws as before any pin


def test_the_claim_leases_the_pinned_script(engine: Engine, setup: Settings) -> None:
    pin_script(engine, setup, "unknown", ALT, by="lead1", at=AT)  # both kinds
    entry = claim(engine, setup, "op1", AT)
    assert entry is not None and entry.script is not None and entry.script.script_id == ALT
    with engine.connect() as conn:
        leased = conn.execute(select(Lease.__table__.c.script_id)).scalars().all()
    assert leased == [ALT]


def test_a_retired_script_alone_leaves_nothing_to_offer(engine: Engine, setup: Settings) -> None:
    retire_script(engine, setup, ALT, by="lead1", at=AT)
    retire_script(engine, setup, GENERAL, by="lead1", at=AT)
    assert set(_scripts(engine, setup).values()) == {None}


def test_every_change_is_in_the_audit_log_newest_first(engine: Engine, setup: Settings) -> None:
    times = [datetime(2026, 11, 24, h, 0, tzinfo=UTC) for h in (1, 2, 3, 4, 5)]
    pin_script(engine, setup, "unknown", GENERAL, by="lead1", at=times[0], kind="b2c")
    pin_script(engine, setup, "unknown", ALT, by="lead1", at=times[1], kind="b2c")
    retire_script(engine, setup, ALT, by="op1", at=times[2])
    unretire_script(engine, ALT, by="op1", at=times[3])
    unpin_script(engine, "unknown", by="lead1", at=times[4], kind="b2c")
    rows = audit_entries(engine)
    assert [(r.action, r.actor, r.subject) for r in rows] == [
        ("unpin", "lead1", ALT),
        ("unretire", "op1", ALT),
        ("retire", "op1", ALT),
        ("pin", "lead1", ALT),
        ("pin", "lead1", GENERAL),
    ]
    assert [r.at for r in rows] == times[::-1]
    assert rows[3].details == {"reason": "unknown", "kind": "b2c", "script_id": ALT,
                               "previous": GENERAL}  # fmt: skip
    assert rows[2].details == {"script_id": ALT, "pinned_for": ["unknown/b2c"]}
    assert [r.action for r in audit_entries(engine, limit=2)] == ["unpin", "unretire"]
    assert current_pins(engine) == ([], [])


REFUSED_PINS = [
    ("nosuch", ALT, "any", "lead1", "unknown_reason"),
    ("unknown", "nosuch", "any", "lead1", "unknown_script"),
    ("price", ALT, "any", "lead1", "not_serving"),
    ("unknown", ALT, "b2b", "lead1", "not_serving"),  # a b2c script
    ("unknown", ALT, "any", "ghost", "unknown_operator"),
    ("unknown", ALT, "any", "", "no_actor"),
]


def test_a_pin_nobody_could_honour_is_refused(engine: Engine, setup: Settings) -> None:
    for reason, script_id, kind, by, code in REFUSED_PINS:
        with pytest.raises(AdminError) as refused:
            pin_script(engine, setup, reason, script_id, by=by, at=AT, kind=kind)
        assert refused.value.code == code, (reason, script_id, kind, by)
    assert audit_entries(engine) == []
    assert current_pins(engine) == ([], [])


def test_refusals_of_retirements_and_unpins(engine: Engine, setup: Settings) -> None:
    retire_script(engine, setup, ALT, by="lead1", at=AT)
    for change, code in [
        (lambda: retire_script(engine, setup, ALT, by="lead1", at=AT), "already_retired"),
        (lambda: pin_script(engine, setup, "unknown", ALT, by="lead1", at=AT), "retired"),
        (lambda: unretire_script(engine, GENERAL, by="lead1", at=AT), "not_retired"),
        (lambda: unpin_script(engine, "unknown", by="lead1", at=AT), "not_pinned"),
        (lambda: retire_script(engine, setup, "nosuch", by="lead1", at=AT), "unknown_script"),
    ]:
        with pytest.raises(AdminError) as refused:
            change()
        assert refused.value.code == code
    assert len(audit_entries(engine)) == 1


def _stored(engine: Engine) -> list[tuple[str, str]]:
    table = ScriptContent.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.script_id, table.c.version).order_by(table.c.script_id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_each_version_is_stored_once_and_an_edit_adds_one(engine: Engine, setup: Settings) -> None:
    root = Path(setup.talkscripts_dir) / "ja"
    versions = {sid: script_version((root / f"{sid}.md").read_bytes()) for sid in (ALT, GENERAL)}
    _scripts(engine, setup)
    assert _stored(engine) == [(ALT, versions[ALT]), (GENERAL, versions[GENERAL])]
    forget_met()  # a new process: finds them stored, adds nothing
    claim(engine, setup, "op1", AT)
    _scripts(engine, setup)
    assert len(_stored(engine)) == 2

    edited = root / f"{GENERAL}.md"
    edited.write_bytes(edited.read_bytes() + "\n追記の行\n".encode())
    library_for(setup, check_now=True)  # the reload a pick makes every couple of seconds
    entry = claim(engine, setup, "op1", AT)  # SQLite: stored inside the claim's write
    assert entry is not None
    new = script_version(edited.read_bytes())
    assert sorted(v for s, v in _stored(engine) if s == GENERAL) == sorted([versions[GENERAL], new])
    [old_row, new_row] = stored_versions(engine, GENERAL, "ja")
    assert (old_row.version, new_row.version) == (versions[GENERAL], new)
    assert new_row.content.endswith("追記の行\n") and not old_row.content.endswith("追記の行\n")
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(ScriptContent.__table__)).scalar()
    assert total == 3


def test_a_pin_for_the_kind_wins_over_one_for_both_kinds() -> None:
    rules = ScriptRules({("price", "any"): "a", ("price", "b2b"): "b", ("moved", "b2c"): "c"},
                        frozenset())  # fmt: skip
    assert rules.pins_for("b2b") == {"price": "b"}
    assert rules.pins_for("b2c") == {"price": "a", "moved": "c"}
    assert ScriptRules({}, frozenset()).choice_pins([], "b2c") is None  # the front matter decides


def test_a_one_off_command_looks_again_where_the_queue_trusts_what_it_met(
    engine: Engine, setup: Settings
) -> None:
    """A long-lived process (the command server) whose database lost the rows: the queue
    trusts what it met, `scripts check` (`record_files`) asks the database again."""
    _scripts(engine, setup)
    with engine.begin() as conn:
        conn.execute(delete(ScriptContent.__table__))
    _scripts(engine, setup)
    assert _stored(engine) == []
    assert record_files(engine, [Path(setup.talkscripts_dir)]) == 2
    assert [s for s, _ in _stored(engine)] == [ALT, GENERAL]
