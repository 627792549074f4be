"""The fitting helpers behind `stats scripts|emails` tables: wrapping by display cells
(Japanese counts two a character), widths within a budget, compact figures."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from workbench.cli.format import (
    FitColumn,
    compact_count,
    compact_yen,
    fit_widths,
    fitted_table,
    pct_range,
    table_fits,
    wrap_cell,
)


def test_wrap_breaks_after_underscores_and_keeps_the_indent() -> None:
    assert wrap_cell("b2b_contact_person_changed", 12) == "b2b_contact_\nperson_\nchanged"
    assert wrap_cell("b2b_contact_person_changed", 40) == "b2b_contact_person_changed"
    # 2 cells of indent leave 10: the 15-letter word is folded.
    assert wrap_cell("  quality_dissatisfaction", 12) == "  quality_\n  dissatisfa\n  ction"
    assert wrap_cell("not enough data", 10) == "not enough\ndata"


def test_wrap_counts_double_width_characters() -> None:
    lines = wrap_cell("データ不足です", 6).split("\n")  # 14 cells
    assert lines == ["データ", "不足で", "す"]
    assert all(cell_len(line) <= 6 for line in lines)


def test_fit_widths_shrinks_only_flexible_columns() -> None:
    assert fit_widths([30, 5, 10], [12, None, 10], 30) == [15, 5, 10]
    # Both flexible: the one furthest above its minimum gives up cells first.
    assert fit_widths([20, 15], [12, 10], 30) == [16, 14]
    assert fit_widths([20, 5], [12, None], 10) == [12, 5]  # cannot fit: stops at the minimum


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [
        (9999, "ja", "9,999"), (12345, "ja", "1.2万"), (12345, "en", "12.3k"),
        (123_456_789, "ja", "1.2億"), (1_234_567, "en", "1.2M"), (0, "en", "0"),
    ],
)  # fmt: skip
def test_compact_count(value: int, language: str, shown: str) -> None:
    assert compact_count(value, language) == shown


def test_compact_yen_and_interval() -> None:
    assert compact_yen(51000, "ja") == "¥5.1万"
    assert compact_yen(51000, "en") == "¥51.0k"
    assert compact_yen(3500, "ja") == "¥3,500"
    # Whole percents widened outward; 0.3 × 100 = 30.000000000000004 stays 30.
    assert pct_range(0.17003277, 0.44757137) == "[17-45%]"
    assert pct_range(0.3, 0.5) == "[30-50%]"
    assert pct_range(0.0, 1.0) == "[0-100%]"


def test_fitted_table_fits_its_width_without_ellipsis() -> None:
    columns = [
        FitColumn(
            "スクリプト / 理由",
            ["b2b_contact_person_changed_followup", "  価格_見直し"],
            min_width=10,
        ),
        FitColumn("架電", ["1,234", "12"], right=True),
        FitColumn("最良確率", ["データ不足", "62%"], right=True, min_width=10),
    ]
    assert table_fits(columns, 40) and not table_fits(columns, 20)
    out = io.StringIO()
    Console(file=out, width=40).print(fitted_table(columns, 40))
    lines = out.getvalue().splitlines()
    assert all(cell_len(line) <= 40 and "…" not in line for line in lines)
    assert "スクリプト / 理由" in lines[0] and "データ不足" in out.getvalue()
    assert "b2b_contact_person_" in out.getvalue() and "changed_followup" in out.getvalue()
