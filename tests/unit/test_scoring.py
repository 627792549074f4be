"""The score's parts, computed by hand."""

import math

import pytest

from workbench.domain import scoring
from workbench.domain.scoring import ScoreParts


def test_value_is_average_order_times_own_yearly_rate() -> None:
    # 5 orders over two years: 4 intervals in 730.5 days → 2 orders a year; ¥100,000 / 5 = ¥20,000 each.
    assert scoring.customer_value(100_000, 5, 730.5) == pytest.approx(40_000)
    # A one-time buyer is worth one order; a slow buyer at least one order a year.
    assert scoring.customer_value(12_800, 1, 0) == 12_800
    assert scoring.customer_value(30_000, 2, 1000) == 15_000
    assert scoring.customer_value(0, 0, 0) == 0


def test_come_back_fades_with_dormancy_and_follows_state_and_alive() -> None:
    fresh = scoring.p_come_back("dormant", 6, p_alive=1.0)
    assert fresh == pytest.approx(0.20)
    assert scoring.p_come_back("dormant", 30, p_alive=1.0) == pytest.approx(0.20 * math.exp(-24 / 24))
    assert scoring.p_come_back("at_risk", 3, p_alive=1.0) == pytest.approx(0.30)
    # A customer MBG/NBD calls dead keeps half the chance: recency still says something.
    assert scoring.p_come_back("dormant", 6, p_alive=0.0) == pytest.approx(0.10)
    assert scoring.p_come_back("churned", 6, p_alive=1.0) < scoring.p_come_back("dormant", 6, p_alive=1.0)


def test_reason_factor_scales_and_is_clipped() -> None:
    assert scoring.reason_factor(0.2, 0.1) == 2.0
    assert scoring.reason_factor(None, 0.1) == 1.0
    assert scoring.p_come_back("dormant", 6, 1.0, reason_factor=10.0) == pytest.approx(0.40)
    assert scoring.p_come_back("dormant", 6, 1.0, reason_factor=0.1) == pytest.approx(0.10)


def test_base_score_combines_season_and_deadline() -> None:
    assert scoring.base_score(10_000, 0.2, 0.0, False) == pytest.approx(2_000)
    assert scoring.base_score(10_000, 0.2, 0.5, False) == pytest.approx(3_000)
    assert scoring.base_score(10_000, 0.2, 0.5, True) == pytest.approx(4_500)
    assert scoring.base_score(10_000, 0.2, -0.3, False) == pytest.approx(2_000)


def test_score_applies_answer_probability_and_reports_parts() -> None:
    parts = ScoreParts(value=10_000, p_alive=0.5, expected_orders=1.2, p_come_back=0.2, season=0.0,
                       deadline=False, base=2_000, p_answer=0.25)
    assert parts.score == pytest.approx(500)
    data = parts.as_json()
    assert data["score"] == pytest.approx(500)
    assert data["alive_model"] == "mbgnbd"
    assert set(data) >= {"value", "p_alive", "p_come_back", "season", "deadline", "p_answer"}


@pytest.mark.parametrize(
    ("heard", "complaint", "kind", "rep", "orders", "expected"),
    [
        ("price", True, "b2b", "田中", 5, ("price", "heard")),
        (None, True, "b2c", None, 5, ("quality_dissatisfaction", "guessed")),
        (None, False, "b2b", "田中", 1, ("contact_person_changed", "guessed")),
        (None, False, "b2c", None, 3, ("usage_decreased", "guessed")),
        (None, False, "b2c", None, 1, ("unknown", "guessed")),
    ],
)
def test_reason_heard_else_guessed_from_history(heard, complaint, kind, rep, orders, expected) -> None:
    assert scoring.guess_reason(heard, complaint, kind, rep, orders) == expected
