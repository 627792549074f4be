"""The control group's draw: uniform, stable, monotone in the share, blind to other customers;
and its seed, stored once per database whoever asks first (on every backend)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select

from workbench.config import Settings
from workbench.domain.control_group import draw, draws, in_control, members
from workbench.services.control_group import CONTROL_KEY, control_seed, ensure_seed
from workbench.store.models import ModelState

IDS = np.arange(1, 100_001, dtype=np.int64)
SEEDS = (0, 1, 0x5EED_CAFE, (1 << 63) - 1)


def _within_binomial(count: int, n: int, p: float) -> bool:
    """Within 5 standard deviations of n·p: fails by chance about once in 3.5 million."""
    return abs(count - n * p) <= 5 * math.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("share", [0.01, 0.1, 0.5, 0.9])
def test_the_share_held_back_is_the_configured_share(seed: int, share: float) -> None:
    count = int(members(seed, IDS, share).sum())
    assert _within_binomial(count, len(IDS), share), (count, share)


@pytest.mark.parametrize("seed", SEEDS)
def test_draws_are_uniform_in_every_tenth(seed: int) -> None:
    values = draws(seed, IDS)
    assert values.min() >= 0.0 and values.max() < 1.0
    counts = np.bincount((values * 10).astype(int), minlength=10)
    assert len(counts) == 10
    assert all(_within_binomial(int(c), len(IDS), 0.1) for c in counts), counts


@pytest.mark.parametrize("seed", SEEDS)
def test_the_scalar_and_the_vectorised_forms_agree(seed: int) -> None:
    sample = [1, 2, 3, 17, 999, 65_536, 2**31 + 5, 2**53 + 1, 2**62 + 3]
    vector = draws(seed, sample)
    assert [draw(seed, cid) for cid in sample] == vector.tolist()
    for share in (0.0, 0.1, 0.5, 0.99):
        assert [in_control(seed, cid, share) for cid in sample] == members(
            seed, sample, share
        ).tolist()


def test_a_share_of_zero_holds_nobody_back() -> None:
    assert not members(7, IDS, 0.0).any()
    assert not any(in_control(7, cid, 0.0) for cid in range(1, 1000))


@pytest.mark.parametrize("seed", SEEDS)
def test_raising_the_share_only_adds_members(seed: int) -> None:
    previous = members(seed, IDS, 0.0)
    for share in (0.05, 0.1, 0.2, 0.5, 0.8):
        now = members(seed, IDS, share)
        assert not (previous & ~now).any()  # nobody leaves
        assert now.sum() > previous.sum()
        previous = now


def test_membership_does_not_depend_on_who_else_is_there() -> None:
    seed, share = 0x5EED_CAFE, 0.3
    everyone = members(seed, IDS, share)
    rng = np.random.default_rng(11)
    some = np.sort(rng.choice(IDS, size=5000, replace=False))
    assert (members(seed, some, share) == everyone[some - 1]).all()
    # Customers arriving after (higher ids) change nobody's membership.
    more = np.arange(1, 150_001, dtype=np.int64)
    assert (members(seed, more, share)[: len(IDS)] == everyone).all()


def test_different_seeds_draw_different_groups() -> None:
    a, b = members(1, IDS, 0.5), members(2, IDS, 0.5)
    # Independent halves agree on about half the customers.
    assert _within_binomial(int((a == b).sum()), len(IDS), 0.5)


def _stored(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(ModelState.__table__.c.value).where(
                    ModelState.__table__.c.key == CONTROL_KEY
                )
            ).scalars()
        )


def test_the_seed_is_drawn_once_and_kept_across_connections(engine: Engine) -> None:
    assert _stored(engine) == []
    with engine.begin() as conn:
        first = control_seed(conn)
    with engine.connect() as conn:
        assert control_seed(conn) == first
    engine.dispose()
    with engine.begin() as conn:
        assert control_seed(conn) == first
    assert len(_stored(engine)) == 1


def test_a_seed_first_asked_for_by_a_read_is_kept(engine: Engine) -> None:
    """A read-only command's transaction ends in a rollback: the seed it drew stays stored."""
    with engine.connect() as conn:
        first = control_seed(conn)
        conn.rollback()
    with engine.connect() as conn:
        assert control_seed(conn) == first
    assert len(_stored(engine)) == 1


def test_ensure_seed_stores_it_only_when_a_control_group_is_configured(
    engine: Engine, settings: Settings
) -> None:
    import dataclasses

    ensure_seed(engine, settings)  # share 0 in the tests' settings
    assert _stored(engine) == []
    held = dataclasses.replace(settings, kpi=dataclasses.replace(settings.kpi, control_share=0.1))
    ensure_seed(engine, held)
    [value] = _stored(engine)
    ensure_seed(engine, held)
    assert _stored(engine) == [value]


SEED_SCRIPT = """
import sys
from workbench.config import load_settings
from workbench.services.control_group import control_seed, ensure_seed
from workbench.store.engine import make_engine
engine = make_engine(sys.argv[1])
ensure_seed(engine, load_settings(path=None, env={"WORKBENCH_KPI_CONTROL_SHARE": "0.1"}))
with engine.connect() as conn:
    print(control_seed(conn))
"""


def _seed_processes(url: str, n: int, tmp_path: Path) -> list[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    script = tmp_path / "seed.py"
    script.write_text(SEED_SCRIPT, encoding="utf-8")
    started = [
        subprocess.Popen(
            [sys.executable, str(script), url], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(n)
    ]
    seeds = []
    for process in started:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        seeds.append(int(out.strip()))
    return seeds


def test_processes_asking_at_once_on_first_use_all_get_one_seed(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    seeds = _seed_processes(db_url, 6, tmp_path)
    assert len(set(seeds)) == 1
    assert len(_stored(engine)) == 1
    with engine.connect() as conn:
        assert control_seed(conn) == seeds[0]
    # A later process reads the stored seed.
    assert _seed_processes(db_url, 1, tmp_path) == seeds[:1]
