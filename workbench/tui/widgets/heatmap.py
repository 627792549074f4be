"""A 7×24 hour-of-week grid: when this customer picks up.

Each cell's shade (░▒▓█, also coloured) is the answer model's estimate for the customer
(their own history shrunk toward their segment), relative to their best hour; ● marks an
hour where a call reached them, × one where calls went unanswered; hours outside the
calling window are dots.  Characters, not only
colours, so the grid reads in monochrome terminals and in text captures.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from workbench.tui.adapters.customer import HeatGrid
from workbench.tui.i18n import Catalogue

_SHADES = "░▒▓█"
_CLOSED = "·"
_LOW = (70, 76, 88)
_HIGH = (46, 160, 67)


def _shade(value: float) -> Color:
    value = min(max(value, 0.0), 1.0)
    return Color.from_rgb(*(lo + (hi - lo) * value for lo, hi in zip(_LOW, _HIGH, strict=True)))


def render_grid(grid: HeatGrid, tr: Catalogue) -> Text:
    text = Text(no_wrap=True)
    text.append("   " + "".join(f"{h:<6}" for h in (0, 6, 12, 18)).rstrip() + "\n", style="dim")
    # Shade within the hours one may call: relative to this customer's worst and best of them.
    usable = [grid.p[c] for c in range(len(grid.p)) if not grid.open or grid.open[c]]
    low, top = (min(usable), max(usable)) if usable else (0.0, 0.0)
    for day in range(7):
        # A Japanese weekday is one wide character, two cells: both labels take three.
        label = tr.weekday(day)[:2]
        text.append(label + " " * (3 - cell_len(label)), style="bold")
        for hour in range(24):
            cell = day * 24 + hour
            value = (grid.p[cell] - low) / (top - low) if grid.p and top > low else 0.0
            closed = bool(grid.open) and not grid.open[cell]
            if grid.answers[cell]:
                text.append("●", style=Style(color="white", bold=True, bgcolor=_shade(value)))
            elif grid.tries[cell]:
                text.append("×", style=Style(color="bright_red", bold=True, bgcolor=_shade(value)))
            elif closed:
                text.append(_CLOSED, style="grey35")
            else:
                text.append(
                    _SHADES[min(len(_SHADES) - 1, int(value * len(_SHADES)))],
                    style=Style(color=_shade(value)),
                )
        if day < 6:
            text.append("\n")
    return text


class AnswerHeatmap(Widget):
    DEFAULT_CSS = """
    AnswerHeatmap { height: 8; width: auto; }
    """

    def __init__(self, grid: HeatGrid, tr: Catalogue, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = grid
        self.tr = tr
        self.text: Text | None = None

    def render(self) -> Text:
        if self.text is None:  # the grid never changes; it is drawn more than once
            self.text = render_grid(self.grid, self.tr)
        return self.text
