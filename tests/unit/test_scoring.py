"""The score's parts, computed by hand."""

import pytest

from workbench.domain import scoring
from workbench.domain.scoring import ScoreParts


def test_base_score_is_value_times_alive_times_win_rate_with_season_and_deadline() -> None:
    assert scoring.base_score(10_000, 1.0, 0.2, 0.0, False) == pytest.approx(2_000)
    assert scoring.base_score(10_000, 0.5, 0.2, 0.0, False) == pytest.approx(1_000)
    assert scoring.base_score(10_000, 0.5, 0.2, 0.5, False) == pytest.approx(1_500)
    assert scoring.base_score(10_000, 0.5, 0.2, 0.5, True) == pytest.approx(2_250)
    # A season below its mean never lowers the score; P(alive) outside [0, 1] is clipped.
    assert scoring.base_score(10_000, 1.0, 0.2, -0.3, False) == pytest.approx(2_000)
    assert scoring.base_score(10_000, 1.7, 0.2, 0.0, False) == pytest.approx(2_000)
    assert scoring.base_score(10_000, 0.0, 0.2, 0.0, False) == 0.0


def test_score_applies_answer_probability_and_reports_parts() -> None:
    parts = ScoreParts(
        value=10_000,
        p_alive=0.5,
        expected_orders=1.2,
        p_come_back=0.2,
        season=0.0,
        deadline=False,
        base=1_000,
        p_answer=0.25,
        expected_spend=8_333.3,
        horizon_weeks=52,
    )
    assert parts.score == pytest.approx(250)
    data = parts.as_json()
    assert data["score"] == pytest.approx(250)
    assert data["alive_model"] == "mbgnbd"
    assert set(data) >= {
        "value",
        "p_alive",
        "p_come_back",
        "season",
        "deadline",
        "p_answer",
        "expected_spend",
        "horizon_weeks",
    }


def test_a_newer_win_rate_rescales_the_base() -> None:
    parts = ScoreParts(
        value=10_000,
        p_alive=0.5,
        expected_orders=1.0,
        p_come_back=0.2,
        season=0.0,
        deadline=False,
        base=1_000,
        p_answer=0.5,
    )
    newer = parts.with_win_rate(0.3)
    assert newer.base == pytest.approx(1_500)
    assert newer.score == pytest.approx(750)
    assert newer.p_come_back == 0.3
