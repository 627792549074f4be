"""Answer probability by hour of week, shrunk customer → segment → population.

Model: each of the 168 hour-of-week cells (weekday·24 + hour, Monday 0, in the *customer's* local
time) has its own answer probability. Contact data per customer are sparse, so a cell is estimated
by Beta-Binomial shrinkage toward its parent level (the posterior mean under a Beta prior with mean
p_parent and concentration κ):

    p = (answers + κ·p_parent) / (attempts + κ)

customer → segment → population. The population prior pools each cell with its ±1 neighbouring
hours and is itself shrunk toward the overall rate, so unseen hours get a sensible value. κ is set
by empirical Bayes with the method-of-moments estimator of the Beta-Binomial intra-class
correlation ρ = 1/(κ+1) (Kleinman 1973, "Proportions with extraneous variance", JASA 68), floored
so one attempt cannot swing a cell to 0 or 1, and every probability is floored at ``P_FLOOR``.

Counts live in :class:`AnswerCounts` (two int arrays of shape (168,)) that a store can persist;
:func:`update` returns new counts after each disposition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import ArrayLike, NDArray

from workbench.domain.answer_profiles import AnswerProfiles
from workbench.domain.shrinkage import beta_binomial_kappa

__all__ = [
    "DEFAULT_BASE_RATE",
    "DEFAULT_KAPPA",
    "HOURS_PER_WEEK",
    "KAPPA_MAX",
    "KAPPA_MIN",
    "POOL_HOURS",
    "POPULATION_KAPPA",
    "P_FLOOR",
    "AnswerCounts",
    "AnswerModel",
    "estimate_kappa",
    "estimate_reach_kappa",
    "fit_answer_model",
    "hour_of_week",
    "hours_of_week",
    "population_prior",
    "shrink",
    "sum_counts",
    "update",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

HOURS_PER_WEEK: Final = 168
KAPPA_MIN: Final = 2.0
"""Floor on κ: one attempt moves a cell at most a third of the way toward 0 or 1."""
KAPPA_MAX: Final = 1000.0
"""Cap on κ, reached when the data show no extra variation between units (full pooling)."""
DEFAULT_KAPPA: Final = 10.0
"""κ used when there are too few repeated attempts to estimate it."""
P_FLOOR: Final = 0.01
"""No hour is ever judged hopeless: a floor keeps every cell explorable."""
P_CEILING: Final = 0.95
"""No hour is ever judged certain either."""
DEFAULT_REACH_KAPPA: Final = 3.0
"""κ_reach before it can be estimated: three calls' worth of evidence."""
REACH_KAPPA_MIN: Final = 0.5
REACH_KAPPA_MAX: Final = 1000.0
POPULATION_KAPPA: Final = 20.0
"""Shrinks each pooled population cell toward the overall answer rate (a weak prior)."""
DEFAULT_BASE_RATE: Final = 0.15
"""Overall rate assumed before any data: 10–25 % of dials reach the right person (DOMAIN.md)."""
POOL_HOURS: Final = 1
"""The population prior pools each hour with this many neighbours on each side."""


@dataclass(frozen=True, eq=False)
class AnswerCounts:
    """Attempts and answers per hour-of-week cell; arrays of shape (168,), read-only."""

    attempts: IntArray
    answers: IntArray

    def __post_init__(self) -> None:
        attempts = np.array(self.attempts, dtype=np.int64)
        answers = np.array(self.answers, dtype=np.int64)
        if attempts.shape != (HOURS_PER_WEEK,) or answers.shape != (HOURS_PER_WEEK,):
            raise ValueError("counts need shape (168,)")
        if np.any(answers < 0) or np.any(answers > attempts):
            raise ValueError("need 0 <= answers <= attempts in every cell")
        attempts.flags.writeable = False
        answers.flags.writeable = False
        object.__setattr__(self, "attempts", attempts)
        object.__setattr__(self, "answers", answers)

    @classmethod
    def empty(cls) -> AnswerCounts:
        zeros = np.zeros(HOURS_PER_WEEK, dtype=np.int64)
        return cls(zeros, zeros)

    def __add__(self, other: AnswerCounts) -> AnswerCounts:
        return AnswerCounts(self.attempts + other.attempts, self.answers + other.answers)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AnswerCounts):
            return NotImplemented
        return bool(
            np.array_equal(self.attempts, other.attempts)
            and np.array_equal(self.answers, other.answers)
        )


