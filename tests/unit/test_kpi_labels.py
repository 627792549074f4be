"""How KPI figures read in the kpi table and the report."""

from workbench.domain.uplift import Sample, welch_difference
from workbench.report.labels import kpi_interval, kpi_value, shown_unit


def test_yen_sign_before_the_yen_mark() -> None:
    assert kpi_value("yen", -3714.4) == "-¥3,714"
    assert kpi_value("yen", 416.0, signed=True) == "+¥416"
    assert kpi_value("yen", 0.2, signed=True) == "+¥0"
    assert kpi_interval("yen", -1093.0, 1926.0) == "[-¥1,093, +¥1,926]"


def test_roi_reads_in_percent() -> None:
    unit = shown_unit("roi", "ratio")
    assert kpi_value(unit, 40.9795, signed=True) == "+4,098%"
    assert kpi_interval(unit, -0.5081, 1.3276) == "[-51, +133]%"
    assert shown_unit("order_value_recovery", "ratio") == "ratio"


def test_no_relative_lift_against_a_loss() -> None:
    loss = welch_difference(Sample(10, -100.0, 50.0), Sample(10, -200.0, 50.0))
    assert loss is not None and loss.relative_lift is None
    gain = welch_difference(Sample(10, 300.0, 50.0), Sample(10, 200.0, 50.0))
    assert gain is not None and gain.relative_lift == 0.5
