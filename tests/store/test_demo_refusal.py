"""`demo` fills an empty database; on one that holds customers it refuses unless forced."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from workbench.config import Settings
from workbench.services.demo import DemoRefused, customer_count, load_demo


def test_demo_refuses_a_database_that_holds_customers(engine: Engine, settings: Settings) -> None:
    quiet = {"announce": lambda _m: None, "today": date(2026, 11, 25)}
    load_demo(engine, settings, customers=60, seed=3, **quiet)  # type: ignore[arg-type]
    held = customer_count(engine)
    assert held > 0
    with pytest.raises(DemoRefused, match=rf"すでに {held:,} 件の顧客.*--force"):
        load_demo(engine, settings, customers=60, seed=4, **quiet)  # type: ignore[arg-type]
    assert customer_count(engine) == held
    load_demo(engine, settings, customers=90, seed=4, force=True, **quiet)  # type: ignore[arg-type]
    assert customer_count(engine) == 90  # forced: the demo's ids are reused, 30 more are new