def hour_of_week(at: datetime, zone: str | ZoneInfo) -> int:
    """The cell of an aware instant in the given zone: weekday·24 + hour, Monday 00h = 0."""
    if at.tzinfo is None:
        raise ValueError("need an aware datetime")
    local = at.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))
    return local.weekday() * 24 + local.hour


def hours_of_week(seconds: ArrayLike, zone: ZoneInfo) -> IntArray:
    """Local weekday·24 + hour of UTC epoch seconds (1970-01-01 was a Thursday: 72 h into its week).

    Zone offsets change on the hour (or half hour) in every zone in use, so one look-up per
    distinct UTC half hour is exact.
    """
    seconds = np.asarray(seconds, dtype=np.int64)
    if not seconds.size:
        return np.zeros(seconds.shape, dtype=np.int64)
    slot = seconds // 1800
    first = int(slot.min())
    span = int(slot.max()) - first + 1
    if span > max(4 * seconds.size, 1 << 16):  # a few calls far apart: look up each distinct slot
        slots, slot_of = np.unique(slot, return_inverse=True)
        offsets = np.array([_offset_seconds(int(h) * 1800, zone) for h in slots], dtype=np.int64)
        return np.asarray((seconds + offsets[slot_of]) // 3600 + 72) % 168
    # Millions of calls over a few years: a table over the half hours between the first and
    # the last, filled where a call falls (no sort of the calls, as np.unique would do).
    slot -= first
    seen = np.zeros(span, dtype=bool)
    seen[slot] = True
    offsets = np.zeros(span, dtype=np.int64)
    for h in np.flatnonzero(seen).tolist():
        offsets[h] = _offset_seconds((h + first) * 1800, zone)
    return np.asarray((seconds + offsets[slot]) // 3600 + 72) % 168


def _offset_seconds(epoch_seconds: int, zone: ZoneInfo) -> int:
    offset = datetime.fromtimestamp(epoch_seconds, UTC).astimezone(zone).utcoffset()
    if offset is None:  # an aware datetime always has one; this narrows the Optional
        raise ValueError(f"{zone} gives no UTC offset")
    return int(offset.total_seconds())


def update(counts: AnswerCounts, hour_of_week: int, answered: bool) -> AnswerCounts:
    """New counts with one more attempt (and an answer if ``answered``) in the given cell."""
    if not 0 <= hour_of_week < HOURS_PER_WEEK:
        raise ValueError("hour_of_week must be 0..167")
    attempts = counts.attempts.copy()
    answers = counts.answers.copy()
    attempts[hour_of_week] += 1
    answers[hour_of_week] += int(answered)
    return AnswerCounts(attempts, answers)


def sum_counts(counts: Iterable[AnswerCounts]) -> AnswerCounts:
    """Cell-wise total of many counts (e.g. a segment from its customers)."""
    total = AnswerCounts.empty()
    for c in counts:
        total = total + c
    return total


def shrink(
    counts: AnswerCounts, prior: ArrayLike, kappa: float, floor: float = P_FLOOR
) -> FloatArray:
    """Beta-Binomial posterior mean per cell: (answers + κ·prior) / (attempts + κ), floored."""
    if kappa <= 0:
        raise ValueError("kappa must be positive")
    p0 = np.broadcast_to(np.asarray(prior, dtype=np.float64), (HOURS_PER_WEEK,))
    p = (counts.answers + kappa * p0) / (counts.attempts + kappa)
    return np.asarray(np.maximum(p, floor))


def population_prior(
    population: AnswerCounts,
    pool_hours: int = POOL_HOURS,
    kappa: float = POPULATION_KAPPA,
    base_rate: float = DEFAULT_BASE_RATE,
    floor: float = P_FLOOR,
) -> FloatArray:
    """Population answer rate per cell, pooled with ±``pool_hours`` neighbours (wrapping the week).

    Each pooled cell is shrunk toward the overall rate (``base_rate`` before any data), so hours
    nobody has dialled get the overall rate rather than 0/0.
    """
    total_attempts = int(population.attempts.sum())
    overall = population.answers.sum() / total_attempts if total_attempts else base_rate
    attempts = _circular_pool(population.attempts, pool_hours)
    answers = _circular_pool(population.answers, pool_hours)
    p = (answers + kappa * overall) / (attempts + kappa)
    return np.asarray(np.maximum(p, floor))


def estimate_kappa(
    answers: ArrayLike,
    attempts: ArrayLike,
    prior: ArrayLike,
    kappa_min: float = KAPPA_MIN,
    kappa_max: float = KAPPA_MAX,
) -> float:
    """Empirical-Bayes κ from many units (e.g. customer×hour cells) around known parent means.

    Method of moments: with x ~ BetaBinomial(n, μ, ρ = 1/(κ+1)),
    E[(x − nμ)²/n] = μ(1−μ)(1 + (n−1)ρ), so ρ̂ = (S − A)/B with S = Σ(x − nμ)²/n,
    A = Σμ(1−μ), B = Σμ(1−μ)(n−1). κ = 1/ρ̂ − 1 clipped to [kappa_min, kappa_max];
    ``DEFAULT_KAPPA`` (clipped likewise) when no unit has two attempts.
    """
    moments = _moments(answers, attempts, prior)
    return _kappa_from_moments(moments, kappa_min, kappa_max)


@dataclass(frozen=True, eq=False)
class AnswerModel:
    """The fitted hierarchy: population prior, per-segment probabilities and the κ values.

    Customers differ in how reachable they are at all, not only in their hours: a customer
    who let ten calls ring out at good hours will likely let the next one ring out too.  So
    the segment's hour profile is first scaled by the customer's reachability, a Beta-Binomial
    posterior of their answer rate over the segment's, with κ_reach fitted across customers;
    then each cell is shrunk toward that scaled profile with κ_customer.
    """

    population: FloatArray
    segments: Mapping[str, FloatArray]
    kappa_segment: float
    kappa_customer: float
    kappa_reach: float = DEFAULT_REACH_KAPPA
    habits: AnswerProfiles | None = None  # answering habits, when the data support more than one

    def segment_prior(self, segment: str | None) -> FloatArray:
        """A segment's cell probabilities, or the population's for an unknown segment."""
        if segment is not None and segment in self.segments:
            return self.segments[segment]
        return self.population

    def reachability(self, customer: AnswerCounts, segment: str | None = None) -> float:
        """How much more (> 1) or less (< 1) often than their segment this customer answers."""
        return self._reach(customer, self.segment_prior(segment))

    def _reach(self, customer: AnswerCounts, prior: FloatArray) -> float:
        """The Beta-Binomial posterior mean of the customer's rate over its prior mean p̄:
        (answers + κ·p̄) / (expected + κ·p̄), p̄ the prior's rate at the hours called."""
        tries = float(customer.attempts.sum())
        if tries == 0:
            return 1.0
        expected = float(np.dot(customer.attempts, prior))
        weight = self.kappa_reach * expected / tries
        return (float(customer.answers.sum()) + weight) / (expected + weight)

    def probabilities(self, customer: AnswerCounts, segment: str | None = None) -> FloatArray:
        """The customer's 168 answer probabilities: their habit's hours (or their segment's),
        scaled by how often they answer against that expectation, shrunk toward their own cells.

        The habit mixture says *when* a customer answers; only the reachability says *whether*:
        without it, eight unanswered calls would leave a customer's chances where they started.
        """
        if self.habits is not None and self.habits.profiles.shape[0] > 1:
            prior = np.asarray(
                self.habits.probabilities(customer.attempts, customer.answers, segment)
            )
        else:
            prior = self.segment_prior(segment)
        base = prior * self._reach(customer, prior)
        return shrink(customer, np.clip(base, P_FLOOR, P_CEILING), self.kappa_customer)


def estimate_reach_kappa(answers: ArrayLike, expected: ArrayLike, attempts: ArrayLike) -> float:
    """κ_reach by maximum likelihood over customers with attempts.

    A customer's answers are Beta-Binomial around their segment's expectation: `attempts`
    calls at a mean rate p̄ = expected / attempts, with the customer's own rate spread around
    p̄ by κ_reach.  Customers called once or twice still count, where a moment estimate is
    mostly noise.  No excess variation means full pooling (the cap).
    """
    n = np.asarray(attempts, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    mean = np.divide(e, n, out=np.zeros_like(e), where=n > 0)
    return beta_binomial_kappa(answers, n, mean, (REACH_KAPPA_MIN, REACH_KAPPA_MAX))


def fit_answer_model(
    segment_counts: Mapping[str, AnswerCounts],
    customer_counts: Iterable[tuple[str | None, AnswerCounts]] = (),
) -> AnswerModel:
    """Fit the hierarchy: population = all segments; κ per level by :func:`estimate_kappa`.

    ``customer_counts`` (segment, counts) pairs are streamed to estimate the customer-level κ;
    without them it is ``DEFAULT_KAPPA``.
    """
    population = population_prior(sum_counts(segment_counts.values()))
    if segment_counts:
        answers = np.stack([c.answers for c in segment_counts.values()])
        attempts = np.stack([c.attempts for c in segment_counts.values()])
        kappa_segment = estimate_kappa(answers, attempts, population)
    else:
        kappa_segment = DEFAULT_KAPPA
    segments = {
        name: shrink(counts, population, kappa_segment) for name, counts in segment_counts.items()
    }
    total = (0.0, 0.0, 0.0)
    for segment, counts in customer_counts:
        parent = segments.get(segment, population) if segment is not None else population
        step = _moments(counts.answers, counts.attempts, parent)
        total = (total[0] + step[0], total[1] + step[1], total[2] + step[2])
    kappa_customer = _kappa_from_moments(total, KAPPA_MIN, KAPPA_MAX)
    return AnswerModel(population, segments, kappa_segment, kappa_customer)


def _circular_pool(values: IntArray, k: int) -> FloatArray:
    """Sum of each cell with its k neighbours on both sides; Sunday 23h neighbours Monday 0h."""
    v = values.astype(np.float64)
    return np.asarray(sum(np.roll(v, shift) for shift in range(-k, k + 1)))


def _moments(
    answers: ArrayLike, attempts: ArrayLike, prior: ArrayLike
) -> tuple[float, float, float]:
    x = np.asarray(answers, dtype=np.float64)
    n = np.asarray(attempts, dtype=np.float64)
    mu = np.broadcast_to(np.asarray(prior, dtype=np.float64), x.shape)
    seen = n > 0
    x, n, mu = x[seen], n[seen], mu[seen]
    var = mu * (1.0 - mu)
    s = float(np.sum((x - n * mu) ** 2 / n))
    return s, float(var.sum()), float(np.sum(var * (n - 1.0)))


def _kappa_from_moments(
    moments: tuple[float, float, float], kappa_min: float, kappa_max: float
) -> float:
    s, a, b = moments
    if b <= 0:
        return float(np.clip(DEFAULT_KAPPA, kappa_min, kappa_max))
    rho = (s - a) / b
    if rho <= 1.0 / (kappa_max + 1.0):
        return kappa_max
    return float(np.clip(1.0 / rho - 1.0, kappa_min, kappa_max))
