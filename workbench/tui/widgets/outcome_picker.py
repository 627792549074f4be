"""Code pickers of the disposition form: each code on one key (1–9, 0, then -), in two columns.

`OutcomePicker` lists the call outcomes (the form's number keys choose one from anywhere);
`ReasonPicker` lists the lapse reasons, and while it has the focus the number keys choose
a reason instead, so "not interested, because of the price" is `6` then `4`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from workbench.domain.codes import CALL_OUTCOMES, REASONS
from workbench.tui.bindings import translate_bindings
from workbench.tui.i18n import Catalogue

KEYS = "1234567890"
# The eleventh outcome (no_decision) sits on the key after 0, so the first ten keep their keys.
OUTCOME_KEY_CHARS = KEYS + "-"
OUTCOME_KEYS: dict[str, str] = dict(zip(OUTCOME_KEY_CHARS, CALL_OUTCOMES, strict=True))
REASON_KEYS: dict[str, str] = dict(zip(KEYS, REASONS, strict=True))


class KeyedPicker(Widget, can_focus=True):
    DEFAULT_CSS = """
    KeyedPicker { height: auto; width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("right", "move(5)", show=False),
        Binding("left", "move(-5)", show=False),
    ]
    CODES: ClassVar[dict[str, str]] = {}  # key → code
    KIND: ClassVar[str] = "outcome"  # the catalogue's label family: "outcome" or "reason"

    @dataclass
    class Changed(Message):
        picker: KeyedPicker
        value: str | None

    value: reactive[str | None] = reactive(None)

    def __init__(self, tr: Catalogue, value: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tr = tr
        self.set_reactive(KeyedPicker.value, value)
        translate_bindings(self, tr)

    @property
    def codes(self) -> list[str]:
        return list(self.CODES.values())

    def label(self, code: str) -> str:
        return self.tr.reason(code) if self.KIND == "reason" else self.tr.outcome(code)

    def watch_value(self, value: str | None) -> None:
        self.post_message(self.Changed(self, value))

    def action_move(self, step: int) -> None:
        codes = self.codes
        index = codes.index(self.value) if self.value in codes else -1
        self.value = codes[(index + step) % len(codes)] if index >= 0 else codes[0]

    def choose_key(self, key: str) -> bool:
        if key not in self.CODES:
            return False
        self.value = self.CODES[key]
        return True

    def render(self) -> Text:
        if self.size.height == 1:  # folded (a field this outcome seldom uses): the choice only
            return self.render_choice()
        width = max(20, self.size.width // 2)
        rows = (len(self.CODES) + 1) // 2
        text = Text(no_wrap=True, overflow="ellipsis")
        items = list(self.CODES.items())
        marker = "bold black on yellow" if self.has_focus else "bold black on white"
        for row in range(rows):
            for column in (0, 1):
                index = row + column * rows
                if index >= len(items):
                    continue
                key, code = items[index]
                label = f" {self.label(code)} "
                selected = code == self.value
                text.append(f" {key} ", style=marker if selected else "bold reverse")
                text.append(label, style="bold reverse" if selected else "")
                text.append(" " * max(1, width - 3 - cell_len(label)))
            if row < rows - 1:
                text.append("\n")
        return text

    def render_choice(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        key = next((k for k, code in self.CODES.items() if code == self.value), None)
        if key is None or self.value is None:
            text.append(" - ", style="dim")
        else:
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {self.label(self.value)} ", style="bold")
        return text


class OutcomePicker(KeyedPicker):
    CODES = OUTCOME_KEYS

    @dataclass
    class Changed(KeyedPicker.Changed):
        """An outcome was picked (or cleared)."""


def _reason_bindings() -> list[BindingType]:
    first: list[BindingType] = [
        Binding("1", "choose('1')", "Reason", id="reason_1", key_display="0-9")
    ]
    return first + [
        Binding(k, f"choose('{k}')", "Reason", id=f"reason_{k}", show=False) for k in KEYS[1:]
    ]


class ReasonPicker(KeyedPicker):
    CODES = REASON_KEYS
    KIND = "reason"
    BINDINGS: ClassVar[list[BindingType]] = _reason_bindings()

    @dataclass
    class Changed(KeyedPicker.Changed):
        """A reason was picked (or cleared)."""

    def action_choose(self, key: str) -> None:
        self.choose_key(key)
