"""Why a customer stopped buying: the reason they told us, else a guess with a confidence.

A guess comes from the first guessing rule that fires on the customer's history, in
this order:

- ``complaint``: a complaint was recorded → ``quality_dissatisfaction``;
- ``previous_rep``: a B2B customer whose contact has a previous rep → ``contact_person_changed``;
- ``repeat_buyer``: three orders or more → ``usage_decreased``;
- ``none``: nothing to go on → ``unknown`` (confidence 0: it is no guess at all).

How often a rule's guess is right is learned from the customers whose reason was later
heard: for each of them, the rule that fires on their history either named the heard
reason or not.  The confidence of a rule is the posterior mean of that hit rate under a
Beta prior worth two customers (``RULE_PRIORS``), so a handful of heard customers moves
it and a few hundred decide it.  With no data the prior means are the confidences:

- complaint → quality 0.5 (Beta(1, 1)): a complaint is a strong signal, yet customers who
  complained often left over the price or a competitor's offer;
- previous_rep → contact change 0.5 (Beta(1, 1)): a rep's departure is a likely cause, not a sure one;
- repeat_buyer → usage decreased 0.3 (Beta(0.6, 1.4)): three orders say the customer used to
  buy, not why they stopped.

A customer who told us ``unknown`` confirms no guess and refutes none, so they are not
counted in the fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HEARD = "heard"
GUESSED = "guessed"
REPEAT_BUYER_MIN_ORDERS = 3

# Rule → the reason it guesses, in the order the rules are tried.
RULE_REASON: dict[str, str] = {
    "complaint": "quality_dissatisfaction",
    "previous_rep": "contact_person_changed",
    "repeat_buyer": "usage_decreased",
    "none": "unknown",
}
FITTED_RULES: tuple[str, ...] = ("complaint", "previous_rep", "repeat_buyer")
# Beta(α, β) prior of each fitted rule's hit rate; α + β = 2 makes it weak (two customers).
RULE_PRIORS: dict[str, tuple[float, float]] = {
    "complaint": (1.0, 1.0),
    "previous_rep": (1.0, 1.0),
    "repeat_buyer": (0.6, 1.4),
}


def prior_confidence() -> dict[str, float]:
    """Each rule's confidence before any reason was heard (``none`` is always 0)."""
    return fit_rule_confidence(())


@dataclass(frozen=True, slots=True)
class ReasonGuess:
    reason: str
    source: str  # "heard" or "guessed"
    rule: str  # "heard" or a guessing rule of RULE_REASON
    confidence: float  # 1.0 when heard; the rule's fitted confidence when guessed


def guessing_rule(
    had_complaint: bool, kind: str | None, previous_rep: str | None, n_orders: int
) -> str:
    """The first guessing rule that fires on this history (``none`` when none does)."""
    if had_complaint:
        return "complaint"
    if kind == "b2b" and previous_rep:
        return "previous_rep"
    if n_orders >= REPEAT_BUYER_MIN_ORDERS:
        return "repeat_buyer"
    return "none"


def guess_reason(
    heard: str | None,
    had_complaint: bool,
    kind: str | None,
    previous_rep: str | None,
    n_orders: int,
    confidence: Mapping[str, float] | None = None,
) -> ReasonGuess:
    """What the customer said (confidence 1), else the guess of the first rule that fires.

    ``confidence`` maps rule → confidence, as `fit_rule_confidence` returns it; a rule it
    does not name keeps its prior.
    """
    if heard:
        return ReasonGuess(heard, HEARD, HEARD, 1.0)
    rule = guessing_rule(had_complaint, kind, previous_rep, n_orders)
    if rule == "none":
        return ReasonGuess(RULE_REASON[rule], GUESSED, rule, 0.0)
    value = confidence.get(rule) if confidence is not None else None
    return ReasonGuess(
        RULE_REASON[rule], GUESSED, rule, _prior_mean(rule) if value is None else value
    )


def rule_outcome(
    heard: str | None, had_complaint: bool, kind: str, previous_rep: str | None, n_orders: int
) -> tuple[str, bool] | None:
    """One heard customer's evidence for the fit: (rule that fires, did it guess right).

    Give the history as it stood before the reason was heard.  None when the customer
    says nothing about a rule: no reason heard, ``unknown`` heard, or no rule fires.
    """
    if not heard or heard == "unknown":
        return None
    rule = guessing_rule(had_complaint, kind, previous_rep, n_orders)
    if rule not in RULE_PRIORS:
        return None
    return rule, RULE_REASON[rule] == heard


def fit_rule_confidence(
    pairs: Iterable[tuple[str, bool]], priors: Mapping[str, tuple[float, float]] = RULE_PRIORS
) -> dict[str, float]:
    """Rule → posterior mean hit rate, (α + hits) / (α + β + n), from (rule, hit) pairs.

    Every rule of ``RULE_REASON`` is in the answer: a rule without data keeps its prior
    mean and ``none`` is 0.  Pairs naming an unknown rule are an error.
    """
    hits = {rule: 0 for rule in priors}
    seen = {rule: 0 for rule in priors}
    for rule, hit in pairs:
        if rule not in priors:
            raise ValueError(f"unknown guessing rule {rule!r} (known: {', '.join(priors)})")
        seen[rule] += 1
        hits[rule] += bool(hit)
    out = {rule: (a + hits[rule]) / (a + b + seen[rule]) for rule, (a, b) in priors.items()}
    out["none"] = 0.0
    return out


def case_key(reason: str, source: str) -> str:
    """The script selector's case: ``heard:<reason>`` or ``guessed:<reason>``.

    Outcomes are counted per case, so how a script does when the reason is only guessed
    is never mixed with how it does once the customer has told us.
    """
    return f"{HEARD if source == HEARD else GUESSED}:{reason}"


def _prior_mean(rule: str) -> float:
    a, b = RULE_PRIORS[rule]
    return a / (a + b)
