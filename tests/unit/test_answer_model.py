"""Hour-of-week answer model: shrinkage, κ by moments, updates and best windows."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from workbench.domain.answer_model import (
    DEFAULT_BASE_RATE,
    DEFAULT_KAPPA,
    KAPPA_MAX,
    KAPPA_MIN,
    P_FLOOR,
    POPULATION_KAPPA,
    AnswerCounts,
    estimate_kappa,
    fit_answer_model,
    hour_of_week,
    population_prior,
    shrink,
    sum_counts,
    update,
)
from workbench.domain.answer_windows import AnswerWindow, best_windows, describe_windows

TUE_18 = 1 * 24 + 18


def _counts(cells: dict[int, tuple[int, int]]) -> AnswerCounts:
    """Counts from {cell: (attempts, answers)}."""
    attempts = np.zeros(168, dtype=np.int64)
    answers = np.zeros(168, dtype=np.int64)
    for cell, (n, x) in cells.items():
        attempts[cell], answers[cell] = n, x
    return AnswerCounts(attempts, answers)


def test_hour_of_week_uses_the_customers_zone() -> None:
    at = datetime(2026, 6, 9, 9, 30, tzinfo=UTC)  # Tuesday 09:30 UTC
    assert hour_of_week(at, "Asia/Tokyo") == 1 * 24 + 18  # Tuesday 18:30 JST
    assert hour_of_week(at, "America/New_York") == 1 * 24 + 5  # Tuesday 05:30 EDT
    assert hour_of_week(datetime(2026, 6, 7, 15, 0, tzinfo=UTC), "Asia/Tokyo") == 0  # Mon 00:00
    with pytest.raises(ValueError):
        hour_of_week(datetime(2026, 6, 9, 9, 30), "Asia/Tokyo")


def test_zero_attempts_give_the_group_prior() -> None:
    prior = np.linspace(0.05, 0.5, 168)
    p = shrink(AnswerCounts.empty(), prior, kappa=7.0)
    np.testing.assert_allclose(p, prior)


def test_many_attempts_give_the_own_rate() -> None:
    prior = np.full(168, 0.2)
    own = _counts({TUE_18: (10_000, 7_000)})
    p = shrink(own, prior, kappa=10.0)
    assert p[TUE_18] == pytest.approx(0.7, abs=1e-3)
    assert p[0] == pytest.approx(0.2)


def test_shrinkage_formula_hand_computed() -> None:
    # (answers + κ·p_group) / (attempts + κ) = (2 + 8·0.25) / (3 + 8) = 4/11
    p = shrink(_counts({TUE_18: (3, 2)}), 0.25, kappa=8.0)
    assert p[TUE_18] == pytest.approx(4 / 11)


def test_floor() -> None:
    p = shrink(_counts({5: (50, 0)}), 0.02, kappa=2.0)
    assert p[5] == P_FLOOR
    assert np.all(p >= P_FLOOR)


def test_updates_are_immediate_and_monotone() -> None:
    prior = np.full(168, 0.3)
    counts = AnswerCounts.empty()
    previous = shrink(counts, prior, 5.0)[TUE_18]
    for answered in (True, True, True):
        counts = update(counts, TUE_18, answered)
        now = shrink(counts, prior, 5.0)[TUE_18]
        assert now > previous
        previous = now
    for answered in (False, False):
        counts = update(counts, TUE_18, answered)
        now = shrink(counts, prior, 5.0)[TUE_18]
        assert now < previous
        previous = now
    assert counts.attempts[TUE_18] == 5 and counts.answers[TUE_18] == 3
    assert counts.attempts.sum() == 5  # no other cell touched


def test_update_returns_new_counts_and_leaves_the_old_alone() -> None:
    before = AnswerCounts.empty()
    after = update(before, 3, True)
    assert before == AnswerCounts.empty()
    assert after != before
    with pytest.raises(ValueError):
        before.attempts[0] = 1  # read-only, so a persisted copy cannot drift
    with pytest.raises(ValueError):
        update(before, 168, True)


def test_counts_validate() -> None:
    with pytest.raises(ValueError):
        AnswerCounts(np.zeros(24, dtype=np.int64), np.zeros(24, dtype=np.int64))
    with pytest.raises(ValueError):
        _counts({0: (1, 2)})


def test_population_prior_pools_neighbouring_hours() -> None:
    pop = _counts({TUE_18: (10, 5)})
    p = population_prior(pop)
    # Overall rate 5/10 = 0.5; cells 17, 18, 19 pool the same 10 attempts, others none.
    expected_near = (5 + POPULATION_KAPPA * 0.5) / (10 + POPULATION_KAPPA)
    assert p[TUE_18 - 1] == p[TUE_18] == p[TUE_18 + 1] == pytest.approx(expected_near)
    assert p[TUE_18 + 2] == pytest.approx(0.5)


def test_population_prior_wraps_the_week_and_has_a_default() -> None:
    pop = _counts({167: (4, 4)})  # Sunday 23h
    p = population_prior(pop, kappa=4.0)
    # Overall 1.0; Monday 0h pools Sunday 23h: (4 + 4·1)/(4 + 4) = 1.
    assert p[0] == pytest.approx(1.0)
    np.testing.assert_allclose(population_prior(AnswerCounts.empty()), DEFAULT_BASE_RATE)


def test_estimate_kappa_hand_computed() -> None:
    # Eight units with n = 2, μ = 0.5: S = Σ(x−1)²/2 = 5·0.5 = 2.5, A = 8·0.25 = 2,
    # B = 8·0.25·1 = 2, ρ = (2.5 − 2)/2 = 0.25, κ = 1/ρ − 1 = 3.
    answers = [0, 2, 0, 2, 0, 1, 1, 1]
    assert estimate_kappa(answers, [2] * 8, 0.5) == pytest.approx(3.0)


def test_estimate_kappa_edges() -> None:
    # No extra variation (every unit exactly at its mean) → full pooling.
    assert estimate_kappa([1, 1, 1, 1], [2, 2, 2, 2], 0.5) == KAPPA_MAX
    # Maximal variation → the floor.
    assert estimate_kappa([0, 2, 0, 2], [2, 2, 2, 2], 0.5) == KAPPA_MIN
    # Single attempts carry no information about κ.
    assert estimate_kappa([0, 1, 1], [1, 1, 1], 0.5) == DEFAULT_KAPPA
    assert estimate_kappa([], [], 0.5) == DEFAULT_KAPPA


def test_estimate_kappa_recovers_simulated_concentration() -> None:
    rng = np.random.default_rng(11)
    kappa, mu, units, n = 20.0, 0.3, 20_000, 12
    rates = rng.beta(mu * kappa, (1 - mu) * kappa, units)
    answers = rng.binomial(n, rates)
    estimate = estimate_kappa(answers, np.full(units, n), mu)
    assert estimate == pytest.approx(kappa, rel=0.15)


def test_fit_answer_model_hierarchy() -> None:
    rng = np.random.default_rng(5)
    evening = np.full(168, 0.1)
    for day in range(7):
        evening[day * 24 + 18 : day * 24 + 21] = 0.4
    customers: list[tuple[str | None, AnswerCounts]] = []
    for _ in range(400):
        attempts = rng.poisson(0.3, 168)
        answers = rng.binomial(attempts, evening)
        customers.append(("household", AnswerCounts(attempts, answers)))
    segment = sum_counts(c for _, c in customers)
    model = fit_answer_model({"household": segment}, customers)
    assert KAPPA_MIN <= model.kappa_customer <= KAPPA_MAX
    seg = model.segment_prior("household")
    assert seg[TUE_18] > 0.3 and seg[1 * 24 + 10] < 0.2
    assert model.segment_prior("unknown") is model.population
    # A new customer gets the segment's probabilities exactly.
    np.testing.assert_allclose(model.probabilities(AnswerCounts.empty(), "household"), seg)
    # A customer who answered every Tuesday-morning call moves toward their own rate.
    own = _counts({1 * 24 + 10: (6, 6)})
    assert model.probabilities(own, "household")[1 * 24 + 10] > seg[1 * 24 + 10]


def test_fit_answer_model_without_customers_uses_default_kappa() -> None:
    model = fit_answer_model({"b2b": _counts({TUE_18: (3, 1)})})
    assert model.kappa_customer == DEFAULT_KAPPA
    empty = fit_answer_model({})
    np.testing.assert_allclose(empty.population, DEFAULT_BASE_RATE)


def _handmade() -> np.ndarray:
    p = np.full(168, 0.1)
    for day in (1, 2, 3):  # Tue–Thu 18:00–20:00 good
        p[day * 24 + 18] = 0.40
        p[day * 24 + 19] = 0.38
    p[5 * 24 + 10] = 0.30  # Saturday 10h, a lone good hour
    p[1 * 24 + 20] = 0.35  # Tuesday 20h: more than 10 % below the peak → not merged
    return p


def test_best_windows_merge_adjacent_hours() -> None:
    windows = best_windows(_handmade(), n=3)
    assert [w[:3] for w in windows] == [(1, 18, 20), (2, 18, 20), (3, 18, 20)]
    assert [w.p for w in windows] == pytest.approx([0.39, 0.39, 0.39])
    assert describe_windows(windows) == "Tue–Thu 18–20h"
    assert describe_windows(windows, lang="ja") == "火–木 18–20時"


def test_best_windows_beyond_the_top_three() -> None:
    windows = best_windows(_handmade(), n=5)
    assert windows[3][:3] == (1, 20, 21) and windows[3].p == pytest.approx(0.35)
    assert windows[4] == AnswerWindow(5, 10, 11, 0.30)
    # A looser tolerance merges Tuesday 20h into the first window.
    loose = best_windows(_handmade(), n=1, tolerance=0.15)
    assert loose[0][:3] == (1, 18, 21)
    assert best_windows(_handmade(), n=10, min_p=0.2)[-1].p == pytest.approx(0.30)


def test_best_windows_stay_within_a_day() -> None:
    p = np.full(168, 0.1)
    p[23] = p[24] = 0.5  # Monday 23h and Tuesday 0h
    windows = best_windows(p, n=2)
    assert {(w.weekday, w.start_hour, w.end_hour) for w in windows} == {(0, 23, 24), (1, 0, 1)}
    assert describe_windows(windows) == "Mon 23–24h, Tue 0–1h"
    _, _, _, prob = windows[0]  # plain tuples for display code
    assert prob == pytest.approx(0.5)


def test_a_customer_who_never_answers_is_judged_less_reachable_at_every_hour() -> None:
    from workbench.domain.answer_model import AnswerModel

    segment = np.full(168, 0.3)
    model = AnswerModel(
        segment, {"b2c": segment}, kappa_segment=10.0, kappa_customer=10.0, kappa_reach=4.0
    )
    silent = np.zeros(168, dtype=np.int64)
    silent[[10, 34, 58, 82, 106, 130]] = 2  # twelve unanswered calls on six days at 10h
    counts = AnswerCounts(silent, np.zeros(168, dtype=np.int64))
    # Expected 12 × 0.3 = 3.6 answers, none came; prior weight κ·p̄ = 4 × 0.3 = 1.2.
    assert model.reachability(counts, "b2c") == pytest.approx(1.2 / (3.6 + 1.2))
    probs = model.probabilities(counts, "b2c")
    fresh = model.probabilities(AnswerCounts.empty(), "b2c")
    assert model.reachability(AnswerCounts.empty(), "b2c") == 1.0
    assert probs[15] == pytest.approx(0.3 * 1.2 / 4.8)  # an hour never tried: the scaled profile
    assert np.all(probs < fresh)
    keen = AnswerCounts(silent, silent)  # answered every one of them
    assert model.reachability(keen, "b2c") == pytest.approx((12 + 1.2) / (3.6 + 1.2))
    assert model.probabilities(keen, "b2c")[15] > fresh[15]


def test_a_customer_with_a_habit_who_never_answers_is_judged_less_reachable_too() -> None:
    """With answering habits fitted, unanswered calls must still lower the customer's chances.

    The habit mixture alone moves probability between hours; it kept a customer who let
    twelve calls ring out exactly where an uncalled one stood when the habits were alike.
    """
    from workbench.domain.answer_model import AnswerModel
    from workbench.domain.answer_profiles import AnswerProfiles

    day, evening = np.full(168, 0.1), np.full(168, 0.1)
    for d in range(7):
        day[d * 24 + 9 : d * 24 + 17] = 0.5
        evening[d * 24 + 18 : d * 24 + 22] = 0.5
    habits = AnswerProfiles(np.stack([day, evening]), {"*": np.array([0.5, 0.5])})
    model = AnswerModel(
        np.full(168, 0.3),
        {},
        kappa_segment=10.0,
        kappa_customer=1000.0,
        kappa_reach=4.0,
        habits=habits,
    )
    silent = np.zeros(168, dtype=np.int64)
    silent[[10, 34, 58, 82, 106, 130]] = 2  # twelve unanswered calls at 10h: not a day person
    counts = AnswerCounts(silent, np.zeros(168, dtype=np.int64))
    fresh = model.probabilities(AnswerCounts.empty())
    probs = model.probabilities(counts)
    assert probs[10] < fresh[10] * 0.6  # both less likely a day person and less reachable
    assert probs[19] < float(
        np.asarray(habits.probabilities(silent, np.zeros(168)))[19]
    )  # reach scales the evening too


def test_reach_kappa_is_recovered_from_beta_binomial_customers() -> None:
    from workbench.domain.answer_model import estimate_reach_kappa

    rng = np.random.default_rng(7)
    tries = rng.integers(1, 6, 30_000)
    mean = rng.uniform(0.1, 0.5, tries.size)
    kappa = 3.0
    own = rng.beta(kappa * mean, kappa * (1 - mean))
    answers = rng.binomial(tries, own)
    assert estimate_reach_kappa(answers, tries * mean, tries) == pytest.approx(kappa, rel=0.15)
    # Customers answering at exactly their segment's rate: full pooling.
    assert estimate_reach_kappa(rng.binomial(tries, mean), tries * mean, tries) > 100


@pytest.mark.parametrize(
    "zone", ["Asia/Tokyo", "America/New_York", "Europe/London", "Asia/Kolkata"]
)
def test_vectorised_hours_of_week_agree_with_the_one_instant_rule_across_clock_changes(
    zone: str,
) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from workbench.domain.answer_model import hours_of_week

    rng = np.random.default_rng(3)
    seconds = np.concatenate(
        [rng.integers(0, 2_000_000_000, 5000), np.arange(1_710_050_000, 1_710_120_000, 600)]
    )
    expected = [hour_of_week(datetime.fromtimestamp(int(s), UTC), zone) for s in seconds]
    assert hours_of_week(seconds, ZoneInfo(zone)).tolist() == expected


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_hours_of_week_of_many_calls_over_two_years_agree_with_the_one_instant_rule(
    zone: str,
) -> None:
    """Calls dense in time (a table over the half hours, not a sort): four clock changes each."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from workbench.domain.answer_model import hours_of_week

    rng = np.random.default_rng(8)
    # 2024-01-01 .. 2026-01-01, and every 5 minutes around 2025-03-09 (US spring forward)
    seconds = np.concatenate(
        [rng.integers(1_704_067_200, 1_767_225_600, 30_000), np.arange(1_741_480_000, 1_741_520_000, 300)]
    )  # fmt: skip
    expected = [hour_of_week(datetime.fromtimestamp(int(s), UTC), zone) for s in seconds]
    assert hours_of_week(seconds, ZoneInfo(zone)).tolist() == expected
