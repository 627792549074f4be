"""Reason guessing with a learned confidence: rules in order, Beta posterior means by hand."""

from __future__ import annotations

import pytest

from workbench.domain.reasons import (
    RULE_REASON,
    ReasonGuess,
    case_key,
    fit_rule_confidence,
    guess_reason,
    guessing_rule,
    prior_confidence,
    rule_outcome,
)


@pytest.mark.parametrize(
    ("heard", "complaint", "kind", "rep", "orders", "expected"),
    [
        ("price", True, "b2b", "田中", 5, ReasonGuess("price", "heard", "heard", 1.0)),
        (
            None,
            True,
            "b2b",
            "田中",
            5,
            ReasonGuess("quality_dissatisfaction", "guessed", "complaint", 0.5),
        ),
        (
            None,
            False,
            "b2b",
            "田中",
            5,
            ReasonGuess("contact_person_changed", "guessed", "previous_rep", 0.5),
        ),
        (
            None,
            False,
            "b2c",
            "田中",
            3,
            ReasonGuess("usage_decreased", "guessed", "repeat_buyer", 0.3),
        ),
        (None, False, "b2b", None, 2, ReasonGuess("unknown", "guessed", "none", 0.0)),
        ("", False, "b2c", None, 1, ReasonGuess("unknown", "guessed", "none", 0.0)),
    ],
)
def test_rules_fire_in_order_with_prior_confidence(
    heard, complaint, kind, rep, orders, expected
) -> None:
    guess = guess_reason(heard, complaint, kind, rep, orders)
    assert (
        guess.reason == expected.reason
        and guess.source == expected.source
        and guess.rule == expected.rule
    )
    assert guess.confidence == pytest.approx(expected.confidence)


def test_fitted_confidence_replaces_the_prior_per_rule() -> None:
    fitted = {"complaint": 0.8, "repeat_buyer": 0.65}
    assert guess_reason(None, True, "b2c", None, 1, fitted).confidence == 0.8
    assert guess_reason(None, False, "b2c", None, 4, fitted).confidence == 0.65
    # a rule the fit does not name keeps its prior; heard stays certain, "none" stays 0
    assert guess_reason(None, False, "b2b", "林", 1, fitted).confidence == pytest.approx(0.5)
    assert guess_reason("moved", True, "b2c", None, 9, fitted).confidence == 1.0
    assert guess_reason(None, False, "b2c", None, 2, fitted).confidence == 0.0


def test_priors_without_data() -> None:
    assert prior_confidence() == pytest.approx(
        {"complaint": 0.5, "previous_rep": 0.5, "repeat_buyer": 0.3, "none": 0.0}
    )
    assert set(prior_confidence()) == set(RULE_REASON)


def test_posterior_means_by_hand() -> None:
    pairs = (
        [("repeat_buyer", True)] * 8 + [("repeat_buyer", False)] * 2  # 8 of 10
        + [("complaint", False)] * 3  # 0 of 3
        + [("previous_rep", True)]  # 1 of 1
    )  # fmt: skip
    fit = fit_rule_confidence(pairs)
    assert fit["repeat_buyer"] == pytest.approx((0.6 + 8) / (2 + 10))  # 0.716667
    assert fit["complaint"] == pytest.approx(1 / 5)
    assert fit["previous_rep"] == pytest.approx(2 / 3)
    assert fit["none"] == 0.0
    # many customers decide it: 300 of 1,000 is 0.3 whatever the prior
    many = fit_rule_confidence([("complaint", True)] * 300 + [("complaint", False)] * 700)
    assert many["complaint"] == pytest.approx(301 / 1002)
    with pytest.raises(ValueError, match="none"):
        fit_rule_confidence([("none", False)])


def test_evidence_of_one_heard_customer() -> None:
    assert rule_outcome("usage_decreased", False, "b2c", None, 5) == ("repeat_buyer", True)
    assert rule_outcome("price", False, "b2c", None, 5) == ("repeat_buyer", False)
    assert rule_outcome("price", True, "b2b", "林", 5) == ("complaint", False)
    assert rule_outcome("contact_person_changed", False, "b2b", "林", 1) == ("previous_rep", True)
    # nothing to learn: no rule fires, the reason was not heard, or "unknown" was heard
    assert rule_outcome("price", False, "b2c", None, 1) is None
    assert rule_outcome(None, True, "b2c", None, 5) is None
    assert rule_outcome("unknown", True, "b2c", None, 5) is None


def test_fit_from_heard_customers_then_guess() -> None:
    heard = [("usage_decreased", 4), ("usage_decreased", 3), ("price", 6), ("competitor", 1)]
    pairs = [p for r, n in heard if (p := rule_outcome(r, False, "b2c", None, n)) is not None]
    fit = fit_rule_confidence(pairs)
    assert fit["repeat_buyer"] == pytest.approx((0.6 + 2) / (2 + 3))  # 0.52
    assert guess_reason(None, False, "b2c", None, 7, fit).confidence == pytest.approx(0.52)


def test_rule_and_case_keys() -> None:
    assert guessing_rule(True, "b2c", None, 0) == "complaint"
    assert (
        guessing_rule(False, "b2c", "林", 3) == "repeat_buyer"
    )  # a previous rep counts for B2B only
    assert guessing_rule(False, "b2b", "", 2) == "none"
    assert case_key("price", "heard") == "heard:price"
    assert case_key("usage_decreased", "guessed") == "guessed:usage_decreased"
