"""The operator's own keys: `[keys]` in workbench.toml maps binding ids to keys.

Every Binding of the workbench has an `id`; `App.set_keymap` swaps the key of each id
named here, on every screen.  An id nobody has is reported (with the known ids) instead
of silently doing nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.binding import Binding, BindingType

from workbench.tui.i18n import Catalogue


def binding_ids(groups: Iterable[list[BindingType]]) -> set[str]:
    return {
        b.id for bindings in groups for b in Binding.make_bindings(bindings) if b.id is not None
    }


def user_keymap(
    keys: Mapping[str, str], known: set[str], tr: Catalogue
) -> tuple[dict[str, str], list[str]]:
    """The keymap to apply, and a warning for each id no binding has."""
    keymap = {bid: key.strip() for bid, key in keys.items() if bid in known and key.strip()}
    warnings = [
        tr("keys.unknown", id=bid, known=", ".join(sorted(known)))
        for bid in sorted(set(keys) - known)
    ]
    return keymap, warnings


def shown_key(binding: Binding, keymap: Mapping[str, Any]) -> str | None:
    """The key the operator configured for this binding, if any (for the help screen)."""
    if binding.id is None or binding.id not in keymap:
        return None
    return str(keymap[binding.id])
