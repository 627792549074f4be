"""Pieces the supervisor screen draws: figures as text, the weekday × hour contact-rate grid,
weekly sparklines and the script table's sort order.  Plain functions of service values."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from rich.text import Text

from workbench.services.supervisor import Heatmap
from workbench.talk.stats import ScriptGroup, StatsRow
from workbench.tui.supervisor_i18n import SupervisorText

_SHADES = "░▒▓█"
_BLOCKS = "▁▂▃▄▅▆▇█"
_LOW = (70, 76, 88)
_HIGH = (46, 160, 67)
BEST_CELLS = 3  # the hours named under the grid
MIN_CELL_DIALS = 3  # a cell named as best needs this many dials
SPARK_WIDTH = 26  # a reason's weekly trend: half a year, one character a week


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def yen(amount: float | int) -> str:
    return f"¥{int(amount):,}"


def interval(row: StatsRow) -> str:
    return "-" if row.rate is None else f"{row.wilson_low:.0%}–{row.wilson_high:.0%}"


def p_best(row: StatsRow, tr: SupervisorText) -> str:
    """P(best) as a percent; 「データ不足」 below 30 conversations instead of a rank."""
    if row.not_enough_data:
        return tr("sv.thin")
    return pct(row.p_best)


def sparkline(values: Iterable[int], width: int = SPARK_WIDTH) -> str:
    """Counts as block characters scaled to the largest; an empty week is the lowest block.
    More than `width` values are summed in runs of equal length, so a long period still fits."""
    values = list(values)
    if len(values) > width:
        run = -(-len(values) // width)
        values = [sum(values[i : i + run]) for i in range(0, len(values), run)]
    top = max(values, default=0)
    if top <= 0:
        return _BLOCKS[0] * len(values)
    return "".join(_BLOCKS[min(7, round(v / top * 7))] for v in values)


# The script table's columns: id → the value it sorts by (None sorts last either way).
SORT_KEYS: dict[str, Callable[[StatsRow], Any]] = {
    "script": lambda r: r.script_id or "",
    "attempts": lambda r: r.attempts,
    "contacts": lambda r: r.contacts,
    "wins": lambda r: r.reactivations,
    "rate": lambda r: r.rate,
    "interval": lambda r: r.wilson_low if r.rate is not None else None,
    # A rank only where it rests on enough data: "not enough data" sorts after every rank.
    "p_best": lambda r: None if r.not_enough_data else r.p_best,
    "revenue": lambda r: r.revenue,
}
SCRIPT_COLUMNS: tuple[str, ...] = tuple(SORT_KEYS)


def sort_groups(groups: Sequence[ScriptGroup], column: str, descending: bool) -> list[ScriptGroup]:
    """Groups ordered by their total's `column`; groups without a value last, ties by id."""
    key = SORT_KEYS[column]
    known = [g for g in groups if key(g.total) is not None]
    missing = [g for g in groups if key(g.total) is None]
    known.sort(key=lambda g: (g.total.script_id or "", g.total.version or ""))
    known.sort(key=lambda g: key(g.total), reverse=descending)
    return known + missing


def script_cells(row: StatsRow, tr: SupervisorText) -> tuple[str, ...]:
    return (
        row.script_id or "-", f"{row.attempts:,}", f"{row.contacts:,}",
        f"{row.reactivations:,}", pct(row.rate), interval(row), p_best(row, tr), yen(row.revenue),
    )  # fmt: skip


def _shade(value: float) -> Color:
    value = min(max(value, 0.0), 1.0)
    return Color.from_rgb(*(lo + (hi - lo) * value for lo, hi in zip(_LOW, _HIGH, strict=True)))


def heat_grid(heat: Heatmap, tr: SupervisorText, width: int = 2) -> Text:
    """Seven rows (Monday first) of 24 hour cells, `width` characters each, shaded by the answer
    rate relative to the best hour; a dot where nobody was dialled.  Characters, not only colour,
    so the grid reads in monochrome terminals and text captures."""
    rates = [heat.rate(d, h) for d in range(7) for h in range(24)]
    top = max((r for r in rates if r is not None), default=0.0)
    text = Text(no_wrap=True)
    step = 6
    header = "".join(f"{h:<{step * width}}" for h in range(0, 24, step)).rstrip()
    text.append("   " + header + "\n", style="dim")
    for day in range(7):
        label = tr.weekday(day)[:2]
        text.append(label + " " * (3 - cell_len(label)), style="bold")
        for hour in range(24):
            rate = heat.rate(day, hour)
            if rate is None:
                text.append("·" * width, style="grey35")
                continue
            value = rate / top if top > 0 else 0.0
            shade = _SHADES[min(len(_SHADES) - 1, int(value * len(_SHADES)))]
            text.append(shade * width, style=Style(color=_shade(value)))
        text.append("\n")
    dials = sum(map(sum, heat.dials))
    text.append(tr("sv.heat_legend", dials=f"{dials:,}"), style="dim")
    return text


def best_hours(heat: Heatmap, tr: SupervisorText) -> str:
    """The hours with the highest answer rate (at least MIN_CELL_DIALS dials), in words."""
    cells = [
        (rate, heat.dials[d][h], d, h)
        for d in range(7)
        for h in range(24)
        if heat.dials[d][h] >= MIN_CELL_DIALS and (rate := heat.rate(d, h)) is not None
    ]
    cells.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    words = [
        tr("sv.best_cell", day=tr.weekday(d), hour=h, rate=pct(rate), n=n)
        for rate, n, d, h in cells[:BEST_CELLS]
    ]
    if not words:
        return ""
    return tr("sv.best_hours", cells="、".join(words) if tr.language == "ja" else ", ".join(words))
