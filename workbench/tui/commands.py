"""The command palette (ctrl+p): every keyed action of the current screen, by its label,
and the product's own commands (script success, switch operator, language).

The keyed actions are built from the screen's active bindings, so the palette, the footer
and the help screen can never disagree about what the operator can do; the product's
commands come from the App (`product_commands`), labelled in the interface language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from workbench.tui.bindings import display_key


class ActionsProvider(Provider):
    def _actions(self) -> list[tuple[str, str, DOMNode, str]]:
        seen: set[str] = set()
        actions = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if (
                not binding.id
                or not active.enabled
                or binding.id in seen
                or binding.action == "command_palette"
            ):
                continue
            seen.add(binding.id)
            label = binding.description or binding.action
            actions.append((label, binding.action, active.node, display_key(binding, key)))
        return actions

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        commands = getattr(self.app, "product_commands", None)
        return commands() if commands is not None else []

    async def discover(self) -> Hits:
        for label, help_text, callback in self._commands():
            yield DiscoveryHit(label, callback, help=help_text)
        for label, action, node, key in self._actions():
            yield DiscoveryHit(label, partial(self.app.run_action, action, node), help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, text=label, help=help_text)
        for label, action, node, key in self._actions():
            score = max(matcher.match(label), matcher.match(action))
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(self.app.run_action, action, node),
                    text=label,
                    help=key,
                )  # type: ignore[arg-type]
