"""Footer labels in the operator's language: each Binding's `id` is its catalogue key.

Bindings are class attributes (Textual reads them at class creation), while the
language is a setting; `translate_bindings` relabels one node's own copy of them.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from workbench.tui.i18n import Catalogue

_KEY_NAMES = {
    "question_mark": "?",
    "enter": "Enter",
    "escape": "Esc",
    "backspace": "BS",
    "ctrl+s": "^s",
    "ctrl+p": "^p",
    "ctrl+q": "^q",
}


def translate_bindings(node: DOMNode, tr: Catalogue) -> None:
    table = node._bindings.key_to_bindings  # the node's own copy, made in DOMNode.__init__
    for key, bindings in table.items():
        relabelled = []
        for binding in bindings:
            changes: dict[str, object] = {}
            if binding.id and tr.has(f"key.{binding.id}"):
                changes["description"] = tr(f"key.{binding.id}")
            relabelled.append(replace(binding, **changes) if changes else binding)  # type: ignore[arg-type]
        table[key] = relabelled


def display_key(binding: Binding, key: str) -> str:
    if binding.key_display:
        return binding.key_display
    return _KEY_NAMES.get(key, key)
