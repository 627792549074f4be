"""The demo set's control group follows its seed: the same demo holds back the same customers
on every machine, and a database's stored seed is never replaced."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from workbench.config import Settings
from workbench.services.control_group import adopt_seed, control_ids, control_seed
from workbench.services.demo import demo_control_seed, load_demo
from workbench.store.engine import make_engine
from workbench.store.models import Customer
from workbench.store.schema import upgrade


def _with_share(settings: Settings) -> Settings:
    return dataclasses.replace(settings, kpi=dataclasses.replace(settings.kpi, control_share=0.1))


def _demo(path: Path, settings: Settings, seed: int) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_demo(engine, settings, customers=120, seed=seed, today=date(2026, 11, 25),
              announce=lambda _m: None)  # fmt: skip
    return engine


def _members(engine: Engine, settings: Settings) -> set[str]:
    with engine.connect() as conn:
        people = dict(conn.execute(select(Customer.id, Customer.external_id)).all())  # type: ignore[call-overload]
        return {people[cid] for cid in control_ids(conn, settings, sorted(people))}


def test_two_databases_with_the_same_demo_hold_back_the_same_customers(
    tmp_path: Path, settings: Settings
) -> None:
    held = _with_share(settings)
    first = _members(_demo(tmp_path / "a.db", held, seed=7), held)
    second = _members(_demo(tmp_path / "b.db", held, seed=7), held)
    assert first == second
    assert 0 < len(first) < 120
    other = _members(_demo(tmp_path / "c.db", held, seed=8), held)
    assert other != first


def test_the_demo_keeps_its_seed_and_never_replaces_a_stored_one(
    engine: Engine, settings: Settings
) -> None:
    with engine.begin() as conn:
        drawn = control_seed(conn)
    assert adopt_seed(engine, demo_control_seed(7)) == drawn
    load_demo(
        engine, settings, customers=30, seed=7, today=date(2026, 11, 25), announce=lambda _m: None
    )
    with engine.connect() as conn:
        assert control_seed(conn) == drawn != demo_control_seed(7)


def test_an_empty_database_adopts_the_demo_seed(engine: Engine, settings: Settings) -> None:
    load_demo(
        engine, settings, customers=30, seed=7, today=date(2026, 11, 25), announce=lambda _m: None
    )
    with engine.connect() as conn:
        assert control_seed(conn) == demo_control_seed(7)
