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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from workbench.domain.shrinkage import beta_binomial_kappa

ROOT_PRIOR = (1.0, 9.0)  # Beta(1, 9): mean 0.10, worth ten conversations
KAPPA_BOUNDS = (1.0, 10_000.0)
SEPARATOR = "|"


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
    counts: Mapping[str, tuple[int, int]] = field(
        default_factory=dict
    )  # key → (wins, conversations)

    def rate(self, key: str, extra: Mapping[str, tuple[int, int]] | None = None) -> float:
        """P(win-back | conversation) for a segment, with optional counts seen since the fit."""
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
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> WinbackModel:
        raw_counts = cast(Mapping[str, Sequence[int]], data["counts"])
        counts = {str(k): (int(v[0]), int(v[1])) for k, v in raw_counts.items()}
        kappas = cast(Sequence[float], data["kappas"])
        return cls(float(cast(float, data["root"])), tuple(float(k) for k in kappas), counts)


def prefix_counts(outcomes: Iterable[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """(segment key, wins, conversations) rows → counts for every prefix of every key."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, wins, n in outcomes:
        for prefix in ancestors(key):
            totals[prefix][0] += wins
            totals[prefix][1] += n
    return {k: (w, n) for k, (w, n) in totals.items()}


def fit_winback_model(
    outcomes: Iterable[tuple[str, int, int]], overall: tuple[int, int], levels: int = 4
) -> WinbackModel:
    """Fit the hierarchy from per-segment (key, wins, conversations) and the overall (wins, conversations).

    `overall` may include conversations with no segment (imported history): they inform the root only.
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
    return WinbackModel(root, tuple(kappas), counts)


def fit_kappa(units: list[tuple[int, int, float]]) -> float:
    """Maximum marginal-likelihood κ for units (wins, trials, parent mean) ~ BetaBinomial(n, κμ, κ(1−μ)).

    Few or uninformative units give no evidence of heterogeneity: κ goes to its upper bound.
    """
    if not units:
        return KAPPA_BOUNDS[1]
    wins, trials, means = zip(*units)
    return beta_binomial_kappa(wins, trials, means, KAPPA_BOUNDS)
