"""The trends tab: weekly dials, conversations and win-backs, and weekly revenue, as charts.

textual-plotext draws them when it is installed (a project dependency); without it each
series is a Textual Sparkline under its name.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from workbench.services.supervisor import WeekPoint
from workbench.tui.supervisor_i18n import SupervisorText

try:
    from textual_plotext import PlotextPlot

    PLOTEXT = True
except ImportError:  # pragma: no cover - the dependency is in pyproject
    PLOTEXT = False

SERIES = ("dials", "talks", "wins")
# Plotext's colour names, and the same colours in Rich's for the legend.
COLOURS = {"dials": "blue", "talks": "orange", "wins": "green", "revenue": "green"}
RICH_COLOURS = {"blue": "blue", "orange": "dark_orange", "green": "green"}


class TrendCharts(Vertical):
    DEFAULT_CSS = """
    TrendCharts { height: 1fr; }
    TrendCharts PlotextPlot { height: 1fr; }
    TrendCharts Sparkline { height: 2; margin-bottom: 1; }
    TrendCharts .sv-legend { height: 1; padding: 0 1; }
    """

    def __init__(self, tr: SupervisorText, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tr = tr

    def compose(self) -> ComposeResult:
        if PLOTEXT:
            # The legend is drawn here: plotext measures a Japanese label as half its width.
            yield Static(self.legend(SERIES), classes="sv-legend")
            yield PlotextPlot(id="sv-chart-calls")
            yield Static(self.legend(("revenue",)), classes="sv-legend")
            yield PlotextPlot(id="sv-chart-revenue")
            return
        for name in (*SERIES, "revenue"):
            yield Static(self.tr(f"sv.series.{name}"))
            yield Sparkline([], id=f"sv-spark-{name}")

    def legend(self, names: Sequence[str]) -> Text:
        text = Text()
        for name in names:
            text.append("━━ ", style=RICH_COLOURS[COLOURS[name]])
            text.append(self.tr(f"sv.series.{name}") + "  ")
        return text

    def show(self, points: Sequence[WeekPoint]) -> None:
        values = {
            "dials": [p.dials for p in points],
            "talks": [p.conversations for p in points],
            "wins": [p.winbacks for p in points],
            "revenue": [p.revenue for p in points],
        }
        if not PLOTEXT:
            for name, series in values.items():
                self.query_one(f"#sv-spark-{name}", Sparkline).data = series
            return
        ticks = [float(i) for i in range(len(points))]
        labels = [f"{p.week:%m/%d}" for p in points]
        step = max(1, len(points) // 6)
        for chart_id, names, title in (
            ("sv-chart-calls", SERIES, "sv.chart.calls"),
            ("sv-chart-revenue", ("revenue",), "sv.chart.revenue"),
        ):
            chart = self.query_one(f"#{chart_id}", PlotextPlot)
            plt = chart.plt
            plt.clear_data()
            plt.clear_figure()
            plt.title(self.tr(title))
            for name in names:
                plt.plot(ticks, values[name], color=COLOURS[name], marker="braille")
            plt.xticks(ticks[::step], labels[::step])
            chart.refresh()
