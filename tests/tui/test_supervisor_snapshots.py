"""The supervisor screen (`workbench supervisor`) at 80×24 and 120×40 on the seeded demo data
with a fixed clock, and a Pilot test of its tabs and sorting.

Update the SVGs after an intended change with
`pytest tests/tui/test_supervisor_snapshots.py --snapshot-update` and look at them first.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent
from tui_helpers import NOW, SMALL, demo_settings, settle

from workbench.services.reason_fixes import mark_fixed
from workbench.tui.screens.supervisor import SupervisorScreen
from workbench.tui.supervisor_app import SupervisorApp
from workbench.tui.widgets.supervisor_parts import sparkline

SINCE = date(2024, 1, 1)  # every call of the demo data: some scripts pass 30 conversations
SIZES = pytest.mark.parametrize("size", [SMALL, (120, 40)], ids=["80x24", "120x40"])


def make(engine: Engine, language: str = "ja") -> SupervisorApp:
    return SupervisorApp(engine, demo_settings(language), now=NOW, since=SINCE)


def on_tab(tab: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.press(tab)
        await settle(pilot)

    return run_before


@SIZES
def test_scripts_tab(snap_compare, engine, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(engine), terminal_size=size, run_before=on_tab("1"))


@SIZES
def test_funnel_tab(snap_compare, engine, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(engine), terminal_size=size, run_before=on_tab("3"))


def test_reasons_tab(snap_compare, engine) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(engine), terminal_size=(120, 40), run_before=on_tab("2"))


def test_reasons_tab_with_a_fixed_reason(snap_compare, engine) -> None:  # type: ignore[no-untyped-def]
    mark_fixed(engine, "price", date(2026, 11, 20), by="op01", at=NOW, note="新料金プラン")
    assert snap_compare(make(engine), terminal_size=(120, 40), run_before=on_tab("2"))


def test_fix_dialog(snap_compare, engine) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("down")  # past 理由不明, which no business fixes
        await pilot.press("f")
        await settle(pilot)

    app = SupervisorApp(engine, demo_settings(), now=NOW, since=SINCE, actor="op01")
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_english_scripts_tab(snap_compare, engine) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make(engine, "en"), terminal_size=SMALL, run_before=on_tab("1"))


def _first_column(table: DataTable[str]) -> list[str]:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_tabs_switch_and_the_script_table_sorts(engine) -> None:  # type: ignore[no-untyped-def]
    app = make(engine)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        tabs = screen.query_one(TabbedContent)
        for key, tab in (("2", "reasons"), ("3", "funnel"), ("4", "trends"), ("1", "scripts")):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == tab
        table: DataTable[str] = screen.query_one("#sv-scripts", DataTable)
        # By P(best), the one script with 30+ conversations first, "not enough data" after it.
        assert _first_column(table)[0] == "winback_b2c"
        assert "データ不足" in [str(c) for c in table.get_row_at(1)]
        # `s` moves to the next column: revenue (largest first), then round to the script id (A→Z).
        await pilot.press("s")
        await pilot.pause()
        assert screen.sort_column == "revenue"
        assert _first_column(table)[:2] == ["winback_b2b", "winback_b2c"]  # ¥107,440, ¥62,980
        await pilot.press("s")
        await pilot.pause()
        names = _first_column(table)
        assert names == sorted(names) and len(names) == 5
        # A header click sorts by that column, largest first; a second click reverses it.
        await pilot.click("#sv-scripts", offset=(22, 0))  # the 架電 (dials) header
        await pilot.pause()
        dials = [int(str(table.get_row_at(i)[1]).replace(",", "")) for i in range(table.row_count)]
        assert screen.sort_column == "attempts"
        assert dials == sorted(dials, reverse=True) and dials[0] == 214
        await pilot.click("#sv-scripts", offset=(22, 0))
        await pilot.pause()
        dials = [int(str(table.get_row_at(i)[1]).replace(",", "")) for i in range(table.row_count)]
        assert dials == sorted(dials)
        # On the reasons tab, the highlighted reason's notes show under the table.
        await pilot.press("2")
        reasons: DataTable[str] = screen.query_one("#sv-reasons", DataTable)
        reasons.focus()
        await pilot.pause()
        notes = screen.query_one("#sv-notes", Static)
        assert "「理由不明」のメモ" in str(notes.content)  # the most heard reason first
        await pilot.press("down")
        await pilot.pause()
        assert "「利用頻度の低下」のメモ" in str(notes.content)


def test_sparkline_sums_long_series_into_its_width():
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█"  # 1/4·7 → 2, 2/4·7 → 4 (rounded), 4/4·7 → 7
    assert sparkline([0, 0]) == "▁▁"
    # 6 weeks in 3 characters: (1+1, 0+0, 2+2) → 2/4·7 → 4, 0, 7
    assert sparkline([1, 1, 0, 0, 2, 2], width=3) == "▅▁█"
