"""Answering habits: a mixture of hour-of-week profiles fitted by EM, checked on data drawn from known habits."""

import numpy as np
import pytest

from workbench.domain.answer_profiles import AnswerProfiles, fit_profiles

DAY, EVENING = 10, 19  # weekday hours


def _habit(day: float, evening: float) -> np.ndarray:
    profile = np.full(168, 0.05)
    for weekday in range(5):
        profile[weekday * 24 + 9 : weekday * 24 + 17] = day
        profile[weekday * 24 + 18 : weekday * 24 + 21] = evening
    return profile


HOME, WORKER = _habit(0.6, 0.1), _habit(0.05, 0.7)


def _calls(seed: int, customers: int = 3000, calls: int = 6) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    truth = rng.random(customers) < 0.5  # True: works days, answers evenings
    hours = np.array([w * 24 + h for w in range(5) for h in (*range(9, 17), 18, 19, 20)])
    c = np.repeat(np.arange(customers), calls)
    h = rng.choice(hours, size=c.size)
    p = np.where(truth[c], WORKER[h], HOME[h])
    return c, h, np.ones(c.size), (rng.random(c.size) < p).astype(float), truth


def test_two_habits_are_found_and_told_apart() -> None:
    c, h, n, a, truth = _calls(1)
    population = (np.bincount(h, weights=a, minlength=168) + 1) / (
        np.bincount(h, minlength=168) + 4
    )
    habits = fit_profiles(c, h, n, a, population)
    assert habits.profiles.shape[0] >= 2
    evening_type = int(np.argmax(habits.profiles[:, EVENING] - habits.profiles[:, DAY]))
    day_type = int(np.argmax(habits.profiles[:, DAY] - habits.profiles[:, EVENING]))
    assert habits.profiles[evening_type, EVENING] == pytest.approx(0.7, abs=0.1)
    assert habits.profiles[day_type, DAY] == pytest.approx(0.6, abs=0.1)
    assert habits.weights["*"].sum() == pytest.approx(1.0)
    # One unanswered daytime call and one answered evening call point to the evening habit.
    attempts, answers = np.zeros(168), np.zeros(168)
    attempts[[DAY, 24 + EVENING]] = 1
    answers[24 + EVENING] = 1
    mixed = habits.probabilities(attempts, answers)
    assert mixed[48 + EVENING] > 0.5 > 0.2 > mixed[48 + DAY]
    # Without calls a customer gets the shares' mix.
    fresh = habits.probabilities(np.zeros(168), np.zeros(168))
    assert fresh[EVENING] == pytest.approx(float(habits.weights["*"] @ habits.profiles[:, EVENING]))
    assert AnswerProfiles.from_json(habits.as_json()).profiles.shape == habits.profiles.shape


def test_customers_with_one_habit_give_one_profile() -> None:
    rng = np.random.default_rng(2)
    c = np.repeat(np.arange(2000), 4)
    h = rng.integers(0, 168, c.size)
    a = (rng.random(c.size) < 0.3).astype(float)
    habits = fit_profiles(c, h, np.ones(c.size), a, np.full(168, 0.3))
    assert habits.profiles.shape[0] == 1
    assert habits.profiles[0].mean() == pytest.approx(0.3, abs=0.03)
