"""The answer model fitted in a separate interpreter equals the one fitted in the thread."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime

import numpy as np
import pytest
from sqlalchemy import Engine

from workbench.services import answer_process
from workbench.services.answer_fit import fit_from_calls
from workbench.services.demo import load_demo
from workbench.services.scoring import rescore

AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert np.array_equal(a.population, b.population)
    assert a.segments.keys() == b.segments.keys()
    for key in a.segments:
        assert np.array_equal(a.segments[key], b.segments[key])
    assert (a.kappa_segment, a.kappa_customer, a.kappa_reach) == (
        b.kappa_segment,
        b.kappa_customer,
        b.kappa_reach,
    )
    assert pickle.dumps(a.habits) == pickle.dumps(b.habits)


def test_a_large_history_is_fitted_in_another_process_with_the_same_result(
    engine: Engine, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    if engine.url.get_backend_name() == "sqlite" and not engine.url.database:
        pytest.skip("an in-memory database cannot be opened by another process")
    load_demo(engine, settings, customers=300, seed=5, today=date(2026, 11, 24))
    with engine.connect() as conn:
        here = fit_from_calls(conn, settings, AT)
    started: list[list[str]] = []
    run = answer_process.subprocess.run

    def recording(args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(list(args))
        return run(args, **kwargs)

    monkeypatch.setattr(answer_process, "PROCESS_MIN_CALLS", 1)
    monkeypatch.setattr(answer_process.subprocess, "run", recording)
    elsewhere = answer_process.fit_answer_model(engine, settings, AT)
    assert started and started[0][1:] == ["-m", "workbench.services.answer_process"]
    _same(here, elsewhere)
    # And a whole rescore goes the same way and succeeds.
    summary = rescore(engine, settings, AT)
    assert summary.customers == 299 and len(started) == 2  # one demo row is malformed on purpose


def test_a_small_history_stays_in_the_thread(engine: Engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    load_demo(engine, settings, customers=60, seed=5, today=date(2026, 11, 24))

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("no process for a small history")

    monkeypatch.setattr(answer_process.subprocess, "run", refuse)
    model = answer_process.fit_answer_model(engine, settings, AT)
    assert model.population.shape == (168,)
