"""P(win-back | conversation): learned from outcomes, by segment, shrunk toward broader segments.

A conversation is a call that reached the customer.  Its outcome is a win-back
(`reactivated`) or not.  Customers are grouped in nested segments, broadest first:

    kind → lifecycle state → months lapsed → reason case (heard:<reason> / guessed:<reason>)

so a segment key reads ``b2c|dormant|m6-12|guessed:usage_decreased``.  Each level's
rate is a Beta-Binomial posterior mean shrunk toward its parent,

    p(segment) = (wins + κ_level · p(parent)) / (conversations + κ_level),

and every κ_level is fitted from the data by maximising the Beta-Binomial marginal
likelihood of the segments at that level around their parents (empirical Bayes): many
segments that differ more than chance would say give a small κ (trust each segment),
segments that agree give a large κ (pool them).  The root is the overall rate of every
conversation on record (imported history included) under a weak Beta prior from the
published win-back figures (about one conversation in ten), so with no outcomes at all
every customer gets the same rate and the order is decided by value and P(alive).

P(alive) enters as a weight, not as a hard gate.  The customer-base model's "not alive" means
"stopped buying on their own"; a call may still win such a customer back, at a rate `dead_ratio`
(ρ) times an alive one's.  A conversation's chance is therefore

    P(win-back | conversation) = rate(segment) × (ρ + (1 − ρ) · P(alive at the call)),

so a segment's counts are (win-backs, exposure) with exposure = Σ (ρ + (1 − ρ) · P(alive)) over
its conversations, and its rate is per unit of exposure: the rate of a customer surely alive.
ρ is fitted from the conversations' P(alive) at the time of the call (stored on each call by the
disposition), by maximum likelihood within the months-lapsed segments, and used only when a
likelihood-ratio test rejects ρ = 0 (dead customers never come back, the textbook reading) at
5 % with at least `MIN_WINS_FOR_RATIO` win-backs; until then ρ = 0 and the score is value ×
P(alive) × rate as the customer-base model alone would say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from workbench.domain.shrinkage import gamma_poisson_kappa

ROOT_PRIOR = (1.0, 9.0)  # Beta(1, 9): mean 0.10, worth ten conversations
KAPPA_BOUNDS = (1.0, 10_000.0)
SEPARATOR = "|"
MIN_WINS_FOR_RATIO = 20
LR_CRITICAL = 3.841  # χ²(1) at 5 %
RATIO_LEVEL = 3  # ρ is fitted within kind | state | months-lapsed segments


def months_bucket(months: float) -> str:
    """Months since the last order, in the bands a win-back team reasons in."""
    if months < 6:
        return "m0-6"
    if months < 12:
        return "m6-12"
    if months < 24:
        return "m12-24"
    return "m24+"


def segment_key(
    kind: str, state: str, months_lapsed: float, reason: str, reason_source: str
) -> str:
    case = f"{'heard' if reason_source == 'heard' else 'guessed'}:{reason}"
    return SEPARATOR.join((kind, state, months_bucket(months_lapsed), case))


def ancestors(key: str) -> list[str]:
    """The key's prefixes, broadest first, ending with the key itself."""
    parts = key.split(SEPARATOR)
    return [SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


@dataclass(frozen=True)
class WinbackModel:
    """Fitted rates per segment at every level, with the κ of each level."""

    root: float
    kappas: tuple[float, ...]  # one per level below the root
    counts: Mapping[str, tuple[int, float]] = field(default_factory=dict)  # key → (wins, exposure)
    dead_ratio: float = 0.0  # ρ: a customer the model holds not alive wins back at ρ × the rate

    def alive_weight(self, p_alive: float) -> float:
        """ρ + (1 − ρ) · P(alive): the share of the segment's rate this customer's conversation gets."""
        return alive_weight(p_alive, self.dead_ratio)

    def rate(self, key: str, extra: Mapping[str, tuple[int, float]] | None = None) -> float:
        """P(win-back | conversation) for a customer of the segment surely alive, with optional
        counts seen since the fit."""
        p = self.root
        for level, prefix in enumerate(ancestors(key)):
            wins, n = self.counts.get(prefix, (0, 0))
            if extra:
                w2, n2 = extra.get(prefix, (0, 0))
                wins, n = wins + w2, n + n2
            kappa = self.kappas[level] if level < len(self.kappas) else self.kappas[-1]
            p = (wins + kappa * p) / (n + kappa)
        return p

    def as_json(self) -> dict[str, object]:
        return {
            "root": self.root,
            "kappas": list(self.kappas),
            "counts": {k: list(v) for k, v in self.counts.items()},
            "dead_ratio": self.dead_ratio,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> WinbackModel:
        raw_counts = cast(Mapping[str, Sequence[float]], data["counts"])
        counts = {str(k): (int(v[0]), float(v[1])) for k, v in raw_counts.items()}
        kappas = cast(Sequence[float], data["kappas"])
        ratio = float(cast(float, data.get("dead_ratio", 0.0)))
        return cls(float(cast(float, data["root"])), tuple(float(k) for k in kappas), counts, ratio)


def alive_weight(p_alive: float, dead_ratio: float) -> float:
    """ρ + (1 − ρ) · P(alive), P(alive) clipped to [0, 1]."""
    return dead_ratio + (1.0 - dead_ratio) * min(max(p_alive, 0.0), 1.0)


def prefix_counts(
    outcomes: Iterable[tuple[str, int, float]],
) -> dict[str, tuple[int, float]]:
    """(segment key, wins, exposure) rows → counts for every prefix of every key."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for key, wins, n in outcomes:
        for prefix in ancestors(key):
            totals[prefix][0] += wins
            totals[prefix][1] += n
    return {k: (int(w), float(n)) for k, (w, n) in totals.items()}


@dataclass(frozen=True)
class AliveGroup:
    """One segment's conversations for the fit of ρ."""

    conversations: int
    alive_sum: float  # Σ P(alive) at the call over them
    win_alive: tuple[float, ...]  # P(alive) at the call of each win-back among them


def fit_dead_ratio(groups: Sequence[AliveGroup]) -> float:
    """ρ by maximum likelihood, each segment's rate profiled out; 0 unless the data reject ρ = 0.

    With few win-backs per conversation the segment's wins are Poisson in its exposure, so

        ℓ(ρ) = Σ_wins log(ρ + (1 − ρ) p_i) − Σ_segments W_s · log(ρ n_s + (1 − ρ) S_s)

    up to terms free of ρ (W_s wins, n_s conversations, S_s their Σ P(alive)).
    """
    from scipy.optimize import minimize_scalar

    groups = [g for g in groups if g.win_alive]
    if sum(len(g.win_alive) for g in groups) < MIN_WINS_FOR_RATIO:
        return 0.0
    wins = np.clip(
        np.concatenate([np.asarray(g.win_alive, dtype=np.float64) for g in groups]), 0, 1
    )
    n = np.array([g.conversations for g in groups], dtype=np.float64)
    s = np.clip(np.array([g.alive_sum for g in groups], dtype=np.float64), 0.0, n)
    w = np.array([len(g.win_alive) for g in groups], dtype=np.float64)

    def loglik(rho: float) -> float:
        with np.errstate(divide="ignore"):
            return float(
                np.sum(np.log(rho + (1 - rho) * wins)) - np.dot(w, np.log(rho * n + (1 - rho) * s))
            )

    best = minimize_scalar(lambda r: -loglik(float(r)), bounds=(0.0, 1.0), method="bounded")
    rho = float(best.x)
    for edge in (0.0, 1.0):  # the bounded search stops short of an optimum on the edge
        if loglik(edge) >= loglik(rho):
            rho = edge
    null = loglik(0.0)
    return rho if rho > 0 and 2.0 * (loglik(rho) - null) >= LR_CRITICAL else 0.0


def fit_winback_model(
    outcomes: Iterable[tuple[str, int, float]],
    overall: tuple[int, float],
    levels: int = 4,
    dead_ratio: float = 0.0,
) -> WinbackModel:
    """Fit the hierarchy from per-segment (key, wins, exposure) and the overall (wins, exposure).

    `overall` may include conversations with no segment (imported history): they inform the root
    only.  Exposure is the conversations' Σ (ρ + (1 − ρ) · P(alive)), `dead_ratio` the ρ it used.
    """
    counts = prefix_counts(outcomes)
    wins0, n0 = overall
    a0, b0 = ROOT_PRIOR
    root = (wins0 + a0) / (n0 + a0 + b0)
    kappas: list[float] = []
    parents = {"": root}
    for level in range(levels):
        members = [(k, w, n) for k, (w, n) in counts.items() if k.count(SEPARATOR) == level]
        parent_of = {
            k: parents.get(SEPARATOR.join(k.split(SEPARATOR)[:-1]) if level else "", root)
            for k, _, _ in members
        }
        kappa = fit_kappa([(w, n, parent_of[k]) for k, w, n in members])
        kappas.append(kappa)
        parents = {k: (w + kappa * parent_of[k]) / (n + kappa) for k, w, n in members}
    return WinbackModel(root, tuple(kappas), counts, dead_ratio)


def fit_kappa(units: list[tuple[int, float, float]]) -> float:
    """Maximum marginal-likelihood κ for units (wins, exposure, parent mean): wins ~ Poisson(λ ·
    exposure), λ ~ Gamma(κμ, κ).

    Few or uninformative units give no evidence of heterogeneity: κ goes to its upper bound.
    """
    if not units:
        return KAPPA_BOUNDS[1]
    wins, exposure, means = zip(*units)
    return gamma_poisson_kappa(wins, exposure, means, KAPPA_BOUNDS)
