"""The simulator's world generator: seeded determinism, CSV the product's import accepts, sane truth."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from sim.generate import generate_world, load_truth  # noqa: E402
from sim.response import Luck, ScriptInfo, best_fit, callback_time, fit_class, respond  # noqa: E402
from sim.runner import schedule  # noqa: E402
from sim.world import TOKYO, WORLDS, Scale  # noqa: E402

from workbench.config import load_settings
from workbench.services.importer import import_file
from workbench.store.database import open_database

START = date(2026, 11, 2)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_world_other_seed_other_world(tmp_path: Path) -> None:
    spec = WORLDS["households"]
    generate_world(spec, 80, 7, START, tmp_path / "a")
    generate_world(spec, 80, 7, START, tmp_path / "b")
    generate_world(spec, 80, 8, START, tmp_path / "c")
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a")["customers.csv"] != _bytes(tmp_path / "c")["customers.csv"]


def test_worlds_differ_structurally(tmp_path: Path) -> None:
    kinds = {}
    for name in WORLDS:
        _, truths = generate_world(WORLDS[name], 400, 1, START, tmp_path / name)
        kinds[name] = sum(t.kind == "b2b" for t in truths.values()) / len(truths)
    assert kinds["b2b_callbacks"] > 0.3 > kinds["households"]


@pytest.mark.parametrize("world", list(WORLDS))
def test_the_product_imports_every_generated_row(tmp_path: Path, world: str) -> None:
    files, truths = generate_world(WORLDS[world], 150, 3, START, tmp_path / "w")
    settings = load_settings(path=None, env={})
    engine = open_database(f"sqlite:///{tmp_path / 'w.db'}")
    counts = {}
    for kind in ("customers", "transactions", "contacts"):
        summary = import_file(
            engine,
            kind,
            getattr(files, kind),
            settings,
            rejects_path=tmp_path / f"{kind}.rejects.csv",
        )  # type: ignore[arg-type]
        assert summary.rejected == 0, summary.reject_columns
        counts[kind] = summary.rows
    engine.dispose()
    assert counts["customers"] == 150
    assert counts["transactions"] >= 150  # everybody bought at least once
    assert counts["contacts"] > 0
    assert load_truth(files.truth) == truths
    assert "2026-11-02" not in files.transactions.read_text(
        encoding="utf-8"
    )  # history ends before the first working day


def test_truth_ties_propensity_to_the_latent_state(tmp_path: Path) -> None:
    _, truths = generate_world(WORLDS["households"], 600, 5, START, tmp_path / "w")
    alive = [t.propensity for t in truths.values() if t.alive]
    dead = [t.propensity for t in truths.values() if not t.alive]
    assert alive and dead
    assert np.mean(alive) > 1.5 * np.mean(dead)
    assert all(0 < t.propensity <= 0.6 and t.value >= 1000 for t in truths.values())


def test_common_random_numbers_per_customer() -> None:
    a, b = Luck(4), Luck(4)
    first = a.next(10).copy()
    b.next(3)  # another customer's dial does not shift this customer's stream
    assert np.array_equal(b.next(10), first)
    assert not np.array_equal(a.next(10), first)


def test_script_fit_and_the_response_model(tmp_path: Path) -> None:
    _, truths = generate_world(WORLDS["households"], 200, 2, START, tmp_path / "w")
    t = next(
        t for t in truths.values() if t.reason == "price" and t.kind == "b2c" and not t.wrong_number
    )
    listen = ScriptInfo("b2c_listen_general", ("unknown",), "b2c")
    price = ScriptInfo("price_plan_review", ("price",), "any")
    quality = ScriptInfo("quality_followup", ("quality_dissatisfaction",), "any")
    assert (fit_class(listen, t), fit_class(price, t), fit_class(quality, t)) == (
        "hearing",
        "specific",
        "wrong",
    )
    assert best_fit([listen, price, quality], t) == (price, "specific")
    at = datetime(2026, 11, 2, 11, tzinfo=TOKYO)
    never = np.array([0.999, 0.0, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5])
    assert respond(t, at, price, never, None, 0.2).outcome in {"no_answer", "busy", "voicemail"}
    won = np.array([0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5])
    r = respond(t, at, price, won, None, 0.2)
    assert (r.outcome, r.heard_reason) == ("reactivated", "price") and r.amount and r.amount > 0
    w_listen = respond(t, at, listen, won, None, 0.2).p_win
    w_wrong = respond(t, at, quality, won, None, 0.2).p_win
    assert r.p_win > w_listen > w_wrong > 0


def test_callback_times_are_inside_typical_hours_on_open_days(tmp_path: Path) -> None:
    _, truths = generate_world(WORLDS["b2b_callbacks"], 100, 2, START, tmp_path / "w")
    for t in list(truths.values())[:30]:
        for u in (0.0, 0.3, 0.9):
            at = datetime(2026, 11, 2, 19, 40, tzinfo=TOKYO)  # Monday evening; Tuesday is a holiday
            when = callback_time(t, at, u, u)
            assert when > at + timedelta(minutes=30)
            assert when.date() != date(2026, 11, 3) and when.weekday() != 6
            assert 9 <= when.hour < 20 and when - at <= timedelta(days=4)


def test_schedule_skips_sundays_and_holidays() -> None:
    days = schedule(Scale(days=12))
    assert len(days) == 12
    assert all(len(slots) == 11 * 16 for slots in days)
    dates = [slots[0][0].date() for slots in days]
    assert date(2026, 11, 3) not in dates and all(d.weekday() != 6 for d in dates)
    assert {op for _, op in days[0]} == {"op01", "op02", "op03", "op04"}
