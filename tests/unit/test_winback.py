"""P(win-back | conversation): the segment hierarchy and its fitted shrinkage, by hand."""

import math

import pytest
from scipy.special import betaln

from workbench.domain.winback import (
    ROOT_PRIOR,
    WinbackModel,
    ancestors,
    fit_kappa,
    fit_winback_model,
    months_bucket,
    prefix_counts,
    segment_key,
)


def test_segment_keys_nest_from_kind_to_reason_case() -> None:
    key = segment_key("b2c", "dormant", 7.5, "price", "heard")
    assert key == "b2c|dormant|m6-12|heard:price"
    assert ancestors(key) == ["b2c", "b2c|dormant", "b2c|dormant|m6-12", key]
    assert segment_key("b2b", "at_risk", 2, "unknown", "guessed").endswith("|m0-6|guessed:unknown")
    assert [months_bucket(m) for m in (0, 5.99, 6, 11.9, 12, 23.9, 24, 60)] == [
        "m0-6",
        "m0-6",
        "m6-12",
        "m6-12",
        "m12-24",
        "m12-24",
        "m24+",
        "m24+",
    ]


def test_prefix_counts_add_up_every_level() -> None:
    counts = prefix_counts(
        [("b2c|dormant|m6-12|heard:price", 2, 10), ("b2c|at_risk|m0-6|guessed:unknown", 1, 5)]
    )
    assert counts["b2c"] == (3, 15)
    assert counts["b2c|dormant"] == (2, 10)
    assert counts["b2c|at_risk|m0-6|guessed:unknown"] == (1, 5)


def test_no_outcomes_give_every_segment_the_root_prior() -> None:
    model = fit_winback_model([], (0, 0))
    a, b = ROOT_PRIOR
    assert model.root == pytest.approx(a / (a + b))
    assert model.rate("b2c|dormant|m6-12|heard:price") == pytest.approx(model.root)
    assert model.rate("b2b|at_risk|m0-6|guessed:unknown") == pytest.approx(model.root)


def test_root_is_the_overall_rate_under_the_weak_prior() -> None:
    model = fit_winback_model([], (30, 190))
    assert model.root == pytest.approx((30 + 1) / (190 + 10))


def test_rate_is_the_nested_posterior_mean_with_the_fitted_kappas() -> None:
    model = WinbackModel(root=0.1, kappas=(10.0, 20.0, 5.0, 2.0), counts={
        "b2c": (10, 50), "b2c|dormant": (8, 30), "b2c|dormant|m6-12": (3, 10), "b2c|dormant|m6-12|heard:price": (2, 4),
    })  # fmt: skip
    p = 0.1
    for (w, n), k in zip([(10, 50), (8, 30), (3, 10), (2, 4)], (10.0, 20.0, 5.0, 2.0)):
        p = (w + k * p) / (n + k)
    assert model.rate("b2c|dormant|m6-12|heard:price") == pytest.approx(p)
    # Counts seen since the fit move the rate the same way as counts at the fit.
    later = model.rate("b2c|dormant|m6-12|heard:price", {"b2c|dormant|m6-12|heard:price": (1, 1)})
    assert later > model.rate("b2c|dormant|m6-12|heard:price")
    assert WinbackModel.from_json(model.as_json()) == model


def test_fit_kappa_maximises_the_beta_binomial_marginal_likelihood() -> None:
    # Two segments far apart (5/100 and 40/100 around 0.225): strong heterogeneity, small κ.
    units = [(5, 100, 0.225), (40, 100, 0.225), (6, 100, 0.225), (38, 100, 0.225)]
    kappa = fit_kappa(units)

    def loglik(k: float) -> float:
        return sum(
            betaln(w + k * mu, n - w + k * (1 - mu)) - betaln(k * mu, k * (1 - mu))
            for w, n, mu in units
        )

    assert kappa < 30
    for other in (kappa * 0.8, kappa * 1.25):
        assert loglik(kappa) >= loglik(other)
    # Segments that agree with their parent are pooled (κ at its upper bound).
    assert fit_kappa([(10, 100, 0.1), (10, 100, 0.1), (11, 100, 0.1), (9, 100, 0.1)]) > 1000
    # One segment is no evidence of heterogeneity.
    assert fit_kappa([(40, 100, 0.1)]) == 10_000.0


def test_a_segment_that_wins_more_is_ranked_higher_after_the_fit() -> None:
    outcomes = [
        ("b2c|dormant|m6-12|heard:price", 30, 100),
        ("b2c|dormant|m6-12|heard:quality_dissatisfaction", 3, 100),
        ("b2c|dormant|m12-24|heard:price", 20, 100),
        ("b2c|dormant|m12-24|heard:quality_dissatisfaction", 2, 100),
    ]
    model = fit_winback_model(outcomes, (55, 400))
    price = model.rate("b2c|dormant|m6-12|heard:price")
    quality = model.rate("b2c|dormant|m6-12|heard:quality_dissatisfaction")
    assert price > 0.2 > 0.05 > quality
    # An unseen reason in a known band falls back to the band's rate, between the two.
    unseen = model.rate("b2c|dormant|m6-12|heard:moved")
    assert quality < unseen < price
    assert math.isfinite(unseen)
