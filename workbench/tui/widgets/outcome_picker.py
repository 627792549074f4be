"""The canonical call outcomes, each on one key (1–9, 0), in two columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from workbench.domain.codes import CALL_OUTCOMES
from workbench.tui.i18n import Catalogue

KEYS = "1234567890"
OUTCOME_KEYS: dict[str, str] = dict(zip(KEYS, CALL_OUTCOMES, strict=True))
ROWS = (len(CALL_OUTCOMES) + 1) // 2


class OutcomePicker(Widget, can_focus=True):
    DEFAULT_CSS = """
    OutcomePicker { height: 5; width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("right", "move(5)", show=False),
        Binding("left", "move(-5)", show=False),
    ]

    value: reactive[str | None] = reactive(None)

    @dataclass
    class Changed(Message):
        picker: OutcomePicker
        value: str | None

    def __init__(self, tr: Catalogue, value: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tr = tr
        self.set_reactive(OutcomePicker.value, value)

    def watch_value(self, value: str | None) -> None:
        self.post_message(self.Changed(self, value))

    def action_move(self, step: int) -> None:
        index = CALL_OUTCOMES.index(self.value) if self.value in CALL_OUTCOMES else -1
        self.value = (
            CALL_OUTCOMES[(index + step) % len(CALL_OUTCOMES)] if index >= 0 else CALL_OUTCOMES[0]
        )

    def choose_key(self, key: str) -> bool:
        if key not in OUTCOME_KEYS:
            return False
        self.value = OUTCOME_KEYS[key]
        return True

    def render(self) -> Text:
        width = max(20, self.size.width // 2)
        text = Text(no_wrap=True, overflow="ellipsis")
        items = list(OUTCOME_KEYS.items())
        for row in range(ROWS):
            for column in (0, 1):
                index = row + column * ROWS
                if index >= len(items):
                    continue
                key, outcome = items[index]
                label = f" {self.tr.outcome(outcome)} "
                selected = outcome == self.value
                text.append(
                    f" {key} ", style="bold reverse" if not selected else "bold black on yellow"
                )
                text.append(label, style="bold reverse" if selected else "")
                text.append(" " * max(1, width - 3 - cell_len(label)))
            if row < ROWS - 1:
                text.append("\n")
        return text
