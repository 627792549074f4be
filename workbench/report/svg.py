"""Inline SVG charts: plain strings, no script and no external reference (inline `<svg>` in
HTML needs no namespace URL).

Every label is passed through `html.escape`; the colours are named constants so a test can
find the drawn bars in a screenshot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

RATE_COLOUR = "#2b6cb0"  # win-back rate bars
WON_COLOUR = "#2f855a"  # win-back count bars, and the win-backs line
DIALS_COLOUR = "#718096"
CONVERSATIONS_COLOUR = "#d69e2e"
REASON_COLOUR = "#c53030"
INTERVAL_COLOUR = "#1a202c"
GRID_COLOUR = "#e2e8f0"
CAMPAIGN_COLOUR = "#6b46c1"  # the campaign arm's bar of the KPI chart
CONTROL_COLOUR = "#dd6b20"  # the control arm's

_FONT = 'font-family="sans-serif" font-size="12"'


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and an optional interval drawn as an error bar."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    text: str = ""  # printed above (or beside) the bar
    colour: str | None = None  # this bar's own colour (else the chart's)


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _axis(value: float) -> tuple[float, int]:
    """A round upper end for an axis at or above `value` (1, 2, 2.5 or 5 × a power of ten) and
    how many steps of a round size divide it (2 → 4 × 0.5, 5 → 5 × 1, 1 → 5 × 0.2)."""
    if value <= 0:
        return 1.0, 4
    power = 10.0 ** math.floor(math.log10(value))
    for step, ticks in ((1, 5), (2, 4), (2.5, 5), (5, 5), (10, 5)):
        if step * power >= value * (1 - 1e-12):
            return step * power, ticks
    return 10 * power, 5  # pragma: no cover - the loop always returns


def _tick(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.0%}"
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def column_chart(
    bars: Sequence[Bar], colour: str, title: str, *, percent: bool = False, width: int = 720
) -> str:
    """Vertical bars with labels under them; `low`/`high` (same scale) as error bars."""
    height, top, bottom, left = 320, 20, 110, 50
    plot_h = height - top - bottom
    top_value = max([b.high if b.high is not None else b.value for b in bars] + [0.0])
    axis, ticks = _axis(top_value)
    if percent and axis > 1:
        axis, ticks = 1.0, 5
    slot = (width - left - 10) / max(len(bars), 1)
    bar_w = max(8.0, min(60.0, slot * 0.6))

    def y(v: float) -> float:
        return top + plot_h * (1 - v / axis)

    body = []
    for tick in range(ticks + 1):
        v = axis * tick / ticks
        label = _tick(v, percent)
        body.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'stroke="{GRID_COLOUR}"/><text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" '
            f"{_FONT}>{label}</text>"
        )
    for i, bar in enumerate(bars):
        x = left + slot * i + (slot - bar_w) / 2
        centre = x + bar_w / 2
        body.append(
            f'<rect x="{x:.1f}" y="{y(bar.value):.1f}" width="{bar_w:.1f}" '
            f'height="{max(y(0) - y(bar.value), 0):.1f}" fill="{bar.colour or colour}"/>'
        )
        if bar.low is not None and bar.high is not None:
            y1, y2 = y(bar.low), y(bar.high)
            body.append(
                f'<path d="M{centre:.1f} {y1:.1f}V{y2:.1f}M{centre - 6:.1f} {y1:.1f}h12'
                f'M{centre - 6:.1f} {y2:.1f}h12" stroke="{INTERVAL_COLOUR}" stroke-width="1.5" '
                'fill="none"/>'
            )
        above = y(bar.high if bar.high is not None else bar.value) - 5
        if bar.text:
            body.append(
                f'<text x="{centre:.1f}" y="{above:.1f}" text-anchor="middle" {_FONT}>'
                f"{escape(bar.text)}</text>"
            )
        body.append(
            f'<text x="{centre:.1f}" y="{height - bottom + 16}" {_FONT} '
            f'transform="rotate(25 {centre:.1f} {height - bottom + 16})">{escape(bar.label)}</text>'
        )
    return _svg(width, height, title, body)


def row_chart(bars: Sequence[Bar], colour: str, title: str, *, width: int = 720) -> str:
    """Horizontal bars, one row each, label on the left and the value on the right."""
    row, left, right = 26, 190, 60
    height = row * len(bars) + 20
    axis, _ = _axis(max([b.value for b in bars] + [0.0]))
    scale = (width - left - right) / axis
    body = []
    for i, bar in enumerate(bars):
        y = 10 + row * i
        body.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" {_FONT}>{escape(bar.label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{bar.value * scale:.1f}" height="{row - 8}" '
            f'fill="{colour}"/><text x="{left + bar.value * scale + 6:.1f}" y="{y + 16}" {_FONT}>'
            f"{escape(bar.text)}</text>"
        )
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Series:
    """One line of a trend chart."""

    name: str
    colour: str
    values: Sequence[float]


def line_chart(
    labels: Sequence[str], series: Sequence[Series], title: str, *, width: int = 720
) -> str:
    """Lines with a marker at each point, one x position per label, and a legend above."""
    height, top, bottom, left = 300, 40, 60, 50
    plot_h, plot_w = height - top - bottom, width - left - 20
    axis, ticks = _axis(max([v for s in series for v in s.values] + [0.0]))
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return left + (step * i if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / axis)

    radius = 5 if len(labels) <= 30 else 2.5  # markers that do not merge into a band
    body = []
    for tick in range(ticks + 1):
        v = axis * tick / ticks
        body.append(
            f'<line x1="{left}" x2="{width - 20}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'stroke="{GRID_COLOUR}"/><text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" '
            f"{_FONT}>{_tick(v, False)}</text>"
        )
    for k, s in enumerate(series):
        lx = left + 160 * k
        body.append(
            f'<rect x="{lx}" y="8" width="14" height="14" fill="{s.colour}"/>'
            f'<text x="{lx + 20}" y="20" {_FONT}>{escape(s.name)}</text>'
        )
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{s.colour}" stroke-width="3"/>'
        )
        body.extend(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{radius}" fill="{s.colour}"/>'
            for i, v in enumerate(s.values)
        )
    every = max(1, len(labels) // 10)
    body.extend(
        f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" {_FONT}>'
        f"{escape(label)}</text>"
        for i, label in enumerate(labels)
        if i % every == 0
    )
    return _svg(width, height, title, body)
